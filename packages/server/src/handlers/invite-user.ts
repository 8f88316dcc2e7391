import { type InviteUserReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { callerIn } from "./caller";

/** Adds a user to the channel directly (as `/invite @user`). */
export const inviteUser = route<typeof Op.InviteUser>({
  schema: REQUEST_SCHEMAS[Op.InviteUser],
  guards: [authenticated, member, rateLimit("command")],
  async handle(ctx): Promise<InviteUserReply> {
    return ctx.services.invites.inviteUser(await callerIn(ctx, ctx.data.c), ctx.data.u);
  },
});
