import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { callerIn } from "./caller";

/** Revokes an invite link. */
export const inviteRevoke = route<typeof Op.InviteRevoke>({
  schema: REQUEST_SCHEMAS[Op.InviteRevoke],
  guards: [authenticated, member, rateLimit("command")],
  async handle(ctx): Promise<EmptyPayload> {
    await ctx.services.invites.revoke(await callerIn(ctx, ctx.data.c), ctx.data.i);
    return {};
  },
});
