import { describe, expect, it } from "vitest";
import { exportLimitedText, profileChangeOf, profileFormOf, signedOutText } from "./account";

describe("account settings", () => {
  it("fills the profile form from the profile", () => {
    expect(profileFormOf({ dn: "Alice", sx: "here" })).toEqual({
      displayName: "Alice",
      status: "here",
    });
    expect(profileFormOf({})).toEqual({ displayName: "", status: "" });
  });

  it("asks only for what changed, trimmed, an emptied field cleared", () => {
    const user = { dn: "Alice", sx: "here" };
    expect(profileChangeOf(user, { displayName: " Alice ", status: "here" })).toBeUndefined();
    expect(profileChangeOf(user, { displayName: "Alice L.", status: "here" })).toEqual({
      displayName: "Alice L.",
    });
    expect(profileChangeOf(user, { displayName: "  ", status: "" })).toEqual({
      displayName: null,
      status: null,
    });
    expect(profileChangeOf({}, { displayName: "", status: "On holiday" })).toEqual({
      status: "On holiday",
    });
  });

  it("says how many sessions were signed out", () => {
    expect(signedOutText(0)).toBe("No other session was signed in.");
    expect(signedOutText(1)).toBe("Signed out 1 other session.");
    expect(signedOutText(3)).toBe("Signed out 3 other sessions.");
  });

  it("says when the data may be downloaded again", () => {
    expect(exportLimitedText(540_000)).toBe(
      "You downloaded your data several times already. Try again in 9 minutes.",
    );
    expect(exportLimitedText(5_000)).toBe(
      "You downloaded your data several times already. Try again in a minute.",
    );
    expect(exportLimitedText(undefined)).toBe(
      "You downloaded your data several times already. Try again in a few minutes.",
    );
  });
});
