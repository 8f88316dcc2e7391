import { Op, type PingReply, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Ping: an application-level liveness check for clients that cannot send WebSocket pings. */
export const ping = route<typeof Op.Ping>({
  schema: REQUEST_SCHEMAS[Op.Ping],
  guards: [authenticated, rateLimit("read")],
  handle: (): PingReply => ({ t: Date.now() }),
});
