import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, memberOrAdmin, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { actorIn } from "./caller";

/** Pins a message to its channel, or unpins it (moderators, owners, admins). */
export const messagePin = route<typeof Op.MessagePin>({
  schema: REQUEST_SCHEMAS[Op.MessagePin],
  guards: [authenticated, memberOrAdmin, rateLimit("command")],
  async handle(ctx): Promise<EmptyPayload> {
    const { data, services } = ctx;
    await services.messages.pin(await actorIn(ctx, data.c), data.c, data.m, data.on);
    return {};
  },
});
