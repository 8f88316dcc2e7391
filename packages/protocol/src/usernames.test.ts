import { describe, expect, it } from "vitest";
import { GUEST_PREFIX, isReservedUsername } from "./usernames";

describe("isReservedUsername", () => {
  it("reserves the guest prefix and its look-alike in any case", () => {
    for (const name of [`${GUEST_PREFIX}abc123`, "GUEST-x", "Guest_abc", "ｇｕｅｓｔ-abc"])
      expect(isReservedUsername(name), name).toBe(true);
  });

  it("leaves other names alone, guest-like ones included", () => {
    for (const name of ["guestbook", "guest", "my-guest-1", "alice", "gues-t"])
      expect(isReservedUsername(name), name).toBe(false);
  });
});
