import { Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  avatarUrl,
  displayName,
  handleOf,
  learned,
  personOf,
  sameProfile,
  shownMembers,
  typistNames,
  withProfile,
} from "./people";

describe("people", () => {
  it("shows the display name, the username beside it, and a deleted user as one", () => {
    expect(displayName({ n: "alice", dn: "Alice Liddell" })).toBe("Alice Liddell");
    expect(handleOf({ n: "alice", dn: "Alice Liddell" })).toBe("@alice");
    expect(displayName({ n: "bob" })).toBe("bob");
    expect(handleOf({ n: "bob" })).toBeUndefined();
    expect(handleOf({ n: "bob", dn: "bob" })).toBeUndefined();
    expect(displayName({ n: "deleted-42", dn: "Old name" })).toBe("Deleted user");
    expect(handleOf({ n: "deleted-42", dn: "Old name" })).toBeUndefined();
    // Text stays text: markup in a display name is shown as typed.
    expect(displayName({ n: "eve", dn: "<b>Eve</b>" })).toBe("<b>Eve</b>");
  });

  it("addresses an avatar by its id", () => {
    expect(avatarUrl("abcDEF012_-")).toBe("/api/v1/avatars/abcDEF012_-");
  });

  it("puts a user's profile on a member, keeping role and presence, dropping what they cleared", () => {
    const member = { i: 2, n: "alice", dn: "Al", sx: "away", rl: Role.Owner, on: true };
    expect(withProfile(member, { i: 2, n: "alice", dn: "Alice", av: "x" })).toEqual({
      i: 2,
      n: "alice",
      dn: "Alice",
      av: "x",
      rl: Role.Owner,
      on: true,
    });
    expect(withProfile(member, { i: 2, n: "alice", dn: "Al", sx: "away" })).toBe(member);
    expect(withProfile(member, { i: 3, n: "other" })).toBe(member);
    expect(withProfile(member, undefined)).toBe(member);
  });

  it("learns users, keeping the record when nothing is news", () => {
    const people = learned({}, [{ i: 1, n: "a", dn: "A" }]);
    expect(people).toEqual({ 1: { i: 1, n: "a", dn: "A" } });
    // A member's role and presence are not learned, only who they are.
    const member = { i: 1, n: "a", dn: "A", rl: Role.Member, on: false };
    expect(learned(people, [member])).toBe(people);
    expect(learned(people, [{ i: 1, n: "a" }])).toEqual({ 1: { i: 1, n: "a" } });
    expect(sameProfile({ i: 1, n: "a", g: true }, { i: 1, n: "a" })).toBe(false);
  });

  it("shows member lists with the profiles last heard of under the same name", () => {
    const list = [
      { i: 1, n: "alice", rl: Role.Member, on: true },
      { i: 2, n: "bob", rl: Role.Member, on: true },
    ];
    expect(shownMembers(list, {})).toBe(list);
    const shown = shownMembers(list, {
      1: { i: 1, n: "alice", dn: "Alice", av: "img" },
      // Heard of under an older name: the list's is newer, and shown as it is.
      2: { i: 2, n: "robert", dn: "Robert" },
    });
    expect(shown).toEqual([
      { i: 1, n: "alice", dn: "Alice", av: "img", rl: Role.Member, on: true },
      list[1],
    ]);
    expect(shown[1]).toBe(list[1]);
  });

  it("shows a person named somewhere by their current name and profile", () => {
    const members = [
      { i: 1, n: "alice", dn: "Alice", rl: Role.Member, on: true },
      { i: 2, n: "bob", rl: Role.Member, on: true },
    ];
    const people = {
      3: { i: 3, n: "carol", dn: "Carol", av: "c" },
      4: { i: 4, n: "dora", dn: "Dora" },
    };
    const person = personOf(members, { 4: "dorothy" }, people);
    // A member, as the list shows them.
    expect(person(1, "alice")).toBe(members[0]);
    expect(displayName(person(1, "alice"))).toBe("Alice");
    expect(displayName(person(2, "bob"))).toBe("bob");
    // Not a member: as last heard of under that name.
    expect(person(3, "carol")).toBe(people[3]);
    // Written under an older name: the member's name now.
    expect(person(1, "alicia")).toBe(members[0]);
    // Renamed since they were last heard of: the new name, without the old profile.
    expect(person(4, "dora")).toEqual({ i: 4, n: "dorothy" });
    // Unknown: by id and name.
    expect(person(9, "zed")).toEqual({ i: 9, n: "zed" });
    // A change of profile shows once it is built from the news.
    const later = personOf([{ ...members[0]!, dn: "Alice L." }], {}, people);
    expect(displayName(later(1, "alice"))).toBe("Alice L.");
  });

  it("names typists by their display names, found among the members by username", () => {
    const members = [
      { i: 1, n: "alice", dn: "Alice", rl: Role.Member, on: true },
      { i: 2, n: "bob", rl: Role.Member, on: true },
    ];
    const person = personOf(members, {}, {});
    expect(typistNames(["bob", "alice", "newcomer"], members, person)).toEqual([
      "bob",
      "Alice",
      "newcomer",
    ]);
    expect(typistNames([], members, person)).toEqual([]);
  });
});
