import { ParleyRequestError } from "@parley/client";
import { ERRORS, type Report, ReportStatus } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  actionText,
  closingRefusal,
  type HeldMessage,
  heldPosted,
  heldReported,
  heldSent,
  isOwnHeld,
} from "./held";

const ME = 1;

/** The author's copy of a held message's report (no entry, no closer). */
const report = (id: number, x: string, st: ReportStatus = ReportStatus.Open): Report => ({
  id,
  c: 7,
  cn: "general",
  m: 0,
  s: 0,
  u: ME,
  un: "me",
  x,
  by: 0,
  byn: "",
  rs: "",
  ts: 500 + id,
  st,
  hd: true,
});

/** A send refused with MESSAGE_HELD, naming report `id`. */
const sent = (id: number, nonce: string, x: string, afterSeq = 3) => ({
  id,
  nonce,
  x,
  ts: 100,
  afterSeq,
});

/** Each line as `key id nonce status`, for short expectations. */
const shape = (list: readonly HeldMessage[]) =>
  list.map((h) => `${h.key} ${h.id} ${h.nonce ?? "-"} ${h.status}`);

describe("held messages", () => {
  it("make one line of a send's refusal and its push, whichever comes first, by the report's id", () => {
    const refusalFirst = heldReported(
      heldSent([], sent(4, "a", "buy crypto")),
      report(4, "buy crypto"),
      9,
    );
    expect(shape(refusalFirst)).toEqual(["r-4 4 a waiting"]);
    // Where it was sent stays its place, not where the push found the channel.
    expect(refusalFirst[0]?.afterSeq).toBe(3);

    const pushFirst = heldSent(
      heldReported([], report(4, "buy crypto"), 9),
      sent(4, "a", "buy crypto"),
    );
    expect(shape(pushFirst)).toEqual(["r-4 4 a waiting"]);
    expect(pushFirst[0]?.afterSeq).toBe(9);
  });

  it("keep two sends of the same text apart, each with its own report", () => {
    let list = heldSent([], sent(4, "a", "same"));
    list = heldReported(list, report(5, "same"), 3);
    list = heldReported(list, report(4, "same"), 3);
    list = heldSent(list, sent(5, "b", "same"));
    expect(shape(list)).toEqual(["r-4 4 a waiting", "r-5 5 b waiting"]);
  });

  it("change nothing for a retry of a send held already", () => {
    const list = heldReported(heldSent([], sent(4, "a", "x")), report(4, "x"), 3);
    expect(heldSent(list, sent(4, "a", "x"))).toBe(list);
  });

  it("go when approved, say so when dropped, and never go back to waiting", () => {
    const waiting = heldReported(heldSent([], sent(4, "a", "x")), report(4, "x"), 3);
    expect(heldReported(waiting, report(4, "x", ReportStatus.Resolved), 3)).toEqual([]);
    const dropped = heldReported(waiting, report(4, "x", ReportStatus.Dismissed), 3);
    expect(shape(dropped)).toEqual(["r-4 4 a dropped"]);
    expect(shape(heldReported(dropped, report(4, "x"), 3))).toEqual(["r-4 4 a dropped"]);
    // An approval of a report with no line shown (dismissed here) changes nothing.
    expect(heldReported([], report(8, "y", ReportStatus.Resolved), 3)).toEqual([]);
  });

  it("tell of a drop even after the waiting line was dismissed", () => {
    const list = heldReported([], report(6, "gone", ReportStatus.Dismissed), 12);
    expect(shape(list)).toEqual(["r-6 6 - dropped"]);
    expect(list[0]).toMatchObject({ x: "gone", afterSeq: 12, ts: 506 });
  });

  it("keep a reply's quote from the send, to give it back with the text", () => {
    const rp = { m: 40, s: 2, a: 2, an: "u2", x: "question" };
    const pushFirst = heldReported([], report(4, "answer"), 3);
    expect(heldSent(pushFirst, { ...sent(4, "a", "answer"), rp })[0]?.rp).toEqual(rp);
  });

  it("keep the names of a send's files, also on a line its push made first", () => {
    const files = ["plan.pdf", "photo.png"];
    expect(heldSent([], { ...sent(4, "a", "x"), files })[0]?.files).toEqual(files);
    const pushFirst = heldReported([], report(4, "x"), 3);
    expect(heldSent(pushFirst, { ...sent(4, "a", "x"), files })[0]?.files).toEqual(files);
    expect(heldSent([], { ...sent(4, "a", "x"), files: [] })[0]?.files).toBeUndefined();
  });

  it("go when the message is posted with the send's nonce (its approval's push lost)", () => {
    const list = heldSent(heldSent([], sent(1, "a", "one")), sent(2, "b", "two"));
    expect(shape(heldPosted(list, new Set(["b", "zz"])))).toEqual(["r-1 1 a waiting"]);
    expect(heldPosted(list, new Set(["zz"]))).toBe(list);
    expect(heldPosted(list, new Set())).toBe(list);
  });

  it("are only your own held messages, not reports you handle", () => {
    expect(isOwnHeld(report(1, "x"), ME)).toBe(true);
    expect(isOwnHeld(report(1, "x"), 2)).toBe(false);
    expect(isOwnHeld({ ...report(1, "x"), hd: undefined } as Report, ME)).toBe(false);
    expect(isOwnHeld(report(1, "x"), undefined)).toBe(false);
  });

  it("read a /me command's text as the message it posts", () => {
    expect(actionText("/me waves  ")).toBe("waves");
    expect(actionText("/ME  waves\nhello")).toBe("waves\nhello");
    expect(actionText("/me")).toBeUndefined();
    expect(actionText("/mute @bob")).toBeUndefined();
  });

  it("say why an approval was refused as the moderator reads it, and that the message is still held", () => {
    const refusal = (code: number, m: string) => new ParleyRequestError({ c: code, m });
    const text = (err: unknown) => (err instanceof Error ? err.message : String(err));
    const held = report(1, "x");
    const muted = refusal(ERRORS.MUTED.code, ERRORS.MUTED.message);
    expect(closingRefusal(held, ReportStatus.Resolved, muted, text)).toBe(
      "Not approved: its author is muted in the channel. It is still held.",
    );
    expect(
      closingRefusal(held, ReportStatus.Resolved, refusal(ERRORS.NOT_A_MEMBER.code, "gone"), text),
    ).toBe("Not approved: its author is no longer in the channel. It is still held.");
    // Other refusals keep the server's text; a drop and a plain report say so.
    const limited = refusal(ERRORS.RATE_LIMITED.code, "Too many requests");
    expect(closingRefusal(held, ReportStatus.Resolved, limited, text)).toBe(
      "Not approved: Too many requests",
    );
    expect(closingRefusal(held, ReportStatus.Dismissed, muted, text)).toBe(
      "Not dropped: You are muted in this channel",
    );
    expect(closingRefusal({}, ReportStatus.Resolved, muted, text)).toBe(
      "Not handled: You are muted in this channel",
    );
  });
});
