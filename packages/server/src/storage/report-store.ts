import type { MessageEvent, MessageKind, Report, ReportStatus, Role } from "@parley/protocol";
import type { Actor } from "./storage";

/** A report to file: the reporter's, of a message of a channel. */
export interface NewReport {
  channelId: number;
  messageId: number;
  reporter: Actor;
  reason: string;
}

/** What posting a held message takes besides its text: its kind, reply target and files. */
export interface HeldDraft {
  k: MessageKind;
  r?: number;
  f?: readonly string[];
}

/** A send auto-moderation held: its author, nonce, text and draft, and the entry it matched. */
export interface NewHeld {
  channelId: number;
  author: Actor;
  nonce: string;
  content: string;
  draft: HeldDraft;
  entry: string;
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
 * - **Holding** a send (auto-moderation) stores it as a report (`hd`) in one transaction that
 *   reads the author's membership (NOT_A_MEMBER): no message yet (`m`, `s` 0), the author as
 *   `u`, no reporter (`by` 0), the entry it matched as `rs`. One hold per (channel, author,
 *   nonce): holding again returns the first (`created` false), on any node.
 * - **Approving** a held report (closing it as resolved) posts its message in the closing's
 *   transaction, through the send path's rules as read there (membership, mute, ban, reply
 *   target, files; slow mode does not apply): a refusal fails the approval with its error and
 *   the report stays open. The message, the report's new `m`/`s`, the status and the audit
 *   row (`held-approved`) commit together, so an approval that commits has posted, and two
 *   approvals post once. Dropping one (dismissed) audits `held-dropped`.
 */
export interface ReportStore {
  fileReport(report: NewReport): Promise<{ report: Report; created: boolean }>;
  /** Reports newest first (by id, below `beforeId`) that pass the filter. */
  reports(filter: ReportFilter): Promise<Report[]>;
  closeReport(
    closing: ReportClosing,
    rule: (role: Role | undefined) => void,
  ): Promise<{ report: Report; changed: boolean; posted?: MessageEvent }>;
  holdMessage(held: NewHeld): Promise<{ report: Report; created: boolean }>;
  /** The members of a channel who moderate it (moderators and the owner), by id. */
  channelModerators(channelId: number): Promise<number[]>;
  /** The channels a user moderates or owns, by id. */
  moderatedChannels(userId: number): Promise<number[]>;
}
