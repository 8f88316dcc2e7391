import { Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, memberOrAdmin, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** A slash command, as typed; parsed, checked and executed on the server. */
export const command = route<typeof Op.Command>({
  schema: REQUEST_SCHEMAS[Op.Command],
  guards: [authenticated, memberOrAdmin, rateLimit("command")],
  handle: ({ conn, data, services }) =>
    services.commands.execute(
      {
        actor: conn.actor,
        channelId: data.c,
        role: conn.channels.get(data.c),
        ...(data.n ? { nonce: data.n } : {}),
      },
      data.x,
    ),
});
