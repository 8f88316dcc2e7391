import {
  type ChannelSummary,
  type JoinReply,
  LIMITS,
  Op,
  REQUEST_SCHEMAS,
  Role,
} from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { type RequestContext, route } from "../router/route";

/**
 * Attaches this connection to a channel the user is a member of and returns its snapshot (the
 * latest page and last seq in one view, the listing, the members), through the hub's
 * subscribe-then-snapshot: no event newer than the snapshot reaches the client before the
 * reply, and none after it is missed. Shared by join, invite redemption and create, which
 * pass the role and listing they already know (a listing: the user joined just now).
 */
export async function attachWithSnapshot(
  ctx: RequestContext,
  channelId: number,
  limit: number,
  known: { role?: Role; summary?: ChannelSummary; since?: number } = {},
): Promise<JoinReply> {
  const { conn, services, hub } = ctx;
  const userId = conn.user!.id;
  // A new member with a profile: the members have its name from MemberJoined, and its profile
  // as UserUpdated (an ephemeral push, which may arrive before the event does).
  const user = conn.user!;
  if (known.summary && (user.displayName || user.statusText || user.avatar))
    await services.channels.announceUser(user, [channelId]);
  const role = known.role ?? (await services.channels.role(channelId, userId)) ?? Role.Member;
  conn.channels.set(channelId, role, known.since);
  const pageSize = Math.max(limit, 1);
  const { snapshot, ready } = await hub.attachThenRead(
    conn,
    [channelId],
    () =>
      Promise.all([
        // Every joiner of a busy channel reads the same latest page: the node's copy, when it
        // is as of this join (or of the attach, for a member coming back), else storage.
        hub.latestPage(channelId, pageSize, known.since ?? 0, () =>
          services.messages.snapshot(channelId, pageSize),
        ),
        known.summary ?? services.channels.summary(channelId, userId),
        services.channels.members(channelId),
      ]),
    ([{ lastSeq }]) => lastSeq,
  );
  const [{ page, lastSeq }, ch, { members, more }] = snapshot;
  ctx.after.push(ready);
  return {
    ch: { ...ch, ls: lastSeq },
    m: members,
    ...(more ? { mm: true as const } : {}),
    h: limit === 0 ? { e: [], mb: page.e.length > 0, ma: false } : page,
  };
}

/** Joins a channel (joining one you are in just returns its snapshot). */
export const channelJoin = route<typeof Op.ChannelJoin>({
  schema: REQUEST_SCHEMAS[Op.ChannelJoin],
  // The join's own read checks the channel (see ChannelService.join): no channelExists.
  guards: [authenticated, rateLimit("join")],
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
