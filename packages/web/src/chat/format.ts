import {
  type AuditFormat,
  type ChannelEvent,
  EventType,
  isDeletedUsername,
  type ModerationEvent,
  Role,
  roleName,
} from "@parley/protocol";

/** A user's name as shown: a deleted account's `deleted-<id>` reads "Deleted user". */
export function shownName(name: string): string {
  return isDeletedUsername(name) ? "Deleted user" : name;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  month: "long",
  day: "numeric",
});
const dayYearFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  month: "long",
  day: "numeric",
  year: "numeric",
});
const shortDayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** A local calendar day, e.g. "2025-3-14"; two times on the same local day share it. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** Local wall-clock time of a message, e.g. "14:05" or "2:05 PM" by locale. */
export function formatTime(ts: number): string {
  return timeFormat.format(ts);
}

/** Date and time for a tooltip. */
export function formatFull(ts: number): string {
  return fullFormat.format(ts);
}

/** The label of a day separator: "Today", "Yesterday", or the local date. */
export function dayLabel(ts: number, now: number): string {
  if (dayKey(ts) === dayKey(now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (dayKey(ts) === dayKey(yesterday.getTime())) return "Yesterday";
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return (sameYear ? dayFormat : dayYearFormat).format(ts);
}

/** Time left as a short countdown: "45s", "2:05", "1h 05m". Rounds up to whole seconds. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/** A local time, with the date unless it is today: "14:05" or "Mar 3, 14:05" by locale. */
export function formatWhen(ts: number, now: number): string {
  const time = formatTime(ts);
  return dayKey(ts) === dayKey(now) ? time : `${shortDayFormat.format(ts)}, ${time}`;
}

/** "until 14:05" (today) or "until Mar 3, 14:05"; "indefinitely" without an end. */
export function formatUntil(until: number | undefined, now: number): string {
  return until === undefined ? "indefinitely" : `until ${formatWhen(until, now)}`;
}

/** Audit entries as this user reads them: local times, short countdown-style durations. */
export function localAuditFormat(now: number): AuditFormat {
  return { time: (ts) => formatWhen(ts, now), duration: formatCountdown };
}

export { roleName };

const withReason = (text: string, reason: string | undefined) =>
  reason ? `${text}: ${reason}` : text;

/** The actor of events the server makes itself (a mute or ban that ran out). */
const SERVER_ACTOR = 0;

/**
 * The compact line shown for a channel event that is not a message (joins, leaves, moderation,
 * settings), or undefined for a type this client does not know (it is skipped).
 */
export function systemText(e: ChannelEvent, now: number): string | undefined {
  const m = e as ModerationEvent;
  switch (e.t) {
    case EventType.MemberJoined: {
      const by = "ivn" in e && e.ivn ? `, invited by ${e.ivn}` : "";
      return `${e.an} joined${"g" in e && e.g ? " as a guest" : ""}${by}`;
    }
    case EventType.MemberLeft:
      return "ex" in e && e.ex ? `${e.an} was removed as an inactive guest` : `${e.an} left`;
    case EventType.MemberKicked:
      return withReason(`${e.an} removed ${m.un}`, m.rs);
    case EventType.MemberBanned:
      return withReason(`${e.an} banned ${m.un} ${formatUntil(m.ut, now)}`, m.rs);
    case EventType.MemberUnbanned:
      return e.a === SERVER_ACTOR
        ? `${m.un}'s ban ended`
        : withReason(`${e.an} unbanned ${m.un}`, m.rs);
    case EventType.MemberMuted:
      return withReason(`${e.an} muted ${m.un} ${formatUntil(m.ut, now)}`, m.rs);
    case EventType.MemberUnmuted:
      return e.a === SERVER_ACTOR
        ? `${m.un}'s mute ended`
        : withReason(`${e.an} unmuted ${m.un}`, m.rs);
    case EventType.RoleChanged:
      return `${e.an} made ${m.un} ${m.rl === Role.Owner ? "an" : "a"} ${roleName(m.rl ?? Role.Member)}`;
    case EventType.TopicChanged: {
      const topic = "tp" in e ? e.tp : undefined;
      return topic ? `${e.an} set the topic to “${topic}”` : `${e.an} cleared the topic`;
    }
    case EventType.ChannelVisibilityChanged:
      return "pv" in e && e.pv
        ? `${e.an} made the channel private`
        : `${e.an} made the channel public`;
    case EventType.ChannelArchived:
      return "ar" in e && e.ar
        ? `${e.an} archived the channel: it is read-only now`
        : `${e.an} unarchived the channel`;
    case EventType.BlockedWordsChanged: {
      // The counts only: `bw` blocked, `hw` held for review (absent before held words were).
      const blocked = "bw" in e ? (e.bw ?? 0) : 0;
      const held = "hw" in e ? e.hw : undefined;
      if (held && blocked > 0)
        return `${e.an} changed the channel's own words (${blocked} blocked, ${held} held for review)`;
      if (held) return `${e.an} changed the channel's words held for review (${held} now)`;
      if (blocked > 0) return `${e.an} changed the channel's blocked words (${blocked} now)`;
      return held === 0
        ? `${e.an} removed the channel's last blocked or held word`
        : `${e.an} removed the channel's last blocked word`;
    }
    case EventType.RetentionChanged: {
      const days = "rd" in e ? (e.rd ?? 0) : 0;
      return days > 0
        ? `${e.an} set messages here to be deleted once ${days} ${days === 1 ? "day" : "days"} old`
        : `${e.an} removed this channel's own retention`;
    }
    case EventType.SlowModeChanged: {
      const seconds = "sl" in e ? (e.sl ?? 0) : 0;
      return seconds > 0
        ? `${e.an} turned on slow mode: one message every ${formatCountdown(seconds * 1000)}`
        : `${e.an} turned off slow mode`;
    }
    default:
      return undefined;
  }
}
