import { randomUUID } from "node:crypto";
import { type CommandInfo, MessageKind, type Role } from "@parley/protocol";
import { ParleyError } from "../errors";
import type { Actor } from "../storage/storage";
import type { MessageService } from "./message-service";

/** Who runs a command, where. */
export interface CommandCaller {
  actor: Actor & { isGuest: boolean };
  channelId: number;
  role: Role;
  nonce?: string;
}

/** A command's reply: text for the caller alone, and/or the ack of a message it posted. */
export interface CommandResult {
  x?: string;
  m?: { s: number; i: number; ts: number };
}

interface CommandSpec extends CommandInfo {
  run(caller: CommandCaller, args: string): Promise<CommandResult>;
}

/** Slash commands, parsed and executed on the server so that every client has them. */
export class CommandService {
  private readonly specs: CommandSpec[];

  constructor(messages: MessageService) {
    this.specs = [
      {
        n: "help",
        u: "/help",
        d: "List the commands you may use",
        rl: 0,
        run: async (caller) => ({
          x: this.available(caller.role)
            .map((c) => `${c.u} — ${c.d}`)
            .join("\n"),
        }),
      },
      {
        n: "me",
        u: "/me <action>",
        d: "Post an action message",
        rl: 0,
        run: async (caller, args) => {
          const text = args.trim();
          if (!text)
            throw new ParleyError("BAD_COMMAND", "Say what you are doing", {
              usage: "/me <action>",
            });
          const ev = await messages.send(
            caller.actor,
            caller.channelId,
            caller.nonce ?? `cmd-${randomUUID()}`,
            text,
            MessageKind.Action,
          );
          return { m: { s: ev.s, i: ev.i, ts: ev.ts } };
        },
      },
    ];
  }

  /** Every command, for the welcome reply. */
  list(): CommandInfo[] {
    return this.specs.map(({ n, u, d, rl }) => ({ n, u, d, rl }));
  }

  available(role: number): CommandInfo[] {
    return this.list().filter((c) => c.rl <= role);
  }

  async execute(caller: CommandCaller, text: string): Promise<CommandResult> {
    const match = /^\/(\S+)\s*([\s\S]*)$/.exec(text.trim());
    if (!match) throw new ParleyError("BAD_COMMAND", "A command starts with /");
    const spec = this.specs.find((s) => s.n === match[1]!.toLowerCase());
    if (!spec) throw new ParleyError("UNKNOWN_COMMAND", `Unknown command /${match[1]}; try /help`);
    if (spec.rl > caller.role)
      throw new ParleyError("FORBIDDEN", `/${spec.n} needs a higher role`, { usage: spec.u });
    return spec.run(caller, match[2] ?? "");
  }
}
