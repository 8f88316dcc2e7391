import { Op, type PinListReply, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** The channel's pinned messages, most recently pinned first. */
export const pinList = route<typeof Op.PinList>({
  schema: REQUEST_SCHEMAS[Op.PinList],
  guards: [authenticated, member, rateLimit("read")],
  async handle({ conn, data, services }): Promise<PinListReply> {
    return { e: await services.messages.pinned(conn.user!.id, data.c) };
  },
});
