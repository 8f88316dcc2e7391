import {
  type ChannelEvent,
  EventType,
  type Member,
  type ModerationEvent,
  Role,
  type UserUpdatedPush,
} from "@parley/protocol";
import type { ParleyClient, TypingNotice } from "./client";
import { Emitter } from "./emitter";

/** How long a typist is shown without a renewal; the server expires it after 6 s too. */
const TYPING_TTL_MS = 7000;

type StateEvents = { change: [number] };

/**
 * Who is typing, per channel: kept from typing notices, cleared by the typist's own message or
 * after a few seconds without renewal (in case a stop was lost with a connection).
 */
/** What UserUpdated carries of a member: its name, guest flag and profile. */
const USER_KEYS = [
  "n",
  "g",
  "dn",
  "sx",
  "av",
] as const satisfies readonly (keyof UserUpdatedPush)[];

export class TypingState extends Emitter<StateEvents> {
  private readonly typists = new Map<
    number,
    Map<number, { name: string; timer: ReturnType<typeof setTimeout> }>
  >();
  private readonly offs: (() => void)[];

  constructor(client: ParleyClient) {
    super();
    this.offs = [
      client.on("typing", (t) => this.onTyping(t)),
      client.on("events", (c, events) => {
        for (const e of events) if (e.t === EventType.MessagePosted) this.remove(c, e.a);
      }),
      client.on("disconnect", () => {
        for (const c of [...this.typists.keys()])
          for (const u of [...(this.typists.get(c)?.keys() ?? [])]) this.remove(c, u);
      }),
    ];
  }

  /** Names of the users typing in a channel, in the order they started. */
  names(channelId: number): string[] {
    return [...(this.typists.get(channelId)?.values() ?? [])].map((t) => t.name);
  }

  dispose(): void {
    for (const off of this.offs) off();
    for (const channel of this.typists.values())
      for (const t of channel.values()) clearTimeout(t.timer);
    this.typists.clear();
  }

  private onTyping(t: TypingNotice): void {
    if (!t.on) {
      this.remove(t.c, t.u);
      return;
    }
    let channel = this.typists.get(t.c);
    if (!channel) {
      channel = new Map();
      this.typists.set(t.c, channel);
    }
    const existing = channel.get(t.u);
    if (existing) clearTimeout(existing.timer);
    channel.set(t.u, { name: t.un, timer: setTimeout(() => this.remove(t.c, t.u), TYPING_TTL_MS) });
    if (!existing) this.emit("change", t.c);
  }

  private remove(channelId: number, userId: number): void {
    const entry = this.typists.get(channelId)?.get(userId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.typists.get(channelId)?.delete(userId);
    this.emit("change", channelId);
  }
}

/** Formats typists as "alice is typing…", "alice and bob are typing…", "alice, bob and 3 others are typing…". */
export function typingLine(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
}

/**
 * Member lists with presence, per channel: seeded from a join reply or channel info, then kept
 * current by presence notices, member events (joined, left, kicked, banned, role changes) and
 * user changes (a guest registered, renamed). A big channel's list is partial (the reply's
 * `mm`): further MemberList pages are added with {@link addPage}, and {@link hasMore} says
 * whether members beyond those known exist.
 */
export class MemberState extends Emitter<StateEvents> {
  private readonly members = new Map<number, Map<number, Member>>();
  /** Channels whose list is partial. */
  private readonly partial = new Set<number>();
  private readonly offs: (() => void)[];

  constructor(client: ParleyClient) {
    super();
    this.offs = [
      client.on("presence", (p) => {
        const member = this.members.get(p.c)?.get(p.u);
        if (member && member.on !== p.on) {
          member.on = p.on;
          this.emit("change", p.c);
        }
      }),
      client.on("events", (c, events) => this.apply(c, events)),
      client.on("channelRemoved", ({ c }) => {
        this.members.delete(c);
        this.partial.delete(c);
        this.emit("change", c);
      }),
      client.on("userUpdated", (user) => {
        // The push is the user whole: name, guest flag and profile (a field absent is cleared).
        for (const [c, members] of this.members) {
          const member = members.get(user.i);
          if (!member || USER_KEYS.every((k) => member[k] === user[k])) continue;
          const { rl, on } = member;
          members.set(user.i, { ...user, rl, on });
          this.emit("change", c);
        }
      }),
    ];
  }

  /**
   * Replaces a channel's member list (from a join reply or channel info); `more` (the reply's
   * `mm`) when it is the first page only.
   */
  seed(channelId: number, members: readonly Member[], more = false): void {
    this.members.set(channelId, new Map(members.map((m) => [m.i, { ...m }])));
    if (more) this.partial.add(channelId);
    else this.partial.delete(channelId);
    this.emit("change", channelId);
  }

  /**
   * Adds members from a MemberList reply to a channel's list; `complete` when the list is now
   * whole (the last page of the name-order paging: no `mm`, asked without a prefix).
   */
  addPage(channelId: number, members: readonly Member[], complete: boolean): void {
    const known = this.members.get(channelId);
    if (!known) return;
    for (const m of members) if (!known.has(m.i)) known.set(m.i, { ...m });
    if (complete) this.partial.delete(channelId);
    this.emit("change", channelId);
  }

  /** Whether the channel has members beyond those this list knows (a big channel's). */
  hasMore(channelId: number): boolean {
    return this.partial.has(channelId);
  }

  /** Members by role (owner first), then name. */
  list(channelId: number): Member[] {
    return [...(this.members.get(channelId)?.values() ?? [])].sort(
      (a, b) => b.rl - a.rl || a.n.localeCompare(b.n),
    );
  }

  get(channelId: number, userId: number): Member | undefined {
    return this.members.get(channelId)?.get(userId);
  }

  dispose(): void {
    for (const off of this.offs) off();
  }

  private apply(channelId: number, events: readonly ChannelEvent[]): void {
    const members = this.members.get(channelId);
    if (!members) return;
    let changed = false;
    for (const e of events) {
      switch (e.t) {
        case EventType.MemberJoined:
          members.set(e.a, {
            i: e.a,
            n: e.an,
            ...("g" in e && e.g ? { g: true as const } : {}),
            rl: Role.Member,
            on: true,
          });
          changed = true;
          break;
        case EventType.MemberLeft:
          changed = members.delete(e.a) || changed;
          break;
        case EventType.MemberKicked:
        case EventType.MemberBanned:
          changed = members.delete((e as ModerationEvent).u) || changed;
          break;
        case EventType.RoleChanged: {
          const target = members.get((e as ModerationEvent).u);
          const role = (e as ModerationEvent).rl;
          if (target && role !== undefined) {
            target.rl = role;
            changed = true;
          }
          break;
        }
      }
    }
    if (changed) this.emit("change", channelId);
  }
}
