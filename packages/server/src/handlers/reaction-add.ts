import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Adds your reaction to a message (adding one you have is a no-op). */
export const reactionAdd = route<typeof Op.ReactionAdd>({
  schema: REQUEST_SCHEMAS[Op.ReactionAdd],
  guards: [authenticated, member, rateLimit("reaction")],
  async handle({ conn, data, services }): Promise<EmptyPayload> {
    await services.messages.react(conn.actor, data.c, data.m, data.e);
    return {};
  },
});
