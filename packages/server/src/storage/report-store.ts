import type { Report, ReportStatus, Role } from "@parley/protocol";
import type { Actor } from "./storage";

/** A report to file: the reporter's, of a message of a channel. */
export interface NewReport {
  channelId: number;
  messageId: number;
  reporter: Actor;
  reason: string;
}

/** Which reports to read: of some channels (absent: of every channel), of a status. */
export interface ReportFilter {
  channelIds?: readonly number[];
  status?: ReportStatus;
  beforeId?: number;
  limit: number;
}

/** Who closes a report, and how; `rule` is given the closer's role in its channel, read at commit. */
export interface ReportClosing {
  id: number;
  actor: Actor;
  status: typeof ReportStatus.Resolved | typeof ReportStatus.Dismissed;
}

/**
 * Reports of messages to the moderators of their channel and to the server's admins.
 *
 * Contract:
 * - **Filing** reads, in its transaction, the reporter's membership (NOT_A_MEMBER) and the
 *   message (NO_SUCH_MESSAGE when unknown, of another channel, or deleted), and copies the
 *   message's text and author into the report: a later edit or deletion changes nothing in
 *   it. Reporting one's own message is FORBIDDEN. A reporter has one report per message: filing
 *   again returns the first (`created` false) and stores nothing.
 * - **Closing** is one transaction: the report (NO_SUCH_REPORT when unknown), the rule (given
 *   the closer's role in the report's channel as stored then; it throws to refuse), the new
 *   status with who and when, and the channel's audit row (`report-resolved` or
 *   `report-dismissed`, the message's author as target, the report's reason). A report is
 *   closed once: of concurrent closings on any nodes exactly one changes it; the others get
 *   it as it is (`changed` false) and write nothing.
 */
export interface ReportStore {
  fileReport(report: NewReport): Promise<{ report: Report; created: boolean }>;
  /** Reports newest first (by id, below `beforeId`) that pass the filter. */
  reports(filter: ReportFilter): Promise<Report[]>;
  closeReport(
    closing: ReportClosing,
    rule: (role: Role | undefined) => void,
  ): Promise<{ report: Report; changed: boolean }>;
  /** The members of a channel who moderate it (moderators and the owner), by id. */
  channelModerators(channelId: number): Promise<number[]>;
  /** The channels a user moderates or owns, by id. */
  moderatedChannels(userId: number): Promise<number[]>;
}
