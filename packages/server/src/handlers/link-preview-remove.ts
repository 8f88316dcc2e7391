import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, memberOrAdmin, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { actorIn } from "./caller";

/** Removes a link preview from a message (its author, or a moderator). */
export const linkPreviewRemove = route<typeof Op.LinkPreviewRemove>({
  schema: REQUEST_SCHEMAS[Op.LinkPreviewRemove],
  guards: [authenticated, memberOrAdmin, rateLimit("command")],
  async handle(ctx): Promise<EmptyPayload> {
    const { data, services } = ctx;
    await services.messages.removeLinkPreview(await actorIn(ctx, data.c), data.c, data.m, data.u);
    return {};
  },
});
