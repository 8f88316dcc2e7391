import { describe, expect, it } from "vitest";
import { TYPING_RENEW_MS, TypingThrottle } from "./typing-throttle";

describe("TypingThrottle", () => {
  it("starts at the first keystroke, renews at most every interval, stops once", () => {
    let now = 0;
    const sent: boolean[] = [];
    const t = new TypingThrottle(
      (on) => sent.push(on),
      () => now,
    );
    t.input("h");
    now += 500;
    t.input("he");
    now += TYPING_RENEW_MS;
    t.input("hel");
    t.input("");
    t.stop();
    expect(sent).toEqual([true, true, false]);
  });

  it("sends no stop when it never started", () => {
    const sent: boolean[] = [];
    const t = new TypingThrottle((on) => sent.push(on));
    t.input("   ");
    t.stop();
    expect(sent).toEqual([]);
  });
});
