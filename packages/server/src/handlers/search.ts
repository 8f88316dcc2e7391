import { Op, REQUEST_SCHEMAS, type SearchReply } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Searches the messages of the caller's channels, newest first, a page at a time. */
export const search = route<typeof Op.Search>({
  schema: REQUEST_SCHEMAS[Op.Search],
  guards: [authenticated, rateLimit("search")],
  async handle({ conn, data, services }): Promise<SearchReply> {
    return services.search.search(conn.user!.id, data.q, { cursor: data.b, limit: data.n });
  },
});
