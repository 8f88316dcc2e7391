import { PERMISSIONS, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  type ProfileContext,
  type ProfileTarget,
  profileActions,
  profileCommand,
  profileOf,
} from "./profile-actions";

const me = { i: 1, n: "me" };
const ctx = (over: Partial<ProfileContext> = {}): ProfileContext => ({
  me,
  myRole: Role.Member,
  direct: false,
  blocked: false,
  muted: false,
  ...over,
});
const zoe = (over: Partial<ProfileTarget> = {}): ProfileTarget => ({
  i: 2,
  n: "zoe",
  rl: Role.Member,
  ...over,
});
const SOCIAL = ["message", "block"];

describe("profileActions", () => {
  it("offers nothing on one's own card, whatever one's rank", () => {
    expect(profileActions({ ...me, rl: Role.Owner }, ctx({ myRole: Role.Owner }))).toEqual([]);
    expect(profileActions(me, ctx({ me: { ...me, ad: true } }))).toEqual([]);
  });

  it("offers nothing on a deleted account's card, whatever one's rank", () => {
    expect(profileActions(zoe({ n: "deleted-9" }), ctx({ myRole: Role.Owner }))).toEqual([]);
  });

  it("offers a member only Message and Block on another member", () => {
    expect(profileActions(zoe(), ctx())).toEqual(SOCIAL);
  });

  it("offers Unblock instead of Block for someone blocked", () => {
    expect(profileActions(zoe(), ctx({ blocked: true }))).toEqual(["message", "unblock"]);
  });

  it("offers a moderator mute, kick and ban on a member, but no role change", () => {
    expect(profileActions(zoe(), ctx({ myRole: Role.Moderator }))).toEqual([
      ...SOCIAL,
      "mute",
      "kick",
      "ban",
    ]);
  });

  it("offers Unmute instead of Mute when the target is muted", () => {
    expect(profileActions(zoe(), ctx({ myRole: Role.Moderator, muted: true }))).toEqual([
      ...SOCIAL,
      "unmute",
      "kick",
      "ban",
    ]);
  });

  it("offers an owner every action on a member, Make moderator included", () => {
    expect(profileActions(zoe(), ctx({ myRole: Role.Owner }))).toEqual([
      ...SOCIAL,
      "mute",
      "kick",
      "ban",
      "grantModerator",
    ]);
  });

  it("offers an owner Remove moderator on a moderator, never Make moderator", () => {
    expect(profileActions(zoe({ rl: Role.Moderator }), ctx({ myRole: Role.Owner }))).toEqual([
      ...SOCIAL,
      "mute",
      "kick",
      "ban",
      "revokeModerator",
    ]);
  });

  it("offers no moderation on an equal or higher rank", () => {
    const mod = ctx({ myRole: Role.Moderator });
    expect(profileActions(zoe({ rl: Role.Moderator }), mod)).toEqual(SOCIAL);
    expect(profileActions(zoe({ rl: Role.Owner }), mod)).toEqual(SOCIAL);
    expect(profileActions(zoe({ rl: Role.Owner }), ctx({ myRole: Role.Owner }))).toEqual(SOCIAL);
  });

  it("never lets a guest moderate, even one that owns the channel", () => {
    const guestOwner = ctx({ me: { ...me, g: true }, myRole: Role.Owner });
    expect(profileActions(zoe(), guestOwner)).toEqual(SOCIAL);
  });

  it("ranks a guest target as a member: a moderator acts on a guest moderator, an owner never promotes a guest", () => {
    const guest = zoe({ g: true, rl: Role.Moderator });
    expect(profileActions(guest, ctx({ myRole: Role.Moderator }))).toEqual([
      ...SOCIAL,
      "mute",
      "kick",
      "ban",
    ]);
    expect(profileActions(zoe({ g: true }), ctx({ myRole: Role.Owner }))).toEqual([
      ...SOCIAL,
      "mute",
      "kick",
      "ban",
    ]);
  });

  it("offers a server admin every action on the owner, even from outside the channel", () => {
    const admin = ctx({ me: { ...me, ad: true }, myRole: undefined });
    expect(profileActions(zoe({ rl: Role.Owner }), admin)).toEqual([
      ...SOCIAL,
      "mute",
      "kick",
      "ban",
    ]);
  });

  it("offers only Ban (and Unmute, if muted) on an author who is no longer a member", () => {
    const gone = zoe({ rl: undefined });
    expect(profileActions(gone, ctx({ myRole: Role.Moderator }))).toEqual([...SOCIAL, "ban"]);
    expect(profileActions(gone, ctx({ myRole: Role.Moderator, muted: true }))).toEqual([
      ...SOCIAL,
      "unmute",
      "ban",
    ]);
  });

  it("offers no moderation in a direct message, where nobody has a role", () => {
    expect(profileActions(zoe(), ctx({ myRole: Role.Owner, direct: true }))).toEqual(SOCIAL);
  });

  it("follows the permission table: with moderation raised to owners, a moderator gets none", () => {
    const saved = { ...PERMISSIONS };
    const table = PERMISSIONS as Record<keyof typeof PERMISSIONS, number>;
    try {
      table.kick = Role.Owner;
      table.mute = Role.Owner;
      table.ban = Role.Owner;
      expect(profileActions(zoe(), ctx({ myRole: Role.Moderator }))).toEqual(SOCIAL);
    } finally {
      Object.assign(table, saved);
    }
  });
});

describe("profileCommand", () => {
  it("writes the slash command the server parses, with the duration before the reason", () => {
    expect(profileCommand("ban", "zoe", { duration: "1d", reason: "  spamming\nlinks " })).toBe(
      "/ban @zoe 1d spamming links",
    );
    expect(profileCommand("mute", "zoe", { duration: "", reason: "calm down" })).toBe(
      "/mute @zoe calm down",
    );
    expect(profileCommand("kick", "zoe", { reason: "3 strikes" })).toBe("/kick @zoe 3 strikes");
    expect(profileCommand("grantModerator", "zoe")).toBe("/mod @zoe");
    expect(profileCommand("revokeModerator", "zoe")).toBe("/unmod @zoe");
    expect(profileCommand("unmute", "zoe", { duration: "1h", reason: "x" })).toBe("/unmute @zoe");
  });

  it("refuses an indefinite mute or ban whose reason starts like a duration", () => {
    expect(() => profileCommand("ban", "zoe", { reason: "3rd warning" })).toThrow(/duration/);
    expect(profileCommand("ban", "zoe", { duration: "7d", reason: "3rd warning" })).toBe(
      "/ban @zoe 7d 3rd warning",
    );
  });
});

describe("profileOf", () => {
  const members = {
    1: [{ i: 2, n: "zoe", rl: Role.Moderator, on: true }],
    2: [
      { i: 2, n: "zoe", rl: Role.Owner, on: true },
      { i: 3, n: "guest-abc123", g: true as const, rl: Role.Member, on: false },
    ],
  };

  it("takes role, presence and guest from the channel's own list", () => {
    expect(profileOf(members, 1, { i: 2, n: "zoe" })).toEqual({
      target: { i: 2, n: "zoe", rl: Role.Moderator },
      online: true,
      guest: false,
    });
  });

  it("takes presence and guest, but no role, from another channel's list for a non-member", () => {
    expect(profileOf(members, 1, { i: 3, n: "old-name" })).toEqual({
      target: { i: 3, n: "guest-abc123", g: true },
      online: false,
      guest: true,
    });
  });

  it("knows only the id and name of someone in no list held", () => {
    expect(profileOf(members, 1, { i: 9, n: "ghost" })).toEqual({
      target: { i: 9, n: "ghost" },
      online: undefined,
      guest: undefined,
    });
  });
});
