import { type MessageEvent, may, type Report, type ReportStatus, rankOf } from "@parley/protocol";
import type { MessageBroker } from "../broker/message-broker";
import { ParleyError } from "../errors";
import type { AccountStore } from "../storage/account-store";
import type { ReportClosing, ReportStore } from "../storage/report-store";
import type { Actor } from "../storage/storage";
import type { HeldSend } from "./message-service";

/** Who asks: the user, and whether it is a guest or a server admin. */
export type ReportUser = Actor & { isGuest: boolean; isAdmin: boolean };

/**
 * Reports of messages: any member files one; the channel's moderators and owner (never a
 * guest) and the server's admins list and close them, checked at commit against the one
 * permission table (`handleReports`). Each report filed or closed is pushed to every one of
 * them, on every node, through their user topics; the list is the record, so a push lost with
 * a node is made good by listing again. A message auto-moderation held is a report too: its
 * author is told of it (without who closed it or the entry it matched), and approving it
 * posts it (see {@link ReportStore}), published by `posted` after the commit.
 */
export class ReportService {
  constructor(
    private readonly storage: ReportStore & Pick<AccountStore, "admins">,
    private readonly broker: MessageBroker,
    private readonly posted: (channelId: number, event: MessageEvent) => void = () => {},
  ) {}

  /** Holds a send for review (once per send, however often retried); the report's id. */
  async hold(author: Actor, send: HeldSend): Promise<number> {
    const { report, created } = await this.storage.holdMessage({
      channelId: send.channelId,
      author: { id: author.id, name: author.name },
      nonce: send.nonce,
      content: send.content,
      draft: {
        k: send.kind,
        ...(send.replyTo !== undefined ? { r: send.replyTo } : {}),
        ...(send.files ? { f: send.files } : {}),
      },
      entry: send.entry,
    });
    if (created) await this.announce(report);
    return report.id;
  }

  /** Files a report (or finds the reporter's earlier one of the message); its id. */
  async file(reporter: Actor, channelId: number, messageId: number, reason: string) {
    const { report, created } = await this.storage.fileReport({
      channelId,
      messageId,
      reporter,
      reason,
    });
    if (created) await this.announce(report);
    return report.id;
  }

  /** The reports the user may handle, newest first: of one channel when `channelId` is given. */
  async list(
    user: ReportUser,
    filter: { channelId?: number; status?: ReportStatus; beforeId?: number; limit: number },
  ): Promise<Report[]> {
    const { channelId, ...rest } = filter;
    let channelIds: number[] | undefined;
    if (user.isAdmin) channelIds = channelId === undefined ? undefined : [channelId];
    else if (user.isGuest) channelIds = [];
    else {
      const mine = await this.storage.moderatedChannels(user.id);
      channelIds = channelId === undefined ? mine : mine.filter((c) => c === channelId);
    }
    return this.storage.reports({ ...rest, ...(channelIds ? { channelIds } : {}) });
  }

  /** Resolves or dismisses a report; `changed` false when it was closed already. */
  async close(user: ReportUser, id: number, status: ReportClosing["status"]) {
    const result = await this.storage.closeReport(
      { id, actor: { id: user.id, name: user.name }, status },
      (role) => {
        // Outside the channel (an admin excepted) the report is not there to see.
        if (role === undefined && !user.isAdmin) throw new ParleyError("NO_SUCH_REPORT");
        if (!may("handleReports", rankOf(role, user)))
          throw new ParleyError("FORBIDDEN", "Only the channel's moderators can handle reports");
      },
    );
    if (result.posted) this.posted(result.report.c, result.posted);
    if (result.changed) await this.announce(result.report);
    return { report: result.report, changed: result.changed };
  }

  /** Pushes a report to everyone who handles it: the channel's moderators and the admins. */
  private async announce(report: Report): Promise<void> {
    const [moderators, admins] = await Promise.all([
      this.storage.channelModerators(report.c),
      this.storage.admins(),
    ]);
    const handlers = new Set([...moderators, ...admins.map((a) => a.id)]);
    for (const id of handlers)
      this.broker.publish({ kind: "user", id }, { k: "report", rp: report });
    if (report.hd && !handlers.has(report.u)) {
      const { cl: _by, cln: _name, rs: _entry, ...own } = report;
      this.broker.publish({ kind: "user", id: report.u }, { k: "report", rp: { ...own, rs: "" } });
    }
  }
}
