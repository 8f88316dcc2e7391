import { type ChannelListReply, LIMITS, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Lists channels by id, optionally filtered by a name substring, with member and online counts. */
export const channelList = route<typeof Op.ChannelList>({
  schema: REQUEST_SCHEMAS[Op.ChannelList],
  guards: [authenticated, rateLimit("read")],
  async handle({ conn, data, services }): Promise<ChannelListReply> {
    const limit = data.l ?? LIMITS.channelListMax;
    const ch = await services.channels.list(conn.user!.id, {
      ...(data.q ? { search: data.q } : {}),
      ...(data.af !== undefined ? { afterId: data.af } : {}),
      limit,
    });
    return { ch };
  },
});
