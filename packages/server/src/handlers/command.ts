import { type CommandReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { ParleyError } from "../errors";
import { authenticated, memberOrAdmin, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** A slash command, as typed; parsed, checked and executed on the server. */
export const command = route<typeof Op.Command>({
  schema: REQUEST_SCHEMAS[Op.Command],
  guards: [authenticated, memberOrAdmin, rateLimit("command")],
  async handle({ conn, data, services }): Promise<CommandReply> {
    // The caller's role as storage has it: a kick, ban or demotion on another node counts at
    // once, before this node's view of the channel catches up.
    const role = await services.channels.role(data.c, conn.user!.id);
    if (role === undefined && !conn.isAdmin) throw new ParleyError("NOT_A_MEMBER");
    return services.commands.execute(
      {
        actor: conn.actor,
        channelId: data.c,
        role,
        ...(data.n ? { nonce: data.n } : {}),
      },
      data.x,
    );
  },
});
