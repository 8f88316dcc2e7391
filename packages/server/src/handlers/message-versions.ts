import { type MessageVersionsReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { actorIn } from "./caller";

/** The versions of a message, oldest first: for its author and the channel's moderators. */
export const messageVersions = route<typeof Op.MessageVersions>({
  schema: REQUEST_SCHEMAS[Op.MessageVersions],
  guards: [authenticated, member, rateLimit("read")],
  async handle(ctx): Promise<MessageVersionsReply> {
    const { data, services } = ctx;
    return services.messages.versions(await actorIn(ctx, data.c), data.c, data.m);
  },
});
