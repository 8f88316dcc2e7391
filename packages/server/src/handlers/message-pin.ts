import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, memberOrAdmin, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Pins a message to its channel, or unpins it (moderators, owners, admins). */
export const messagePin = route<typeof Op.MessagePin>({
  schema: REQUEST_SCHEMAS[Op.MessagePin],
  guards: [authenticated, memberOrAdmin, rateLimit("command")],
  async handle({ conn, data, services }): Promise<EmptyPayload> {
    await services.messages.pin(conn.actor, data.c, data.m, data.on);
    return {};
  },
});
