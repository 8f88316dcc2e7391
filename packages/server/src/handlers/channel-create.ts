import { LIMITS, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated } from "../router/guards";
import { route } from "../router/route";
import { attachWithSnapshot } from "./channel-join";

/** Creates a channel; the creator becomes its owner and gets the join snapshot. */
export const channelCreate = route<typeof Op.ChannelCreate>({
  schema: REQUEST_SCHEMAS[Op.ChannelCreate],
  guards: [authenticated],
  async handle(ctx) {
    const { conn, data, services } = ctx;
    const ch = await services.channels.create(conn.actor, data.n, data.tp ?? "");
    return attachWithSnapshot(ctx, ch.i, LIMITS.historyDefault);
  },
});
