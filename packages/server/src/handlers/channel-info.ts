import { type ChannelInfoReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, channelExists, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** A channel's summary; members see the member list too. */
export const channelInfo = route<typeof Op.ChannelInfo>({
  schema: REQUEST_SCHEMAS[Op.ChannelInfo],
  guards: [authenticated, rateLimit("read"), channelExists],
  async handle({ conn, data, services }): Promise<ChannelInfoReply> {
    const ch = await services.channels.summary(data.c, conn.user!.id);
    if (!conn.channels.has(data.c)) return { ch };
    const { members, more } = await services.channels.members(data.c);
    return { ch, m: members, ...(more ? { mm: true as const } : {}) };
  },
});
