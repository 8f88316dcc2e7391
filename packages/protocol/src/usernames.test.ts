import { describe, expect, it } from "vitest";
import { deletedUsername, GUEST_PREFIX, isDeletedUsername, isReservedUsername } from "./usernames";

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

describe("deleted accounts' names", () => {
  it("are reserved, and recognised only in the form the server gives", () => {
    expect(deletedUsername(42)).toBe("deleted-42");
    for (const name of ["deleted-42", "Deleted_x", "ｄｅｌｅｔｅｄ-1"])
      expect(isReservedUsername(name), name).toBe(true);
    expect(isDeletedUsername(deletedUsername(7))).toBe(true);
    for (const name of ["deleted-", "deleted-7x", "undeleted-7", "deleted"])
      expect(isDeletedUsername(name), name).toBe(false);
    expect(isReservedUsername("deleted")).toBe(false);
  });
});
