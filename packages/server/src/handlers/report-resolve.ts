import { Op, REQUEST_SCHEMAS, type ReportResolveReply } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** Resolves or dismisses an open report (the channel's moderators and owner, admins). */
export const reportResolve = route<typeof Op.ReportResolve>({
  schema: REQUEST_SCHEMAS[Op.ReportResolve],
  guards: [authenticated, rateLimit("command")],
  async handle({ conn, data, services }): Promise<ReportResolveReply> {
    const { report, changed } = await services.reports.close(conn.actor, data.id, data.st);
    return { rp: report, ch: changed };
  },
});
