import { MessageKind, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member } from "../router/guards";
import { route } from "../router/route";

/** Sends a message; the ack (seq, id, time) follows the commit. A repeated nonce returns the original. */
export const messageSend = route<typeof Op.MessageSend>({
  schema: REQUEST_SCHEMAS[Op.MessageSend],
  guards: [authenticated, member],
  async handle({ conn, data, services }) {
    const event = await services.messages.send(
      conn.actor,
      data.c,
      data.n,
      data.x,
      MessageKind.Text,
    );
    return { s: event.s, i: event.i, ts: event.ts };
  },
});
