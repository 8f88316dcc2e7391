import { type InviteCreateReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { callerIn } from "./caller";

/** Creates an invite link; the reply carries its code, this once. */
export const inviteCreate = route<typeof Op.InviteCreate>({
  schema: REQUEST_SCHEMAS[Op.InviteCreate],
  guards: [authenticated, member, rateLimit("command")],
  async handle(ctx): Promise<InviteCreateReply> {
    const { data, services } = ctx;
    return services.invites.create(await callerIn(ctx, data.c), data.ex, data.mu);
  },
});
