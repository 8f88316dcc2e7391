import { NotifyLevel } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import type { ChannelRow } from "../storage/storage";
import { notifies } from "./push-service";

const channel: ChannelRow = {
  id: 1,
  name: "c",
  topic: "",
  createdBy: 1,
  createdAt: 0,
  lastSeq: 0,
  slowMode: 0,
  isPrivate: false,
  isDirect: false,
};
const bob = 7;

describe("notifies", () => {
  it.each([
    [NotifyLevel.All, {}, "message"],
    [NotifyLevel.All, { mn: [bob] }, "mention"],
    [NotifyLevel.Mentions, {}, false],
    [NotifyLevel.Mentions, { mn: [3, 4] }, false],
    [NotifyLevel.Mentions, { mn: [3, bob] }, "mention"],
    [NotifyLevel.Mentions, { mg: "here" as const }, "mention"],
    [NotifyLevel.Mentions, { mg: "channel" as const }, "mention"],
    [NotifyLevel.None, { mn: [bob] }, false],
    [NotifyLevel.None, { mg: "channel" as const }, false],
    [NotifyLevel.None, {}, false],
  ])("at level %s, a message with %o notifies: %s", (level, event, why) => {
    expect(notifies({ userId: bob, level }, event, channel)).toBe(why);
  });

  it.each([
    [NotifyLevel.All, {}, "message"],
    [NotifyLevel.Mentions, {}, "message"],
    [NotifyLevel.Mentions, { mn: [bob] }, "mention"],
    [NotifyLevel.None, {}, false],
  ])("in a direct message at level %s, a message with %o notifies: %s", (level, event, why) => {
    expect(notifies({ userId: bob, level }, event, { ...channel, isDirect: true })).toBe(why);
  });
});
