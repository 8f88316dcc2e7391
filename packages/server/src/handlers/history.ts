import { type HistoryPage, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** A page of history: latest, or before / after / around a seq. */
export const history = route<typeof Op.History>({
  schema: REQUEST_SCHEMAS[Op.History],
  guards: [authenticated, member, rateLimit("read")],
  handle: ({ conn, data, services }): Promise<HistoryPage> =>
    services.messages.history(conn.user!.id, data.c, {
      ...(data.b !== undefined ? { before: data.b } : {}),
      ...(data.a !== undefined ? { after: data.a } : {}),
      ...(data.ar !== undefined ? { around: data.ar } : {}),
      ...(data.l !== undefined ? { limit: data.l } : {}),
    }),
});
