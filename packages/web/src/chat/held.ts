import { ParleyRequestError } from "@parley/client";
import { ERRORS, type ReplyQuote, type Report, ReportStatus } from "@parley/protocol";

/**
 * One of your messages auto-moderation held for a moderator's review, as a line in its channel
 * that only you see: `waiting` until a moderator decides; approved, it goes (the message itself
 * is posted in the channel then); dropped, it says so and offers the text back.
 *
 * It is learned two ways, in either order, both naming its report: the send's refusal
 * (MESSAGE_HELD, whose `rp` is the report's id) and the report pushed to its author
 * (ReportChanged with `hd`). The push alone (another tab of yours sent it) makes a line too.
 */
export interface HeldMessage {
  /** Stable for the list: `r-<report id>`. */
  key: string;
  /** The report's id. */
  id: number;
  /** The send's nonce, once its refusal came here (a send from another tab has none). */
  nonce?: string;
  x: string;
  /** When it was sent (or held), epoch ms. */
  ts: number;
  /** Shown after the item of this seq (the latest held when it was sent). */
  afterSeq: number;
  status: "waiting" | "dropped";
  /** A reply's quote of the message it answered (a send from here only). */
  rp?: ReplyQuote;
  /** The names of the files it carries (a send from here only). */
  files?: readonly string[];
}

/** A send refused with MESSAGE_HELD, and the report it waits in. */
export interface HeldSend {
  id: number;
  nonce: string;
  x: string;
  ts: number;
  afterSeq: number;
  rp?: ReplyQuote;
  files?: readonly string[];
}

/**
 * The held lines after a send was refused with MESSAGE_HELD: the line its report's push made
 * takes its nonce, reply quote and files; a retry of a send held already changes nothing;
 * otherwise a new waiting line.
 */
export function heldSent(list: readonly HeldMessage[], send: HeldSend): readonly HeldMessage[] {
  if (list.some((h) => h.nonce === send.nonce)) return list;
  const k = list.findIndex((h) => h.id === send.id);
  if (k >= 0) {
    const line = list[k]!;
    const merged: HeldMessage = {
      ...line,
      nonce: send.nonce,
      ...(send.rp && !line.rp ? { rp: send.rp } : {}),
      ...(send.files?.length && !line.files ? { files: send.files } : {}),
    };
    return list.map((h, i) => (i === k ? merged : h));
  }
  const line: HeldMessage = {
    key: `r-${send.id}`,
    id: send.id,
    nonce: send.nonce,
    x: send.x,
    ts: send.ts,
    afterSeq: send.afterSeq,
    status: "waiting",
    ...(send.rp ? { rp: send.rp } : {}),
    ...(send.files?.length ? { files: send.files } : {}),
  };
  return [...list, line];
}

/**
 * The held lines after your own held message's report was pushed (`hd`, you its author):
 * open, a waiting line is made unless one is shown; approved, its line goes (the message
 * is posted in the channel); dropped, its line says so (one is made when none is shown, also
 * after you dismissed the waiting one: that it will never be posted is news).
 */
export function heldReported(
  list: readonly HeldMessage[],
  report: Report,
  afterSeq: number,
): readonly HeldMessage[] {
  const k = list.findIndex((h) => h.id === report.id);
  const line = k >= 0 ? list[k] : undefined;
  if (report.st === ReportStatus.Resolved) return line ? list.filter((_, i) => i !== k) : list;
  const status = report.st === ReportStatus.Dismissed ? "dropped" : "waiting";
  if (!line)
    return [
      ...list,
      { key: `r-${report.id}`, id: report.id, x: report.x, ts: report.ts, afterSeq, status },
    ];
  // An open push after the drop (a late duplicate) does not bring the line back to waiting.
  const after = line.status === "dropped" ? "dropped" : status;
  if (line.status === after) return list;
  const next: HeldMessage = { ...line, status: after };
  return list.map((h, i) => (i === k ? next : h));
}

/**
 * The held lines after messages of yours were posted: a line whose send they are (by nonce) goes,
 * for an approval whose push was lost.
 */
export function heldPosted(
  list: readonly HeldMessage[],
  nonces: ReadonlySet<string>,
): readonly HeldMessage[] {
  if (nonces.size === 0 || !list.some((h) => h.nonce !== undefined && nonces.has(h.nonce)))
    return list;
  return list.filter((h) => h.nonce === undefined || !nonces.has(h.nonce));
}

/** Whether a report is your own held message (its author's copy), not one you handle. */
export function isOwnHeld(report: Report, me: number | undefined): boolean {
  return report.hd === true && me !== undefined && report.u === me;
}

/** The text a `/me` command posts: what follows the command's name. */
export function actionText(command: string): string | undefined {
  const match = /^\/me\s+([\s\S]*)$/i.exec(command.trim());
  const text = match?.[1]?.trim();
  return text ? text : undefined;
}

/** Why the server refused to post a held message on its approval, as its moderator reads it. */
export function approvalRefusal(code: number): string | undefined {
  switch (code) {
    case ERRORS.MUTED.code:
      return "its author is muted in the channel";
    case ERRORS.BANNED.code:
      return "its author is banned from the channel";
    case ERRORS.NOT_A_MEMBER.code:
      return "its author is no longer in the channel";
    case ERRORS.CHANNEL_ARCHIVED.code:
      return "the channel is archived";
    case ERRORS.NO_SUCH_MESSAGE.code:
      return "the message it replies to was deleted";
    case ERRORS.NO_SUCH_FILE.code:
    case ERRORS.FILE_ATTACHED.code:
      return "its files cannot be attached any more";
    default:
      return undefined;
  }
}

/**
 * What a refused closing of a report says beside it: for a held message's approval, why it could
 * not be posted (it stays held), else the server's text (`text` of the refusal).
 */
export function closingRefusal(
  report: Pick<Report, "hd">,
  status: ReportStatus,
  err: unknown,
  text: (err: unknown) => string,
): string {
  if (!report.hd) return `Not handled: ${text(err)}`;
  if (status !== ReportStatus.Resolved) return `Not dropped: ${text(err)}`;
  const why = err instanceof ParleyRequestError ? approvalRefusal(err.code) : undefined;
  return why ? `Not approved: ${why}. It is still held.` : `Not approved: ${text(err)}`;
}
