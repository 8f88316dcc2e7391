import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Leaves a channel; every connection of the user is detached from it. */
export const channelLeave = route<typeof Op.ChannelLeave>({
  schema: REQUEST_SCHEMAS[Op.ChannelLeave],
  guards: [authenticated, member, rateLimit("read")],
  async handle({ conn, data, services }): Promise<EmptyPayload> {
    await services.channels.leave(conn.actor, data.c);
    return {};
  },
});
