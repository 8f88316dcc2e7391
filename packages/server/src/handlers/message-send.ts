import { type MessageAck, MessageKind, Op, REQUEST_SCHEMAS, Role, rankOf } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/**
 * Sends a message; the ack (seq, id, time) follows the commit. A repeated nonce returns the
 * original. Mutes and slow mode are enforced by the storage inside the write (MUTED,
 * SLOW_MODE); moderators are exempt from slow mode. `rp` makes it a reply to a live message of
 * the same channel (NO_SUCH_MESSAGE otherwise, read inside the write). The ack carries the
 * mentions as resolved at the commit. `f` attaches the sender's own unattached uploads, in the
 * same write (NO_SUCH_FILE, FILE_ATTACHED); then `x` may be "".
 */
export const messageSend = route<typeof Op.MessageSend>({
  schema: REQUEST_SCHEMAS[Op.MessageSend],
  guards: [authenticated, member, rateLimit("send")],
  async handle({ conn, data, services }): Promise<MessageAck> {
    const exempt = rankOf(conn.channels.get(data.c), conn.actor) >= Role.Moderator;
    const event = await services.messages.send(
      conn.actor,
      data.c,
      data.n,
      data.x,
      MessageKind.Text,
      exempt,
      data.rp,
      data.f,
    );
    const ack: MessageAck = { s: event.s, i: event.i, ts: event.ts };
    if (event.mn) ack.mn = event.mn;
    if (event.mg) ack.mg = event.mg;
    return ack;
  },
});
