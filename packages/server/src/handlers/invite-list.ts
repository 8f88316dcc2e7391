import { type InviteListReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { callerIn } from "./caller";

/** The channel's live invite links the caller may see. */
export const inviteList = route<typeof Op.InviteList>({
  schema: REQUEST_SCHEMAS[Op.InviteList],
  guards: [authenticated, member, rateLimit("read")],
  async handle(ctx): Promise<InviteListReply> {
    return { iv: await ctx.services.invites.list(await callerIn(ctx, ctx.data.c)) };
  },
});
