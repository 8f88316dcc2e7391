import {
  type ChannelSummary,
  type JoinReply,
  LIMITS,
  type Member,
  Op,
  REQUEST_SCHEMAS,
  Role,
} from "@parley/protocol";
import { authenticated, channelExists, rateLimit } from "../router/guards";
import { type RequestContext, route } from "../router/route";

/**
 * Attaches this connection to a channel the user is a member of and returns its snapshot:
 * subscribe first (hub.attach), then read the latest page and last seq in one view, reply,
 * then deliver what arrived in between. A connection that already receives the channel has its
 * live events held the same way (hub.hold), so no event newer than the snapshot precedes the
 * reply on any path. Shared by join and create, which pass the role and summary they already
 * know.
 */
export async function attachWithSnapshot(
  ctx: RequestContext,
  channelId: number,
  limit: number,
  known: { role?: Role; summary?: ChannelSummary; since?: number } = {},
): Promise<JoinReply> {
  const { conn, services } = ctx;
  const userId = conn.user!.id;
  const role = known.role ?? (await services.channels.role(channelId, userId)) ?? Role.Member;
  conn.channels.set(channelId, role, known.since);
  await services.hub.attach(conn, channelId);
  const heldAt = services.hub.hold(conn, channelId);
  let snapshot: Awaited<ReturnType<typeof services.storage.snapshot>>;
  let ch: ChannelSummary;
  let m: Member[];
  try {
    snapshot = await services.storage.snapshot(channelId, Math.max(limit, 1));
    [ch, m] = await Promise.all([
      known.summary ?? services.channels.summary(channelId, userId),
      services.channels.members(channelId),
    ]);
  } catch (err) {
    // The held events go out after all: the connection keeps the stream it had.
    if (heldAt !== undefined) services.hub.ready(conn, channelId, heldAt);
    throw err;
  }
  const { page, lastSeq } = snapshot;
  ctx.after.push(() => services.hub.ready(conn, channelId, lastSeq));
  return {
    ch: { ...ch, ls: lastSeq },
    m,
    h: limit === 0 ? { e: [], mb: page.e.length > 0, ma: false } : page,
  };
}

/** Joins a channel (joining one you are in just returns its snapshot). */
export const channelJoin = route<typeof Op.ChannelJoin>({
  schema: REQUEST_SCHEMAS[Op.ChannelJoin],
  guards: [authenticated, rateLimit("join"), channelExists],
  async handle(ctx) {
    const { conn, data, services } = ctx;
    conn.joining.add(data.c);
    try {
      const joined = await services.channels.join(conn.actor, data.c);
      return await attachWithSnapshot(ctx, data.c, data.l ?? LIMITS.historyDefault, joined);
    } finally {
      conn.joining.delete(data.c);
    }
  },
});
