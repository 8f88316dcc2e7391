import { type ChannelEvent, EventType, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { dayLabel, formatCountdown, formatUntil, shownName, systemText } from "./format";

const now = new Date(2025, 2, 14, 15, 0).getTime();
const base = { s: 1, ts: now, a: 1, an: "alice" };

describe("formatCountdown", () => {
  it.each([
    [0, "0s"],
    [400, "1s"],
    [45_000, "45s"],
    [125_000, "2:05"],
    [3_900_000, "1h 05m"],
  ])("formats %i ms as %s", (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });
});

describe("dayLabel", () => {
  it("names today and yesterday and dates the rest", () => {
    expect(dayLabel(new Date(2025, 2, 14, 0, 1).getTime(), now)).toBe("Today");
    expect(dayLabel(new Date(2025, 2, 13, 23, 59).getTime(), now)).toBe("Yesterday");
    const older = dayLabel(new Date(2025, 2, 10, 12, 0).getTime(), now);
    expect(older).not.toMatch(/Today|Yesterday/);
    expect(older).toMatch(/10/);
  });
});

describe("systemText", () => {
  it("describes joins, leaves and settings", () => {
    expect(systemText({ ...base, t: EventType.MemberJoined, g: true }, now)).toBe(
      "alice joined as a guest",
    );
    expect(systemText({ ...base, t: EventType.MemberJoined, iv: 2, ivn: "olga" }, now)).toBe(
      "alice joined, invited by olga",
    );
    expect(systemText({ ...base, t: EventType.ChannelVisibilityChanged, pv: true }, now)).toBe(
      "alice made the channel private",
    );
    expect(systemText({ ...base, t: EventType.ChannelVisibilityChanged, pv: false }, now)).toBe(
      "alice made the channel public",
    );
    expect(systemText({ ...base, t: EventType.MemberLeft }, now)).toBe("alice left");
    expect(systemText({ ...base, t: EventType.MemberLeft, g: true, ex: true }, now)).toBe(
      "alice was removed as an inactive guest",
    );
    expect(systemText({ ...base, t: EventType.TopicChanged, tp: "Launch" }, now)).toBe(
      "alice set the topic to “Launch”",
    );
    expect(systemText({ ...base, t: EventType.SlowModeChanged, sl: 30 }, now)).toBe(
      "alice turned on slow mode: one message every 30s",
    );
    expect(systemText({ ...base, t: EventType.SlowModeChanged, sl: 0 }, now)).toBe(
      "alice turned off slow mode",
    );
    expect(systemText({ ...base, t: EventType.RetentionChanged, rd: 1 }, now)).toBe(
      "alice set messages here to be deleted once 1 day old",
    );
    expect(systemText({ ...base, t: EventType.RetentionChanged, rd: 0 }, now)).toBe(
      "alice removed this channel's own retention",
    );
    expect(systemText({ ...base, t: EventType.BlockedWordsChanged, bw: 2 }, now)).toBe(
      "alice changed the channel's blocked words (2 now)",
    );
    expect(systemText({ ...base, t: EventType.BlockedWordsChanged, bw: 0 }, now)).toBe(
      "alice removed the channel's last blocked word",
    );
    // With words held for review counted too (`hw`).
    const words = (bw: number, hw: number) =>
      systemText({ ...base, t: EventType.BlockedWordsChanged, bw, hw }, now);
    expect(words(0, 1)).toBe("alice changed the channel's words held for review (1 now)");
    expect(words(2, 3)).toBe(
      "alice changed the channel's own words (2 blocked, 3 held for review)",
    );
    expect(words(2, 0)).toBe("alice changed the channel's blocked words (2 now)");
    expect(words(0, 0)).toBe("alice removed the channel's last blocked or held word");
  });

  it("describes moderation with its target, end and reason", () => {
    const target = { u: 2, un: "bob" };
    const ut = new Date(2025, 2, 14, 15, 30).getTime();
    expect(systemText({ ...base, ...target, t: EventType.MemberMuted, ut, rs: "spam" }, now)).toBe(
      `alice muted bob ${formatUntil(ut, now)}: spam`,
    );
    expect(systemText({ ...base, ...target, t: EventType.MemberBanned }, now)).toBe(
      "alice banned bob indefinitely",
    );
    expect(
      systemText({ ...base, ...target, t: EventType.MemberKicked, rs: "off-topic" }, now),
    ).toBe("alice removed bob: off-topic");
    expect(systemText({ ...base, ...target, t: EventType.MemberUnmuted }, now)).toBe(
      "alice unmuted bob",
    );
    const server = { a: 0, an: "" };
    expect(systemText({ ...base, ...target, ...server, t: EventType.MemberUnmuted }, now)).toBe(
      "bob's mute ended",
    );
    expect(systemText({ ...base, ...target, ...server, t: EventType.MemberUnbanned }, now)).toBe(
      "bob's ban ended",
    );
    expect(
      systemText({ ...base, ...target, t: EventType.RoleChanged, rl: Role.Moderator }, now),
    ).toBe("alice made bob a moderator");
  });

  it("skips event types it does not know", () => {
    expect(systemText({ ...base, t: 99 } as unknown as ChannelEvent, now)).toBeUndefined();
  });
});

describe("shownName", () => {
  it("shows a deleted account as a deleted user, and every other name as it is", () => {
    expect(shownName("deleted-42")).toBe("Deleted user");
    for (const name of ["alice", "deleted", "deleted-4x", "guest-abc123"])
      expect(shownName(name)).toBe(name);
  });
});
