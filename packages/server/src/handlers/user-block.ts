import { type EmptyPayload, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Blocks or unblocks a user; every connection of the caller gets BlockChanged. */
export const userBlock = route<typeof Op.UserBlock>({
  schema: REQUEST_SCHEMAS[Op.UserBlock],
  guards: [authenticated, rateLimit("command")],
  async handle({ conn, data, services }): Promise<EmptyPayload> {
    await services.direct.block(conn.actor, data.u, data.on);
    return {};
  },
});
