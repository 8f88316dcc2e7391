import { randomUUID } from "node:crypto";
import {
  ADMIN_RANK,
  type AuditLine,
  auditText,
  blockedWordSchema,
  type CommandInfo,
  type CommandReply,
  contentSchema,
  MessageKind,
  RETENTION_DAYS_MAX,
  Role,
  rankOf,
  topicSchema,
} from "@parley/protocol";
import type { z } from "zod";
import { formatDuration, MAX_DURATION_MS, parseDuration } from "../duration";
import { ParleyError } from "../errors";
import type { AuditEntry } from "../storage/moderation-store";
import type { InviteService } from "./invite-service";
import type { MessageService } from "./message-service";
import type { ModerationService, Moderator } from "./moderation-service";

/** Who runs a command, where. */
export interface CommandCaller extends Moderator {
  nonce?: string;
}

interface CommandSpec extends CommandInfo {
  run(caller: CommandCaller, args: string[], rest: string): Promise<CommandReply>;
}

/** The message id a command names as its first argument. */
function messageId(spec: CommandInfo, args: string[]): number {
  const arg = args[0];
  if (!arg || !/^[1-9]\d{0,15}$/.test(arg)) throw usageError(spec, "Give the message's id");
  return Number(arg);
}

/** Longest slow-mode interval: 6 hours. */
const SLOW_MAX_S = 6 * 3600;

function usageError(spec: CommandInfo, message: string): ParleyError {
  return new ParleyError("BAD_COMMAND", message, { usage: spec.u });
}

/**
 * Text from a command's arguments checked by the schema of the field it stands for (a `/me`
 * action is message content, a reason follows the topic rules), so a command cannot store what
 * the op itself would refuse. Refuses with the command's usage and the rule that failed.
 */
function checked(spec: CommandInfo, schema: z.ZodType<string>, what: string, value: string) {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw usageError(spec, `${what}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** An optional reason (the rest of the words): one line of at most 250 characters, or null. */
function reasonOf(spec: CommandInfo, words: string[]): string | null {
  const reason = words.join(" ").trim();
  return reason ? checked(spec, topicSchema, "reason", reason) : null;
}

/** Splits `[duration] [reason…]`: a first word that parses as a duration is the duration. */
function durationAndReason(
  spec: CommandInfo,
  words: string[],
): { until: number | null; reason: string | null } {
  const [first, ...others] = words;
  const ms = first === undefined ? undefined : parseDuration(first);
  if (first !== undefined && ms === undefined && /^\d+[a-z]*$/i.test(first)) {
    throw usageError(spec, `"${first}" is not a duration: use 30s, 10m, 2h or 7d`);
  }
  if (ms !== undefined && (ms <= 0 || ms > MAX_DURATION_MS)) {
    throw usageError(spec, "A duration is between 1s and 28d");
  }
  const reason = reasonOf(spec, ms === undefined ? words : others);
  return { until: ms === undefined ? null : Date.now() + ms, reason };
}

/**
 * `/modlog` text in UTC, marked so: the server does not know the reader's zone. Clients render
 * `log` in their own (the web client does).
 */
const UTC_FORMAT = {
  time: (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`,
  duration: formatDuration,
};

function auditLine(e: AuditEntry): AuditLine {
  return {
    ts: e.at,
    ac: e.action,
    a: e.actor.id,
    an: e.actor.name,
    ...(e.target ? { u: e.target.id, un: e.target.name } : {}),
    ...(e.reason ? { rs: e.reason } : {}),
    ...(e.until ? { ut: e.until } : {}),
  };
}

/** A whole number from 0 to `max` (`off` is 0), as a command argument; undefined otherwise. */
function countOrOff(arg: string | undefined, max: number): number | undefined {
  const text = arg?.toLowerCase();
  if (text === "off") return 0;
  if (!text || !/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/** Slash commands, parsed and executed on the server so that every client has them. */
export class CommandService {
  private readonly specs: CommandSpec[];

  constructor(messages: MessageService, moderation: ModerationService, invites: InviteService) {
    /** The user a command names, without the `@` it may be typed with. */
    const target = (spec: CommandInfo, args: string[]): string => {
      const name = args[0]?.replace(/^@/, "");
      if (!name) throw usageError(spec, "Name a user");
      return name;
    };
    this.specs = [
      {
        n: "help",
        u: "/help",
        d: "List the commands you may use",
        rl: 0,
        run: async (caller) => ({
          x: this.available(caller)
            .map((c) => `${c.u} — ${c.d}`)
            .join("\n"),
        }),
      },
      {
        n: "me",
        u: "/me <action>",
        d: "Post an action message",
        rl: 0,
        run: async (caller, _args, rest) => {
          const spec = this.spec("me");
          if (!rest.trim()) throw usageError(spec, "Say what you are doing");
          const text = checked(spec, contentSchema, "action", rest);
          const ev = await messages.send(
            caller.actor,
            caller.channelId,
            caller.nonce ?? `cmd-${randomUUID()}`,
            text,
            MessageKind.Action,
            rankOf(caller.role, caller.actor) >= Role.Moderator,
          );
          return { m: { s: ev.s, i: ev.i, ts: ev.ts } };
        },
      },
      this.pinCommand(messages, true),
      this.pinCommand(messages, false),
      {
        n: "kick",
        u: "/kick @user [reason]",
        d: "Remove a user from the channel; they may rejoin",
        rl: Role.Moderator,
        run: async (caller, args) => {
          const spec = this.spec("kick");
          const name = target(spec, args);
          await moderation.kick(caller, name, reasonOf(spec, args.slice(1)));
          return { x: `Kicked ${name}` };
        },
      },
      {
        n: "mute",
        u: "/mute @user [duration] [reason]",
        d: "Stop a user from sending, reacting and typing here (duration like 30s, 10m, 2h, 7d; none = indefinite)",
        rl: Role.Moderator,
        run: async (caller, args) => {
          const spec = this.spec("mute");
          const name = target(spec, args);
          const { until, reason } = durationAndReason(spec, args.slice(1));
          await moderation.mute(caller, name, until, reason);
          return {
            x: `Muted ${name}${until ? ` for ${formatDuration(until - Date.now())}` : ""}`,
          };
        },
      },
      {
        n: "unmute",
        u: "/unmute @user",
        d: "Lift a mute",
        rl: Role.Moderator,
        run: async (caller, args) => {
          const name = target(this.spec("unmute"), args);
          await moderation.unmute(caller, name);
          return { x: `Unmuted ${name}` };
        },
      },
      {
        n: "ban",
        u: "/ban @user [duration] [reason]",
        d: "Remove a user and refuse their return until the ban ends (none = indefinite)",
        rl: Role.Moderator,
        run: async (caller, args) => {
          const spec = this.spec("ban");
          const name = target(spec, args);
          const { until, reason } = durationAndReason(spec, args.slice(1));
          await moderation.ban(caller, name, until, reason);
          return {
            x: `Banned ${name}${until ? ` for ${formatDuration(until - Date.now())}` : ""}`,
          };
        },
      },
      {
        n: "unban",
        u: "/unban @user",
        d: "Lift a ban",
        rl: Role.Moderator,
        run: async (caller, args) => {
          const name = target(this.spec("unban"), args);
          await moderation.unban(caller, name);
          return { x: `Unbanned ${name}` };
        },
      },
      {
        n: "mod",
        u: "/mod @user",
        d: "Make a member a moderator",
        rl: Role.Owner,
        run: async (caller, args) => {
          const name = target(this.spec("mod"), args);
          await moderation.setModerator(caller, name, true);
          return { x: `${name} is now a moderator` };
        },
      },
      {
        n: "unmod",
        u: "/unmod @user",
        d: "Make a moderator a member again",
        rl: Role.Owner,
        run: async (caller, args) => {
          const name = target(this.spec("unmod"), args);
          await moderation.setModerator(caller, name, false);
          return { x: `${name} is no longer a moderator` };
        },
      },
      {
        n: "invite",
        u: "/invite @user",
        d: "Add a user to the channel (in a private one: moderators and owners)",
        rl: Role.Member,
        run: async (caller, args) => {
          const name = target(this.spec("invite"), args);
          await invites.inviteUser(caller, name);
          return { x: `Invited ${name}` };
        },
      },
      this.visibilityCommand(moderation, true),
      this.visibilityCommand(moderation, false),
      {
        n: "topic",
        u: "/topic <text>",
        d: "Set the channel's topic",
        rl: Role.Moderator,
        run: async (caller, _args, rest) => {
          const spec = this.spec("topic");
          if (!rest.trim()) throw usageError(spec, "Give the new topic");
          await moderation.setTopic(caller, checked(spec, topicSchema, "topic", rest));
          return { x: "Topic set" };
        },
      },
      {
        n: "slow",
        u: "/slow <seconds|off>",
        d: "Let members send one message per N seconds (moderators are exempt)",
        rl: Role.Moderator,
        run: async (caller, args) => {
          const spec = this.spec("slow");
          const seconds = countOrOff(args[0], SLOW_MAX_S);
          if (seconds === undefined)
            throw usageError(spec, `Give a number of seconds from 0 to ${SLOW_MAX_S}, or off`);
          await moderation.setSlowMode(caller, seconds);
          return { x: seconds === 0 ? "Slow mode off" : `Slow mode: one message per ${seconds} s` };
        },
      },
      {
        n: "automod",
        u: "/automod <block|hold|unblock> <word or phrase> | /automod list",
        d: "Block words in this channel, or hold messages with them for review (matched through look-alikes and spacing; moderators are exempt)",
        rl: Role.Moderator,
        run: async (caller, args, rest) => {
          const spec = this.spec("automod");
          const [verb] = args;
          if (verb === "list") {
            const { blocked, held } = await moderation.channelWords(caller);
            if (blocked.length === 0 && held.length === 0)
              return { x: "This channel blocks and holds no words of its own" };
            const lines = [];
            if (blocked.length > 0) lines.push(`Blocked here: ${blocked.join(", ")}`);
            if (held.length > 0) lines.push(`Held for review here: ${held.join(", ")}`);
            return { x: lines.join("\n") };
          }
          if (verb !== "block" && verb !== "hold" && verb !== "unblock")
            throw usageError(spec, "Say block, hold, unblock or list");
          const entry = blockedWordSchema.safeParse(rest.trim().slice(verb.length).trim());
          if (!entry.success)
            throw usageError(
              spec,
              "Give a word or phrase of letters and digits, * at the end for a prefix",
            );
          const word = entry.data;
          const { changed } = await moderation.changeChannelWords(
            caller,
            verb === "unblock" ? { remove: word } : { add: word, hold: verb === "hold" },
          );
          if (verb === "unblock")
            return {
              x: changed ? `Unblocked "${word}" in this channel` : `"${word}" was not listed here`,
            };
          if (verb === "hold")
            return {
              x: changed
                ? `Messages with "${word}" are held for review in this channel`
                : `"${word}" was held for review here already`,
            };
          return {
            x: changed ? `Blocked "${word}" in this channel` : `"${word}" was blocked here already`,
          };
        },
      },
      {
        n: "retention",
        u: "/retention <days|off>",
        d: "Delete this channel's messages once they are older than N days (the server's rule still applies)",
        rl: Role.Owner,
        run: async (caller, args) => {
          const spec = this.spec("retention");
          const days = countOrOff(args[0], RETENTION_DAYS_MAX);
          if (days === undefined)
            throw usageError(spec, `Give a number of days from 1 to ${RETENTION_DAYS_MAX}, or off`);
          await moderation.setRetention(caller, days);
          return {
            x:
              days === 0
                ? "This channel has no retention of its own"
                : `Messages here are deleted once ${days} ${days === 1 ? "day" : "days"} old`,
          };
        },
      },
      {
        n: "serverban",
        u: "/serverban @user [reason]",
        d: "Ban an account from the whole server and sign it out everywhere",
        rl: ADMIN_RANK,
        run: async (caller, args) => {
          const spec = this.spec("serverban");
          const name = target(spec, args);
          await moderation.serverBan(caller, name, true, reasonOf(spec, args.slice(1)));
          return { x: `${name} is banned from the server` };
        },
      },
      {
        n: "serverunban",
        u: "/serverunban @user",
        d: "Lift a server-wide ban",
        rl: ADMIN_RANK,
        run: async (caller, args) => {
          const name = target(this.spec("serverunban"), args);
          await moderation.serverBan(caller, name, false, null);
          return { x: `${name} may sign in again` };
        },
      },
      {
        n: "modlog",
        u: "/modlog [n]",
        d: "Show the channel's most recent moderation actions",
        rl: Role.Moderator,
        run: async (caller, args) => {
          const n =
            args[0] === undefined ? 20 : /^\d{1,3}$/.test(args[0]) ? Number(args[0]) : Number.NaN;
          if (!Number.isInteger(n) || n < 1 || n > 100)
            throw usageError(this.spec("modlog"), "n is from 1 to 100");
          const entries = (await moderation.auditLog(caller, n)).map(auditLine);
          const text = entries
            .map((e) => `${UTC_FORMAT.time(e.ts)}  ${auditText(e, UTC_FORMAT)}`)
            .join("\n");
          return { x: text || "No moderation actions yet", log: entries };
        },
      },
    ];
  }

  /** `/pin <message id>` (`on`) and `/unpin <message id>`, one spec each. */
  private pinCommand(messages: MessageService, on: boolean): CommandSpec {
    const n = on ? "pin" : "unpin";
    return {
      n,
      u: `/${n} <message id>`,
      d: on ? "Pin a message to the channel" : "Unpin a message",
      rl: Role.Moderator,
      run: async (caller, args) => {
        const id = messageId(this.spec(n), args);
        await messages.pin(caller.actor, caller.channelId, id, on);
        return { x: on ? "Message pinned" : "Message unpinned" };
      },
    };
  }

  /** `/private` and `/public`, one spec each: the owner changes the channel's visibility. */
  private visibilityCommand(moderation: ModerationService, isPrivate: boolean): CommandSpec {
    const n = isPrivate ? "private" : "public";
    return {
      n,
      u: `/${n}`,
      d: isPrivate
        ? "Make the channel private: listed to members only, joined by invitation"
        : "Make the channel public: listed in the directory, open to join",
      rl: Role.Owner,
      run: async (caller) => {
        const changed = await moderation.setVisibility(caller, isPrivate);
        return { x: changed ? `The channel is now ${n}` : `The channel is already ${n}` };
      },
    };
  }

  /**
   * The commands a user may use in some channel, for the welcome reply: those of the highest
   * rank it can hold, an owner's (of a channel it creates), or an admin's everywhere. A guest
   * gets only the ones anyone may use; nobody but an admin gets the server-wide ones.
   */
  list(user: { isGuest: boolean; isAdmin: boolean }): CommandInfo[] {
    return this.usable(rankOf(Role.Owner, user), user.isGuest).map(({ n, u, d, rl }) => ({
      n,
      u,
      d,
      rl,
    }));
  }

  /** The commands a caller may use where it is: moderation needs an account and the rank. */
  available(caller: CommandCaller): CommandInfo[] {
    return this.usable(rankOf(caller.role, caller.actor), caller.actor.isGuest);
  }

  private usable(rank: number, isGuest: boolean): CommandSpec[] {
    return this.specs.filter((c) => c.rl === 0 || (!isGuest && c.rl <= rank));
  }

  async execute(caller: CommandCaller, text: string): Promise<CommandReply> {
    const match = /^\/(\S+)\s*([\s\S]*)$/.exec(text.trim());
    if (!match) throw new ParleyError("BAD_COMMAND", "A command starts with /", { usage: "/help" });
    const spec = this.specs.find((s) => s.n === match[1]!.toLowerCase());
    if (!spec)
      throw new ParleyError("UNKNOWN_COMMAND", `Unknown command /${match[1]}; try /help`, {
        usage: "/help",
      });
    if (spec.rl > 0 && !this.available(caller).includes(spec)) {
      // No usage line: FORBIDDEN never carries one, as retyping the command cannot help.
      throw new ParleyError("FORBIDDEN", `/${spec.n} needs a higher role here`);
    }
    const rest = match[2] ?? "";
    return spec.run(caller, rest.split(/\s+/).filter(Boolean), rest);
  }

  private spec(name: string): CommandSpec {
    return this.specs.find((s) => s.n === name)!;
  }
}
