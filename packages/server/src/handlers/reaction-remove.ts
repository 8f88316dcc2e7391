import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Removes your reaction; removing one you do not have is NO_SUCH_REACTION. */
export const reactionRemove = route<typeof Op.ReactionRemove>({
  schema: REQUEST_SCHEMAS[Op.ReactionRemove],
  guards: [authenticated, member, rateLimit("reaction")],
  async handle({ conn, data, services }): Promise<EmptyPayload> {
    await services.messages.unreact(conn.actor, data.c, data.m, data.e);
    return {};
  },
});
