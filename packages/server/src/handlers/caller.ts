import { ParleyError } from "../errors";
import type { RequestContext } from "../router/route";
import type { Moderator } from "../services/moderation-service";

/**
 * The connection's actor for an act in channel `channelId`. In a direct message no one
 * moderates, admins included: there an admin acts as a member (an extra read for admins only).
 */
export async function actorIn(ctx: RequestContext, channelId: number): Promise<Moderator["actor"]> {
  const { conn, services } = ctx;
  if (!conn.isAdmin) return conn.actor;
  const channel = await services.channels.require(channelId, { id: conn.user!.id, isAdmin: true });
  return channel.isDirect ? { ...conn.actor, isAdmin: false } : conn.actor;
}

/**
 * The caller in channel `channelId`, with its role as storage has it: a kick, ban or demotion
 * on another node counts at once, before this node's view of the channel catches up. A
 * non-member (not an admin) is refused with NOT_A_MEMBER; in a DM an admin is a member (see
 * {@link actorIn}), so every moderator action there is FORBIDDEN.
 */
export async function callerIn(ctx: RequestContext, channelId: number): Promise<Moderator> {
  const { conn, services } = ctx;
  const [role, actor] = await Promise.all([
    services.channels.role(channelId, conn.user!.id),
    actorIn(ctx, channelId),
  ]);
  if (role === undefined && !conn.isAdmin) throw new ParleyError("NOT_A_MEMBER");
  return { actor, channelId, role };
}
