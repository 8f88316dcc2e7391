import { LIMITS, Op, REQUEST_SCHEMAS, type ReportListReply } from "@parley/protocol";
import { authenticated, rateLimit } from "../router/guards";
import { route } from "../router/route";

/** The reports the caller may handle (of channels it moderates; an admin's: all), newest first. */
export const reportList = route<typeof Op.ReportList>({
  schema: REQUEST_SCHEMAS[Op.ReportList],
  guards: [authenticated, rateLimit("read")],
  async handle({ conn, data, services }): Promise<ReportListReply> {
    const rp = await services.reports.list(conn.actor, {
      ...(data.c !== undefined ? { channelId: data.c } : {}),
      ...(data.st !== undefined ? { status: data.st } : {}),
      ...(data.b !== undefined ? { beforeId: data.b } : {}),
      limit: data.l ?? LIMITS.historyDefault,
    });
    return { rp };
  },
});
