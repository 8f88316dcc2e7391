import { type MessageVersionsReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** The versions of a message, oldest first: for its author and the channel's moderators. */
export const messageVersions = route<typeof Op.MessageVersions>({
  schema: REQUEST_SCHEMAS[Op.MessageVersions],
  guards: [authenticated, member, rateLimit("read")],
  handle({ conn, data, services }): Promise<MessageVersionsReply> {
    return services.messages.versions(conn.actor, data.c, data.m);
  },
});
