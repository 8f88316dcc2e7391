import { describe, expect, it } from "vitest";
import { inviteCodeOf } from "./invite-link";
import { isSignupRoute, signupCodeOf, signupLink } from "./signup-link";

describe("sign-up links", () => {
  it("reads the code from a sign-up route", () => {
    expect(signupCodeOf("#/signup/AbCdEfGhIjKlMnOpQr_-12")).toBe("AbCdEfGhIjKlMnOpQr_-12");
    expect(signupCodeOf("#/signup/AbCdEfGhIjKlMnOpQr_-12/")).toBe("AbCdEfGhIjKlMnOpQr_-12");
  });

  it("names no code for other hashes or a malformed code", () => {
    expect(signupCodeOf("")).toBeUndefined();
    expect(signupCodeOf("#/invite/AbCdEfGhIjKlMnOpQr_-12")).toBeUndefined();
    expect(signupCodeOf("#/signup/short")).toBeUndefined();
    expect(signupCodeOf("#/signup/has spaces in it here")).toBeUndefined();
    expect(signupCodeOf(`#/signup/${"a".repeat(65)}`)).toBeUndefined();
    expect(isSignupRoute("#/signup/short")).toBe(true);
    expect(isSignupRoute("#/invite/AbCdEfGhIjKlMnOpQr_-12")).toBe(false);
  });

  it("makes a link that reads back to its code, and is no channel invite", () => {
    const link = signupLink("https://chat.example", "AbCdEfGhIjKlMnOpQr_-12");
    expect(link).toBe("https://chat.example/#/signup/AbCdEfGhIjKlMnOpQr_-12");
    expect(signupCodeOf(new URL(link).hash)).toBe("AbCdEfGhIjKlMnOpQr_-12");
    expect(inviteCodeOf(new URL(link).hash)).toBeUndefined();
  });
});
