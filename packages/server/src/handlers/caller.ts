import { ParleyError } from "../errors";
import type { RequestContext } from "../router/route";
import type { Moderator } from "../services/moderation-service";

/**
 * The caller in channel `channelId`, with its role as storage has it: a kick, ban or demotion
 * on another node counts at once, before this node's view of the channel catches up. A
 * non-member (not an admin) is refused with NOT_A_MEMBER.
 */
export async function callerIn(ctx: RequestContext, channelId: number): Promise<Moderator> {
  const { conn, services } = ctx;
  const role = await services.channels.role(channelId, conn.user!.id);
  if (role === undefined && !conn.isAdmin) throw new ParleyError("NOT_A_MEMBER");
  return { actor: conn.actor, channelId, role };
}
