import { Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/**
 * MarkRead: moves the caller's read marker of a channel forward, checked against the stored
 * membership in the write; every connection of the user gets the new state (ReadState push).
 */
export const markRead = route<typeof Op.MarkRead>({
  schema: REQUEST_SCHEMAS[Op.MarkRead],
  guards: [authenticated, member, rateLimit("read")],
  handle({ conn, data, services }) {
    return services.memberState.markRead(conn.user!.id, data.c, data.s);
  },
});
