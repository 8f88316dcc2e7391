import { type DeleteAck, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Deletes a message: your own, or, as a moderator, anyone's (audited, with a reason). */
export const messageDelete = route<typeof Op.MessageDelete>({
  schema: REQUEST_SCHEMAS[Op.MessageDelete],
  guards: [authenticated, member, rateLimit("send")],
  handle({ conn, data, services }): Promise<DeleteAck> {
    return services.messages.delete(conn.actor, data.c, data.m, data.n, data.rs);
  },
});
