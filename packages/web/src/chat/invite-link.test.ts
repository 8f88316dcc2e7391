import { describe, expect, it } from "vitest";
import { inviteCodeOf, inviteLink, isInviteRoute } from "./invite-link";

describe("invite links", () => {
  it("reads the code from an invite route", () => {
    expect(inviteCodeOf("#/invite/AbCdEfGhIjKlMnOpQr_-12")).toBe("AbCdEfGhIjKlMnOpQr_-12");
    expect(inviteCodeOf("#/invite/AbCdEfGhIjKlMnOpQr_-12/")).toBe("AbCdEfGhIjKlMnOpQr_-12");
  });

  it("names no code for other hashes or a malformed code", () => {
    expect(inviteCodeOf("")).toBeUndefined();
    expect(inviteCodeOf("#/c/12/40")).toBeUndefined();
    expect(inviteCodeOf("#/invite/short")).toBeUndefined();
    expect(inviteCodeOf("#/invite/has spaces in it here")).toBeUndefined();
    expect(isInviteRoute("#/invite/short")).toBe(true);
    expect(isInviteRoute("#/c/12")).toBe(false);
  });

  it("makes a link that reads back to its code", () => {
    const link = inviteLink("https://chat.example", "AbCdEfGhIjKlMnOpQr_-12");
    expect(link).toBe("https://chat.example/#/invite/AbCdEfGhIjKlMnOpQr_-12");
    expect(inviteCodeOf(new URL(link).hash)).toBe("AbCdEfGhIjKlMnOpQr_-12");
  });
});
