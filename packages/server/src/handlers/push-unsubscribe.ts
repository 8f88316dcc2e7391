import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** PushUnsubscribe: removes one of the caller's Web Push subscriptions by its endpoint. */
export const pushUnsubscribe = route<typeof Op.PushUnsubscribe>({
  schema: REQUEST_SCHEMAS[Op.PushUnsubscribe],
  guards: [authenticated, rateLimit("read")],
  async handle({ conn, data, services }): Promise<EmptyPayload> {
    await services.push.unsubscribe(conn.user!.id, data.ep);
    return {};
  },
});
