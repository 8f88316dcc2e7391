import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";

/**
 * PushSubscribe: stores this device's Web Push subscription for the caller's account
 * (idempotent; an endpoint moves to the latest user who subscribes it). Guests: FORBIDDEN.
 */
export const pushSubscribe = route<typeof Op.PushSubscribe>({
  schema: REQUEST_SCHEMAS[Op.PushSubscribe],
  guards: [authenticated, rateLimit("read")],
  async handle({ conn, data, services }): Promise<EmptyPayload> {
    await services.push.subscribe(conn.actor, data);
    return {};
  },
});
