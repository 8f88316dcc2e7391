import { EventType, type MessageEvent, NotifyLevel } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { mentionAlert } from "./mention-alert";

const me = 5;
const now = 1_000_000;
const channel = { id: 3, name: "ops", level: NotifyLevel.Mentions };
const message = (over: Partial<MessageEvent> = {}): MessageEvent => ({
  s: 10,
  t: EventType.MessagePosted,
  ts: now - 1000,
  a: 9,
  an: "carol",
  i: 77,
  x: "@me   look\nhere",
  n: "n",
  ...over,
});

describe("mentionAlert", () => {
  it("alerts for a fresh message that mentions me, titled by the channel", () => {
    expect(mentionAlert(message({ mn: [me] }), channel, me, now)).toEqual({
      title: "Mention in #ops",
      body: "carol: @me look here",
      tag: "parley-channel-3",
    });
  });

  it("alerts for a group mention", () => {
    expect(mentionAlert(message({ mg: "here" }), channel, me, now)).not.toBeNull();
  });

  it.each([
    ["a message that mentions someone else", message({ mn: [8] }), channel],
    ["my own message", message({ a: me, mn: [me] }), channel],
    ["a replayed old message", message({ mn: [me], ts: now - 120_000 }), channel],
    ["a channel at level Nothing", message({ mn: [me] }), { ...channel, level: NotifyLevel.None }],
  ])("stays quiet for %s", (_what, event, ch) => {
    expect(mentionAlert(event, ch, me, now)).toBeNull();
  });
});
