import { type EditAck, Op, REQUEST_SCHEMAS, Role, rankOf } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Edits one of your messages: the full new content, against the version you saw. */
export const messageEdit = route<typeof Op.MessageEdit>({
  schema: REQUEST_SCHEMAS[Op.MessageEdit],
  guards: [authenticated, member, rateLimit("send")],
  handle({ conn, data, services }): Promise<EditAck> {
    const exempt = rankOf(conn.channels.get(data.c), conn.actor) >= Role.Moderator;
    return services.messages.edit(conn.actor, data.c, data.m, data.v, data.x, data.n, exempt);
  },
});
