import { describe, expect, it } from "vitest";
import { notifies } from "./notify";
import { NotifyLevel } from "./ops";

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
  ])("in a channel at level %s, a message with %o notifies: %s", (level, event, why) => {
    expect(notifies(bob, level, event, false)).toBe(why);
  });

  it.each([
    [NotifyLevel.All, {}, "message"],
    [NotifyLevel.Mentions, {}, "message"],
    [NotifyLevel.Mentions, { mn: [bob] }, "mention"],
    [NotifyLevel.None, {}, false],
    [NotifyLevel.None, { mn: [bob] }, false],
  ])("in a direct message at level %s, a message with %o notifies: %s", (level, event, why) => {
    expect(notifies(bob, level, event, true)).toBe(why);
  });
});
