import { describe, expect, it } from "vitest";
import { type AuditLine, auditText } from "./audit";

const format = { time: (ms: number) => `<${ms}>`, duration: (ms: number) => `${ms / 1000}s` };
const by = { ts: 1, a: 2, an: "bob" };

describe("auditText", () => {
  it.each<[Omit<AuditLine, "ts" | "a" | "an">, string]>([
    [{ ac: "mute", un: "carol", rs: "spam", ut: 99 }, "bob muted carol until <99>: spam"],
    [{ ac: "ban", un: "carol" }, "bob banned carol indefinitely"],
    [{ ac: "kick", un: "carol" }, "bob removed carol"],
    [{ ac: "unmute", un: "carol" }, "bob unmuted carol"],
    [{ ac: "mod", un: "carol" }, "bob made carol a moderator"],
    [{ ac: "unmod", un: "carol" }, "bob made carol a member"],
    [{ ac: "topic", rs: "Hello" }, "bob set the topic to “Hello”"],
    [{ ac: "topic" }, "bob cleared the topic"],
    [{ ac: "slow", rs: "30" }, "bob turned slow mode on: one message every 30s"],
    [{ ac: "slow", rs: "0" }, "bob turned slow mode off"],
    [
      { ac: "retention", rs: "30" },
      "bob set the channel's retention: messages are deleted once 30 days old",
    ],
    [{ ac: "retention", rs: "0" }, "bob removed the channel's own retention"],
    [{ ac: "automod", rs: "block free money" }, "bob blocked “free money” in the channel"],
    [{ ac: "automod", rs: "unblock spam*" }, "bob unblocked “spam*” in the channel"],
    [
      { ac: "automod", rs: "hold crypto*" },
      "bob set “crypto*” to be held for review in the channel",
    ],
    [
      { ac: "held-approved", un: "carol", rs: "crypto*" },
      "bob approved a held message by carol: crypto*",
    ],
    [{ ac: "held-dropped", un: "carol" }, "bob dropped a held message by carol"],
    [{ ac: "serverban", un: "carol", rs: "abuse" }, "bob banned carol from the server: abuse"],
    [{ ac: "serverunban", un: "carol" }, "bob lifted carol's server ban"],
    [{ ac: "delete", un: "carol", rs: "off topic" }, "bob deleted a message by carol: off topic"],
    [
      { ac: "report-resolved", un: "carol", rs: "spam" },
      "bob resolved a report of a message by carol: spam",
    ],
    [{ ac: "report-dismissed", un: "carol" }, "bob dismissed a report of a message by carol"],
    [{ ac: "private" }, "bob made the channel private"],
    [{ ac: "public" }, "bob made the channel public"],
  ])("words %o as a sentence", (entry, text) => {
    expect(auditText({ ...by, ...entry }, format)).toBe(text);
  });

  it("names the end of a mute or ban by the server as an expiry", () => {
    expect(auditText({ ts: 1, a: 0, an: "", ac: "unmute", un: "carol" }, format)).toBe(
      "carol's mute ended",
    );
    expect(auditText({ ts: 1, a: 0, an: "", ac: "unban", un: "carol" }, format)).toBe(
      "carol's ban ended",
    );
  });

  it("keeps an action it does not know readable", () => {
    expect(auditText({ ...by, ac: "pin", un: "carol", rs: "why" }, format)).toBe(
      "bob pin carol: why",
    );
  });
});
