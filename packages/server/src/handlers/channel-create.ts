import { LIMITS, Op, REQUEST_SCHEMAS, Role } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { attachWithSnapshot } from "./channel-join";

/** Creates a channel; the creator becomes its owner and gets the join snapshot. */
export const channelCreate = route<typeof Op.ChannelCreate>({
  schema: REQUEST_SCHEMAS[Op.ChannelCreate],
  guards: [authenticated, rateLimit("join")],
  async handle(ctx) {
    const { conn, data, services } = ctx;
    let created: number | undefined;
    try {
      const ch = await services.channels.create(
        conn.actor,
        data.n,
        data.tp ?? "",
        (id) => {
          created = id;
          conn.joining.add(id);
        },
        data.pv ?? false,
      );
      return await attachWithSnapshot(ctx, ch.i, LIMITS.historyDefault, {
        role: Role.Owner,
        summary: ch,
      });
    } finally {
      if (created !== undefined) conn.joining.delete(created);
    }
  },
});
