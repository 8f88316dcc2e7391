import { type MemberListReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { ParleyError } from "../errors";
import { authenticated, channelExists, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** A page of a channel's members (its members only), in name order or by name prefix. */
export const memberList = route<typeof Op.MemberList>({
  schema: REQUEST_SCHEMAS[Op.MemberList],
  guards: [authenticated, rateLimit("read"), channelExists],
  async handle({ conn, data, services }): Promise<MemberListReply> {
    if ((await services.channels.role(data.c, conn.user!.id)) === undefined)
      throw new ParleyError("NOT_A_MEMBER");
    const { members, more } = await services.channels.members(data.c, {
      ...(data.a !== undefined ? { after: data.a } : {}),
      ...(data.q !== undefined ? { prefix: data.q } : {}),
      ...(data.l !== undefined ? { limit: data.l } : {}),
    });
    return { m: members, ...(more ? { mm: true as const } : {}) };
  },
});
