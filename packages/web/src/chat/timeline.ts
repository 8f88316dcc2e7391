import {
  type AuditLine,
  type ChannelEvent,
  type FileRef,
  type MessageEvent,
  MessageKind,
  type ReplyQuote,
} from "@parley/protocol";
import { isMessage } from "./channel-log";
import { dayKey, dayLabel, systemText } from "./format";
import type { HeldMessage } from "./held";

/** A message typed here and not yet acknowledged (or refused). */
export interface PendingMessage {
  nonce: string;
  x: string;
  ts: number;
  /** A reply's quote of the message it answers. */
  rp?: ReplyQuote;
  /** Files attached (uploaded already). */
  f?: FileRef[];
  /** Why it was not sent, once the server refused it. */
  error?: string;
}

/** A line for this user alone: a command's reply, shown after the item it followed. */
export interface LocalNote {
  id: number;
  afterSeq: number;
  ts: number;
  text: string;
  /** The entries of a `/modlog` reply, shown in local time instead of the text. */
  log?: readonly AuditLine[];
}

/** One message in a group: stored (`event`) or pending. */
export interface TimelineMessage {
  key: string;
  text: string;
  ts: number;
  event?: MessageEvent;
  pending?: PendingMessage;
}

export type TimelineRow =
  | { kind: "day"; key: string; label: string }
  | {
      kind: "group";
      key: string;
      authorId: number;
      author: string;
      own: boolean;
      ts: number;
      messages: TimelineMessage[];
    }
  | {
      kind: "action";
      key: string;
      authorId: number;
      author: string;
      own: boolean;
      message: TimelineMessage;
    }
  | { kind: "system"; key: string; text: string; ts: number }
  | { kind: "note"; key: string; note: LocalNote }
  /** One of your messages held for review: waiting, or dropped. */
  | { kind: "held"; key: string; held: HeldMessage }
  /** Where the messages the reader had not read when it opened the channel begin. */
  | { kind: "new"; key: string };

/** Consecutive messages of one author closer than this share a header. */
export const GROUP_GAP_MS = 5 * 60 * 1000;

export interface TimelineInput {
  items: readonly ChannelEvent[];
  pending: readonly PendingMessage[];
  notes: readonly LocalNote[];
  /** Your messages held for review, shown like notes after the item they followed. */
  held?: readonly HeldMessage[];
  me: number;
  myName: string;
  now: number;
  /**
   * Current names by user id (the channel's members): a message shows its author's name now,
   * which differs from the stored one after a guest registered under a new name.
   */
  names?: ReadonlyMap<number, string>;
  /** The seq of the first message that was unread when the channel was opened: a "new" row goes before it. */
  unreadFrom?: number;
}

type Entry =
  | { kind: "event"; event: ChannelEvent; ts: number }
  | { kind: "pending"; pending: PendingMessage; ts: number }
  | { kind: "note"; note: LocalNote; ts: number }
  | { kind: "held"; held: HeldMessage; ts: number };

/** A local line (a note or a held message) with the seq it follows. */
type Local = (Entry & { kind: "note" | "held" }) & { afterSeq: number; order: number };

function entries(input: TimelineInput): Entry[] {
  const out: Entry[] = [];
  const locals: Local[] = [
    ...input.notes.map((note) => ({
      kind: "note" as const,
      note,
      ts: note.ts,
      afterSeq: note.afterSeq,
      order: note.id,
    })),
    ...(input.held ?? []).map((held, k) => ({
      kind: "held" as const,
      held,
      ts: held.ts,
      afterSeq: held.afterSeq,
      order: k,
    })),
  ].sort(
    (a, b) =>
      a.afterSeq - b.afterSeq ||
      a.ts - b.ts ||
      (a.kind === b.kind ? a.order - b.order : a.kind === "note" ? -1 : 1),
  );
  const local = ({ afterSeq: _, order: __, ...entry }: Local): Entry => entry;
  let n = 0;
  for (const event of input.items) {
    while (n < locals.length && locals[n]!.afterSeq < event.s) out.push(local(locals[n++]!));
    out.push({ kind: "event", event, ts: event.ts });
  }
  for (; n < locals.length; n++) out.push(local(locals[n]!));
  for (const pending of input.pending) out.push({ kind: "pending", pending, ts: pending.ts });
  return out;
}

/**
 * Lays out a channel's items for display: day separators by local date, consecutive messages of
 * one author grouped under one header (broken by a new day, a gap over five minutes, or any
 * other row), `/me` actions and system events as lines of their own, local notes and held
 * messages after the item they followed, pending messages last, and a "new" row before the first message that was
 * unread (which starts a new group).
 */
export function buildTimeline(input: TimelineInput): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let day: string | undefined;
  let markedNew = input.unreadFrom === undefined;
  for (const entry of entries(input)) {
    const key = dayKey(entry.ts);
    if (key !== day) {
      day = key;
      rows.push({ kind: "day", key: `day-${key}`, label: dayLabel(entry.ts, input.now) });
    }
    if (!markedNew && entry.kind === "event" && entry.event.s >= input.unreadFrom!) {
      markedNew = true;
      rows.push({ kind: "new", key: "new" });
    }
    if (entry.kind === "note") {
      rows.push({ kind: "note", key: `note-${entry.note.id}`, note: entry.note });
      continue;
    }
    if (entry.kind === "held") {
      rows.push({ kind: "held", key: `held-${entry.held.key}`, held: entry.held });
      continue;
    }
    let message: TimelineMessage;
    let authorId: number;
    let author: string;
    let action = false;
    if (entry.kind === "pending") {
      message = {
        key: `p-${entry.pending.nonce}`,
        text: entry.pending.x,
        ts: entry.ts,
        pending: entry.pending,
      };
      authorId = input.me;
      author = input.myName;
    } else if (isMessage(entry.event)) {
      const e = entry.event;
      // Keyed by nonce so a pending message keeps its element when it is confirmed.
      message = { key: e.a === input.me ? `p-${e.n}` : `m-${e.i}`, text: e.x, ts: e.ts, event: e };
      authorId = e.a;
      author = input.names?.get(e.a) ?? e.an;
      action = e.k === MessageKind.Action;
    } else {
      const text = systemText(entry.event, input.now);
      if (text !== undefined)
        rows.push({ kind: "system", key: `s-${entry.event.s}`, text, ts: entry.ts });
      continue;
    }
    const own = authorId === input.me;
    if (action) {
      rows.push({ kind: "action", key: message.key, authorId, author, own, message });
      continue;
    }
    const last = rows.at(-1);
    if (
      last?.kind === "group" &&
      last.authorId === authorId &&
      entry.ts - (last.messages.at(-1)?.ts ?? 0) <= GROUP_GAP_MS
    ) {
      last.messages.push(message);
      continue;
    }
    rows.push({
      kind: "group",
      key: `g-${message.key}`,
      authorId,
      author,
      own,
      ts: entry.ts,
      messages: [message],
    });
  }
  return rows;
}
