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
