/** One moderation audit entry, as `/modlog` replies carry it (`log`, newest first). */
export interface AuditLine {
  /** When, epoch ms. */
  ts: number;
  /**
   * `kick`, `mute`, `unmute`, `ban`, `unban`, `mod`, `unmod`, `topic`, `slow`, `serverban`,
   * `serverunban`, `delete` (a moderator deleted `u`'s message), `private`, `public` (the
   * owner changed the channel's visibility), `report-resolved`, `report-dismissed` (a report
   * of `u`'s message was closed; `rs` is the report's reason), `held-approved`,
   * `held-dropped` (a moderator posted or dropped `u`'s message that auto-moderation held;
   * `rs` is the entry it matched), `automod` (`rs`: `block <entry>`, `hold <entry>` or
   * `unblock <entry>`).
   */
  ac: string;
  /** Actor id; 0 for the server (a mute or ban that ran out). */
  a: number;
  /** Actor name; "" for the server. */
  an: string;
  u?: number;
  un?: string;
  /** Reason; for `topic` the new topic, for `slow` the new interval in seconds ("0" = off). */
  rs?: string;
  /** End of a mute or ban, epoch ms; absent = indefinite. */
  ut?: number;
}

/** How a reader shows times: the server in UTC, a client in its user's zone and locale. */
export interface AuditFormat {
  /** A point in time, e.g. "14:05" or "2026-01-22 14:05 UTC". */
  time: (epochMs: number) => string;
  /** A length of time, e.g. "30s" or "2h 5m". */
  duration: (ms: number) => string;
}

const reasoned = (text: string, reason: string | undefined) =>
  reason ? `${text}: ${reason}` : text;

/**
 * An audit entry as a sentence ("bob muted carol until 14:05: spam", "alice turned slow mode
 * off", "carol's mute ended"); its time is the reader's to show beside it. The one wording of
 * the audit log, for the server's `/modlog` text and for clients that render `log`.
 */
export function auditText(e: AuditLine, f: AuditFormat): string {
  const target = e.un ?? "someone";
  const until = e.ut === undefined ? "indefinitely" : `until ${f.time(e.ut)}`;
  switch (e.ac) {
    case "kick":
      return reasoned(`${e.an} removed ${target}`, e.rs);
    case "mute":
      return reasoned(`${e.an} muted ${target} ${until}`, e.rs);
    case "unmute":
      return e.a === 0 ? `${target}'s mute ended` : reasoned(`${e.an} unmuted ${target}`, e.rs);
    case "ban":
      return reasoned(`${e.an} banned ${target} ${until}`, e.rs);
    case "unban":
      return e.a === 0 ? `${target}'s ban ended` : reasoned(`${e.an} unbanned ${target}`, e.rs);
    case "mod":
      return `${e.an} made ${target} a moderator`;
    case "unmod":
      return `${e.an} made ${target} a member`;
    case "topic":
      return e.rs ? `${e.an} set the topic to “${e.rs}”` : `${e.an} cleared the topic`;
    case "slow": {
      const seconds = Number(e.rs ?? 0);
      return seconds > 0
        ? `${e.an} turned slow mode on: one message every ${f.duration(seconds * 1000)}`
        : `${e.an} turned slow mode off`;
    }
    case "retention": {
      const days = Number(e.rs ?? 0);
      return days > 0
        ? `${e.an} set the channel's retention: messages are deleted once ${days} ${days === 1 ? "day" : "days"} old`
        : `${e.an} removed the channel's own retention`;
    }
    case "automod": {
      // `rs` is `block <entry>`, `hold <entry>` or `unblock <entry>`.
      const [verb, ...words] = (e.rs ?? "").split(" ");
      const entry = words.join(" ");
      if (verb === "unblock") return `${e.an} unblocked “${entry}” in the channel`;
      if (verb === "hold") return `${e.an} set “${entry}” to be held for review in the channel`;
      return `${e.an} blocked “${entry}” in the channel`;
    }
    case "serverban":
      return reasoned(`${e.an} banned ${target} from the server`, e.rs);
    case "serverunban":
      return `${e.an} lifted ${target}'s server ban`;
    case "private":
      return `${e.an} made the channel private`;
    case "public":
      return `${e.an} made the channel public`;
    case "delete":
      return reasoned(`${e.an} deleted a message by ${target}`, e.rs);
    case "report-resolved":
      return reasoned(`${e.an} resolved a report of a message by ${target}`, e.rs);
    case "report-dismissed":
      return reasoned(`${e.an} dismissed a report of a message by ${target}`, e.rs);
    case "held-approved":
      return reasoned(`${e.an} approved a held message by ${target}`, e.rs);
    case "held-dropped":
      return reasoned(`${e.an} dropped a held message by ${target}`, e.rs);
    default:
      return reasoned(`${e.an || "The server"} ${e.ac}${e.un ? ` ${e.un}` : ""}`, e.rs);
  }
}
