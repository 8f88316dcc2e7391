import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit, standing } from "../router/guards";
import { route } from "../router/route";

/** Typing start (`on: true`) or stop; relayed to the channel's other members, never stored. */
export const typing = route<typeof Op.Typing>({
  schema: REQUEST_SCHEMAS[Op.Typing],
  guards: [authenticated, member, rateLimit("typing"), standing],
  handle({ conn, data, services }): EmptyPayload {
    if (data.on) services.typing.start(conn.actor, data.c);
    else services.typing.stop(conn.actor, data.c);
    return {};
  },
});
