import { LIMITS, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { attachWithSnapshot } from "./channel-join";

/** Opens the DM with the users named (creating it on first open) and returns its snapshot. */
export const dmOpen = route<typeof Op.DmOpen>({
  schema: REQUEST_SCHEMAS[Op.DmOpen],
  guards: [authenticated, rateLimit("join")],
  async handle(ctx) {
    const { conn, data, services } = ctx;
    let opened: number | undefined;
    try {
      const { channelId, joined } = await services.direct.open(conn.actor, data.u, (id) => {
        opened = id;
        conn.joining.add(id);
      });
      return await attachWithSnapshot(ctx, channelId, LIMITS.historyDefault, joined);
    } finally {
      if (opened !== undefined) conn.joining.delete(opened);
    }
  },
});
