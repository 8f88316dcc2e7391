import { type DeleteAck, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { actorIn } from "./caller";

/** Deletes a message: your own, or, as a moderator, anyone's (audited, with a reason). */
export const messageDelete = route<typeof Op.MessageDelete>({
  schema: REQUEST_SCHEMAS[Op.MessageDelete],
  guards: [authenticated, member, rateLimit("send")],
  async handle(ctx): Promise<DeleteAck> {
    const { data, services } = ctx;
    return services.messages.delete(await actorIn(ctx, data.c), data.c, data.m, data.n, data.rs);
  },
});
