import { EventType, type MessageEvent, NotifyLevel } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { messageAlert } from "./message-alert";

const me = 5;
const now = 1_000_000;
const channel = { id: 3, name: "ops", level: NotifyLevel.Mentions, direct: false };
const dm = { id: 4, name: "\ndm:5,9", level: NotifyLevel.Mentions, direct: true };
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

describe("messageAlert", () => {
  it("alerts for a fresh message that mentions me, titled by the channel", () => {
    expect(messageAlert(message({ mn: [me] }), channel, me, now)).toEqual({
      title: "Mention in #ops",
      body: "carol: @me look here",
      tag: "parley-channel-3",
    });
  });

  it("names the file of a message of files alone", () => {
    const files = [{ i: "f1", n: "build.log", sz: 10, ty: "text/plain" }];
    expect(messageAlert(message({ x: "", f: files }), dm, me, now)?.body).toBe("📎 build.log");
  });

  it("alerts for a group mention", () => {
    expect(messageAlert(message({ mg: "here" }), channel, me, now)).not.toBeNull();
  });

  it("alerts for any message of a channel at level All, titled by the channel", () => {
    expect(messageAlert(message(), { ...channel, level: NotifyLevel.All }, me, now)).toEqual({
      title: "#ops",
      body: "carol: @me look here",
      tag: "parley-channel-3",
    });
  });

  it("alerts for any message of a DM, titled by its author, never by the DM's stored name", () => {
    expect(messageAlert(message(), dm, me, now)).toEqual({
      title: "carol",
      body: "@me look here",
      tag: "parley-channel-4",
    });
  });

  it.each([
    ["a message that mentions someone else", message({ mn: [8] }), channel],
    ["a plain message at level Mentions", message(), channel],
    ["my own message", message({ a: me, mn: [me] }), channel],
    ["my own message in a DM", message({ a: me }), dm],
    ["a replayed old message", message({ mn: [me], ts: now - 120_000 }), channel],
    ["a channel at level Nothing", message({ mn: [me] }), { ...channel, level: NotifyLevel.None }],
    ["a DM at level Nothing", message(), { ...dm, level: NotifyLevel.None }],
  ])("stays quiet for %s", (_what, event, ch) => {
    expect(messageAlert(event, ch, me, now)).toBeNull();
  });
});
