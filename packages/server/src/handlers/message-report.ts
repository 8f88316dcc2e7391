import { type MessageReportReply, Op, REQUEST_SCHEMAS } from "@parley/protocol";
import { authenticated, member, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Reports a message to the channel's moderators and the server's admins (any member). */
export const messageReport = route<typeof Op.MessageReport>({
  schema: REQUEST_SCHEMAS[Op.MessageReport],
  guards: [authenticated, member, rateLimit("report")],
  async handle({ conn, data, services }): Promise<MessageReportReply> {
    return { id: await services.reports.file(conn.actor, data.c, data.m, data.rs ?? "") };
  },
});
