import { Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { ChannelRoles } from "./channel-roles";

describe("ChannelRoles", () => {
  it("behaves as a map of channel to role, empty or not", () => {
    const roles = new ChannelRoles();
    expect(roles.size).toBe(0);
    expect(roles.has(1)).toBe(false);
    expect(roles.get(1)).toBeUndefined();
    expect(roles.delete(1)).toBe(false);
    expect([...roles.keys()]).toEqual([]);

    roles.set(1, Role.Member).set(2, Role.Owner);
    roles.set(1, Role.Moderator);
    expect(roles.size).toBe(2);
    expect(roles.get(1)).toBe(Role.Moderator);
    expect([...roles]).toEqual([
      [1, Role.Moderator],
      [2, Role.Owner],
    ]);

    expect(roles.delete(1)).toBe(true);
    expect(roles.delete(2)).toBe(true);
    expect(roles.size).toBe(0);
    expect([...roles.entries()]).toEqual([]);
    roles.set(3, Role.Member);
    expect([...roles.keys()]).toEqual([3]);
  });
});

describe("ChannelRoles › since", () => {
  it("keeps the seq a membership is known since, beside the role, and never moves it back", () => {
    const roles = new ChannelRoles();
    expect(roles.since(7)).toBeUndefined();
    roles.set(7, Role.Member);
    expect(roles.since(7)).toBe(0);
    roles.set(7, Role.Member, 1_000_000_007);
    expect(roles.since(7)).toBe(1_000_000_007);
    expect(roles.get(7)).toBe(Role.Member);
    // A role change keeps the seq, and an older seq does not replace a newer one.
    roles.set(7, Role.Owner);
    roles.set(7, Role.Owner, 5);
    expect(roles.get(7)).toBe(Role.Owner);
    expect(roles.since(7)).toBe(1_000_000_007);
    // A membership that ends and starts again starts from its own seq.
    roles.delete(7);
    roles.set(7, Role.Moderator, 3);
    expect([roles.get(7), roles.since(7)]).toEqual([Role.Moderator, 3]);
  });
});
