import { type CommandReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, memberOrAdmin, rateLimit } from "../router/guards";
import { route } from "../router/route";
import { callerIn } from "./caller";

/** A slash command, as typed; parsed, checked and executed on the server. */
export const command = route<typeof Op.Command>({
  schema: REQUEST_SCHEMAS[Op.Command],
  guards: [authenticated, memberOrAdmin, rateLimit("command")],
  async handle(ctx): Promise<CommandReply> {
    const { data, services } = ctx;
    const caller = await callerIn(ctx, data.c);
    return services.commands.execute({ ...caller, ...(data.n ? { nonce: data.n } : {}) }, data.x);
  },
});
