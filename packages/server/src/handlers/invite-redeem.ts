import { type JoinReply, LIMITS, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { attachWithSnapshot } from "./channel-join";

/**
 * Joins the channel of an invite link and returns its snapshot, as ChannelJoin does. Takes a
 * token of the `join` bucket: a code has 128 random bits, so the bucket only has to keep
 * redemptions as cheap as joins.
 */
export const inviteRedeem = route<typeof Op.InviteRedeem>({
  schema: REQUEST_SCHEMAS[Op.InviteRedeem],
  guards: [authenticated, rateLimit("join")],
  async handle(ctx): Promise<JoinReply> {
    const { conn, data, services } = ctx;
    let channelId: number | undefined;
    try {
      const joined = await services.invites.redeem(conn.actor, data.code, (id) => {
        channelId = id;
        conn.joining.add(id);
      });
      return await attachWithSnapshot(
        ctx,
        joined.channelId,
        data.l ?? LIMITS.historyDefault,
        joined,
      );
    } finally {
      if (channelId !== undefined) conn.joining.delete(channelId);
    }
  },
});
