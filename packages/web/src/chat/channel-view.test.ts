import {
  type ChannelEvent,
  type ChannelSummary,
  ERRORS,
  EventType,
  type FileRef,
  type HistoryPage,
  type MessageEvent,
  type MessageVersion,
  type Report,
  ReportStatus,
  Role,
} from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  type ChannelInput,
  type ChannelView,
  canDelete,
  canEdit,
  canLoadNewer,
  canLoadOlder,
  canPin,
  canReport,
  findMessage,
  hasOlder,
  isDetached,
  isLoaded,
  isMuted,
  lastOwnMessage,
  newChannelView,
  quoteOf,
  reduceChannel,
  removalNotice,
  shownItems,
} from "./channel-view";

const ME = 1;
const NOW = 1_000_000;

const summary = (extra: Partial<ChannelSummary> = {}): ChannelSummary => ({
  i: 7,
  n: "general",
  tp: "",
  mc: 2,
  oc: 1,
  rl: Role.Member,
  ls: 0,
  sl: 0,
  ...extra,
});

const msg = (s: number, a = 2, n = `n${s}`): MessageEvent => ({
  s,
  t: EventType.MessagePosted,
  ts: s * 10,
  a,
  an: `u${a}`,
  i: 100 + s,
  x: `text ${s}`,
  n,
});

const moderation = (
  s: number,
  t: typeof EventType.MemberMuted | typeof EventType.MemberUnmuted | typeof EventType.MemberKicked,
  extra: { u?: number; ut?: number; rs?: string } = {},
): ChannelEvent => ({ s, t, ts: s * 10, a: 3, an: "mod", u: ME, un: "me", ...extra });

/** Message `m` edited to `x` (version 2) by user 2, at seq `s`. */
const edited = (s: number, m: number, x: string): ChannelEvent => ({
  s,
  t: EventType.MessageEdited,
  ts: s * 10,
  a: 2,
  an: "u2",
  m,
  v: 2,
  x,
  ed: s * 10,
});

const page = (e: ChannelEvent[], mb = false): HistoryPage => ({ e, mb, ma: false });

/** Feeds inputs one after the other, as the store does. */
const run = (view: ChannelView, ...inputs: ChannelInput[]): ChannelView =>
  inputs.reduce(reduceChannel, view);

const fresh = (extra: Partial<ChannelSummary> = {}) => newChannelView(summary(extra));

const ready = (items: ChannelEvent[], mb = false, extra: Partial<ChannelSummary> = {}) =>
  run(fresh(extra), {
    type: "joined",
    summary: summary(extra),
    page: page(items, mb),
    me: ME,
    now: NOW,
  });

const events = (...e: ChannelEvent[]): ChannelInput => ({
  type: "events",
  events: e,
  me: ME,
  now: NOW,
});

const seqs = (view: ChannelView) => view.items.map((e) => e.s);

describe("reduceChannel", () => {
  describe("history", () => {
    it("reads the latest page once: idle, then loading, then ready with its items", () => {
      const idle = fresh();
      expect(idle.history).toEqual({ phase: "idle" });
      const loading = reduceChannel(idle, { type: "latest-requested" });
      expect(loading.history).toEqual({ phase: "loading" });
      expect(reduceChannel(loading, { type: "latest-requested" })).toBe(loading);
      const loaded = reduceChannel(loading, {
        type: "latest-loaded",
        page: page([msg(4), msg(5)], true),
        me: ME,
        now: NOW,
      });
      expect(loaded.history).toEqual({ phase: "ready", hasOlder: true });
      expect(seqs(loaded)).toEqual([4, 5]);
      expect(isLoaded(loaded)).toBe(true);
    });

    it("goes back to idle when the latest page could not be read, so the next open asks again", () => {
      const failed = run(fresh(), { type: "latest-requested" }, { type: "latest-failed" });
      expect(failed.history).toEqual({ phase: "idle" });
      expect(isLoaded(failed)).toBe(false);
    });

    it("ignores a latest page that comes after a join reply already brought one", () => {
      const joined = ready([msg(4)], true);
      const late = reduceChannel(joined, {
        type: "latest-loaded",
        page: page([msg(1)], false),
        me: ME,
        now: NOW,
      });
      expect(late).toBe(joined);
    });

    it("takes the summary, the items and whether older ones exist from a join reply", () => {
      const joined = run(fresh(), events(msg(6)), {
        type: "joined",
        summary: summary({ tp: "news" }),
        page: page([msg(4), msg(5)], true),
        me: ME,
        now: NOW,
      });
      expect(joined.summary.tp).toBe("news");
      expect(seqs(joined)).toEqual([4, 5, 6]);
      expect(hasOlder(joined)).toBe(true);
    });

    it("offers an older page only when ready with older items held back", () => {
      expect(canLoadOlder(fresh(), NOW)).toBe(false);
      expect(canLoadOlder(ready([msg(4)], false), NOW)).toBe(false);
      const view = ready([msg(4)], true);
      expect(canLoadOlder(view, NOW)).toBe(true);
      const loadingOlder = reduceChannel(view, { type: "older-requested" });
      expect(loadingOlder.history).toEqual({ phase: "loading-older" });
      expect(canLoadOlder(loadingOlder, NOW)).toBe(false);
      expect(hasOlder(loadingOlder)).toBe(true);
      expect(isLoaded(loadingOlder)).toBe(true);
    });

    it("prepends an older page and records whether still older items exist", () => {
      const view = run(
        ready([msg(4), msg(5)], true),
        { type: "older-requested" },
        { type: "older-loaded", page: page([msg(2), msg(3)], false) },
      );
      expect(seqs(view)).toEqual([2, 3, 4, 5]);
      expect(view.history).toEqual({ phase: "ready", hasOlder: false });
    });

    it("waits until retryAt before offering an older page again after a failed read", () => {
      const view = run(
        ready([msg(4)], true),
        { type: "older-requested" },
        { type: "older-failed", retryAt: NOW + 2000 },
      );
      expect(view.history).toEqual({ phase: "ready", hasOlder: true, retryAt: NOW + 2000 });
      expect(canLoadOlder(view, NOW + 1999)).toBe(false);
      expect(canLoadOlder(view, NOW + 2000)).toBe(true);
    });

    it("drops what is held on a resync and starts over from idle, keeping sends and notes", () => {
      const view = run(
        ready([msg(4)], true),
        { type: "send-pending", nonce: "a", x: "hi", ts: NOW },
        { type: "note", id: 1, ts: NOW, text: "note" },
        { type: "resync" },
      );
      expect(view.items).toEqual([]);
      expect(view.history).toEqual({ phase: "idle" });
      expect(view.pending.map((p) => p.nonce)).toEqual(["a"]);
      expect(view.notes.map((n) => n.text)).toEqual(["note"]);
    });

    it("drops an older page that arrives after a resync, as it no longer joins what is held", () => {
      const view = run(
        ready([msg(40)], true),
        { type: "older-requested" },
        { type: "resync" },
        { type: "older-loaded", page: page([msg(2)], true) },
      );
      expect(view.items).toEqual([]);
      expect(view.history).toEqual({ phase: "idle" });
    });
  });

  describe("live events", () => {
    it("adds events once by seq, replayed ones included", () => {
      const view = run(ready([msg(4)]), events(msg(5), msg(6)), events(msg(5), msg(7)));
      expect(seqs(view)).toEqual([4, 5, 6, 7]);
    });

    it("follows the topic, slow mode and this user's role from events", () => {
      const view = run(
        ready([]),
        events(
          { s: 1, t: EventType.TopicChanged, ts: 0, a: 3, an: "mod", tp: "new topic" },
          { s: 2, t: EventType.SlowModeChanged, ts: 0, a: 3, an: "mod", sl: 30 },
          {
            s: 3,
            t: EventType.RoleChanged,
            ts: 0,
            a: 3,
            an: "mod",
            u: ME,
            un: "me",
            rl: Role.Moderator,
          },
          { s: 4, t: EventType.RoleChanged, ts: 0, a: 3, an: "mod", u: 9, un: "x", rl: Role.Owner },
        ),
      );
      expect(view.summary).toMatchObject({ tp: "new topic", sl: 30, rl: Role.Moderator });
    });

    it("follows the channel's visibility from events", () => {
      const visibility = (s: number, pv: boolean) =>
        events({ s, t: EventType.ChannelVisibilityChanged, ts: 0, a: 3, an: "owner", pv });
      const made = run(ready([]), visibility(1, true));
      expect(made.summary.pv).toBe(true);
      expect(run(ready([]), visibility(1, true), visibility(2, false)).summary.pv).toBeUndefined();
    });

    it("counts members by the joins and leaves after the summary's snapshot point", () => {
      const joined = (s: number, a: number): ChannelEvent => ({
        s,
        t: EventType.MemberJoined,
        ts: 0,
        a,
        an: `u${a}`,
      });
      const left = (s: number, a: number): ChannelEvent => ({
        ...joined(s, a),
        t: EventType.MemberLeft,
      });
      const big = ready([], false, { mc: 150, ls: 10 });
      // Seq 9 is before the snapshot (counted in `mc` already); the others come after it.
      const after = run(
        big,
        events(joined(9, 40), joined(11, 41), joined(12, 42)),
        events(left(13, 41), moderation(14, EventType.MemberKicked, { u: 42 })),
      );
      expect(run(big, events(joined(9, 40), joined(11, 41), joined(12, 42))).summary.mc).toBe(152);
      expect(after.summary.mc).toBe(150);
      // A summary sent again (a welcome) is the count from then on.
      const again = run(after, { type: "summary", summary: summary({ mc: 149, ls: 20 }) });
      expect(run(again, events(joined(20, 43), joined(21, 44))).summary.mc).toBe(150);
    });

    it("records the kick or ban of this user, not of others, to explain the removal", () => {
      const other = run(ready([]), events(moderation(3, EventType.MemberKicked, { u: 9 })));
      expect(other.removal).toBeUndefined();
      const kicked = run(ready([]), events(moderation(3, EventType.MemberKicked, { rs: "spam" })));
      expect(removalNotice(kicked, "kicked", NOW)).toBe(
        "You were removed from #general by mod: spam",
      );
      expect(removalNotice(kicked, "left", NOW)).toBeUndefined();
      expect(removalNotice(ready([]), "banned", NOW)).toBe(
        "You were banned from #general indefinitely",
      );
    });
  });

  describe("mute", () => {
    it("is set by a live mute of this user, with its end and reason, and lifted by an unmute", () => {
      const muted = run(
        ready([]),
        events(moderation(3, EventType.MemberMuted, { ut: NOW + 60_000, rs: "calm down" })),
      );
      expect(muted.mute).toEqual({ until: NOW + 60_000, reason: "calm down" });
      expect(isMuted(muted, NOW)).toBe(true);
      expect(isMuted(muted, NOW + 60_000)).toBe(false);
      const unmuted = reduceChannel(muted, events(moderation(4, EventType.MemberUnmuted)));
      expect(unmuted.mute).toBeUndefined();
      expect(isMuted(unmuted, NOW)).toBe(false);
    });

    it("ignores mutes of other users", () => {
      const view = run(ready([]), events(moderation(3, EventType.MemberMuted, { u: 9 })));
      expect(view.mute).toBeUndefined();
    });

    it("is indefinite when the mute has no end", () => {
      const view = run(ready([]), events(moderation(3, EventType.MemberMuted)));
      expect(view.mute).toEqual({ until: null });
      expect(isMuted(view, NOW + 10 ** 9)).toBe(true);
    });

    it("is read from the latest page: the last mute or unmute of this user decides", () => {
      const load = (e: ChannelEvent[]) =>
        run(
          fresh(),
          { type: "latest-requested" },
          { type: "latest-loaded", page: page(e), me: ME, now: NOW },
        );
      expect(load([moderation(1, EventType.MemberMuted), msg(2)]).mute).toEqual({ until: null });
      expect(
        load([moderation(1, EventType.MemberMuted), moderation(2, EventType.MemberUnmuted)]).mute,
      ).toBeUndefined();
      expect(load([moderation(1, EventType.MemberMuted, { ut: NOW - 1 })]).mute).toBeUndefined();
    });

    it("is read from a join reply's page as from any latest page", () => {
      const view = ready([moderation(1, EventType.MemberMuted, { ut: NOW + 5000 })]);
      expect(view.mute).toEqual({ until: NOW + 5000 });
    });

    it("is lifted by an unmute found in the page read after a resync", () => {
      const view = run(
        ready([moderation(1, EventType.MemberMuted)]),
        { type: "resync" },
        { type: "latest-requested" },
        {
          type: "latest-loaded",
          page: page([
            moderation(1, EventType.MemberMuted),
            moderation(5, EventType.MemberUnmuted),
          ]),
          me: ME,
          now: NOW,
        },
      );
      expect(view.mute).toBeUndefined();
    });

    it("is kept when a page tells nothing about it", () => {
      const muted = run(ready([]), events(moderation(3, EventType.MemberMuted)));
      const view = run(
        muted,
        { type: "resync" },
        {
          type: "latest-loaded",
          page: page([msg(9)]),
          me: ME,
          now: NOW,
        },
      );
      expect(view.mute).toEqual({ until: null });
    });

    it("is set by a mute refusal: until the time left, or indefinitely when none is given", () => {
      const refused = (retryAfterMs?: number) =>
        reduceChannel(ready([]), {
          type: "refused",
          code: ERRORS.MUTED.code,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          now: NOW,
        });
      expect(refused(3000).mute).toEqual({ until: NOW + 3000 });
      expect(refused().mute).toEqual({ until: null });
    });

    it("keeps the reason of a held mute when a refusal renews its end", () => {
      const view = run(
        ready([]),
        events(moderation(3, EventType.MemberMuted, { ut: NOW + 1000, rs: "calm" })),
        { type: "refused", code: ERRORS.MUTED.code, retryAfterMs: 9000, now: NOW },
      );
      expect(view.mute).toEqual({ until: NOW + 9000, reason: "calm" });
    });
  });

  describe("sends", () => {
    const acked = (nonce: string, s: number): ChannelInput => ({
      type: "send-acked",
      nonce,
      x: "hi",
      ack: { s, i: 100 + s, ts: s * 10 },
      me: { i: ME, n: "me" },
      now: NOW,
    });

    it("shows a send as pending until its ack confirms it as a stored message", () => {
      const pending = reduceChannel(ready([msg(4)]), {
        type: "send-pending",
        nonce: "a",
        x: "hi",
        ts: NOW,
      });
      expect(pending.pending).toEqual([{ nonce: "a", x: "hi", ts: NOW }]);
      const view = reduceChannel(pending, acked("a", 5));
      expect(view.pending).toEqual([]);
      expect(view.items.at(-1)).toMatchObject({ s: 5, a: ME, an: "me", x: "hi", n: "a" });
      expect(view.lastSentAt).toBe(NOW);
    });

    it("keeps a send's files while pending and on the stored message its ack makes", () => {
      const f: FileRef[] = [
        { i: "file-1", n: "a.png", sz: 10, ty: "image/png", w: 2, h: 1, th: true },
      ];
      const pending = reduceChannel(ready([msg(4)]), {
        type: "send-pending",
        nonce: "a",
        x: "",
        ts: NOW,
        f,
      });
      expect(pending.pending).toEqual([{ nonce: "a", x: "", ts: NOW, f }]);
      const view = reduceChannel(pending, { ...acked("a", 5), x: "" } as ChannelInput);
      expect(view.items.at(-1)).toMatchObject({ s: 5, x: "", f });
    });

    it("takes the mentions the ack carries onto the stored message", () => {
      const pending = reduceChannel(ready([msg(4)]), {
        type: "send-pending",
        nonce: "a",
        x: "@bob hi",
        ts: NOW,
      });
      const ack = acked("a", 5) as ChannelInput & { ack: object };
      const view = reduceChannel(pending, {
        ...ack,
        ack: { s: 5, i: 105, ts: 50, mn: [7], mg: "here" },
      } as ChannelInput);
      expect(view.items.at(-1)).toMatchObject({ s: 5, mn: [7], mg: "here" });
    });

    it("confirms a send by its push when the push comes before the ack, and holds it once", () => {
      const pushed = run(
        ready([]),
        { type: "send-pending", nonce: "a", x: "hi", ts: NOW },
        events(msg(5, ME, "a")),
      );
      expect(pushed.pending).toEqual([]);
      expect(seqs(reduceChannel(pushed, acked("a", 5)))).toEqual([5]);
    });

    it("leaves the item to the latest page when the ack comes before that page is held", () => {
      const view = run(
        fresh(),
        { type: "send-pending", nonce: "a", x: "hi", ts: NOW },
        acked("a", 5),
      );
      expect(view.items).toEqual([]);
      expect(view.pending).toEqual([]);
    });

    it("keeps a refused send with its error, clears it on retry, and drops it on discard", () => {
      const failed = run(
        ready([]),
        { type: "send-pending", nonce: "a", x: "hi", ts: NOW },
        { type: "send-pending", nonce: "b", x: "yo", ts: NOW },
        { type: "send-failed", nonce: "a", error: "Too long" },
      );
      expect(failed.pending).toEqual([
        { nonce: "a", x: "hi", ts: NOW, error: "Too long" },
        { nonce: "b", x: "yo", ts: NOW },
      ]);
      const retried = reduceChannel(failed, { type: "send-retried", nonce: "a" });
      expect(retried.pending[0]).toEqual({ nonce: "a", x: "hi", ts: NOW });
      const discarded = reduceChannel(retried, { type: "send-discarded", nonce: "a" });
      expect(discarded.pending.map((p) => p.nonce)).toEqual(["b"]);
    });

    it("starts the slow-mode wait at the ack, except for moderators", () => {
      expect(run(ready([], false, { sl: 10 }), acked("a", 5)).slowUntil).toBe(NOW + 10_000);
      expect(
        run(ready([], false, { sl: 10, rl: Role.Moderator }), acked("a", 5)).slowUntil,
      ).toBeUndefined();
    });

    it("recomputes the wait from the last send when slow mode changes, and clears it when off", () => {
      const sent = run(ready([], false, { sl: 10 }), acked("a", 5));
      const longer = reduceChannel(
        sent,
        events({ s: 6, t: EventType.SlowModeChanged, ts: 0, a: 3, an: "mod", sl: 60 }),
      );
      expect(longer.slowUntil).toBe(NOW + 60_000);
      const off = reduceChannel(
        longer,
        events({ s: 7, t: EventType.SlowModeChanged, ts: 0, a: 3, an: "mod", sl: 0 }),
      );
      expect(off.slowUntil).toBeUndefined();
    });

    it("keeps the channel's own retention as its events set and clear it", () => {
      const set = reduceChannel(
        ready([]),
        events({ s: 6, t: EventType.RetentionChanged, ts: 0, a: 3, an: "own", rd: 30 }),
      );
      expect(set.summary.rd).toBe(30);
      const cleared = reduceChannel(
        set,
        events({ s: 7, t: EventType.RetentionChanged, ts: 0, a: 3, an: "own", rd: 0 }),
      );
      expect(cleared.summary.rd).toBeUndefined();
    });

    it("sets the wait from a slow-mode refusal's time left", () => {
      const view = reduceChannel(ready([], false, { sl: 10 }), {
        type: "refused",
        code: ERRORS.SLOW_MODE.code,
        retryAfterMs: 4000,
        now: NOW,
      });
      expect(view.slowUntil).toBe(NOW + 4000);
    });

    it("changes nothing on a refusal that tells neither a mute nor slow mode", () => {
      const view = ready([]);
      expect(
        reduceChannel(view, { type: "refused", code: ERRORS.RATE_LIMITED.code, now: NOW }),
      ).toBe(view);
    });
  });

  describe("summary and notes", () => {
    it("replaces the summary sent again and clears the wait when slow mode is off", () => {
      const sent = run(ready([], false, { sl: 10 }), {
        type: "send-acked",
        nonce: "a",
        x: "hi",
        ack: { s: 1, i: 1, ts: 1 },
        me: { i: ME, n: "me" },
        now: NOW,
      });
      const still = reduceChannel(sent, { type: "summary", summary: summary({ sl: 10, mc: 5 }) });
      expect(still.summary.mc).toBe(5);
      expect(still.slowUntil).toBe(NOW + 10_000);
      const off = reduceChannel(sent, { type: "summary", summary: summary({ sl: 0 }) });
      expect(off.slowUntil).toBeUndefined();
    });

    it("places a note after the latest item held", () => {
      const view = reduceChannel(ready([msg(4), msg(9)]), {
        type: "note",
        id: 3,
        ts: NOW,
        text: "Done",
        log: [],
      });
      expect(view.notes).toEqual([{ id: 3, afterSeq: 9, ts: NOW, text: "Done" }]);
    });
  });

  describe("edit and delete", () => {
    const mine = (s: number) => msg(s, ME);
    const start = (messageId: number): ChannelInput => ({
      type: "edit-started",
      messageId,
      me: ME,
      origin: "message",
    });
    const edited = (s: number, m: number, v: number, x: string): ChannelEvent => ({
      s,
      t: EventType.MessageEdited,
      ts: s * 10,
      a: ME,
      an: "me",
      m,
      v,
      x,
      ed: s * 10,
    });

    /** The ack of an edit of message 104. */
    const editAck = (x: string, s: number, v: number): ChannelInput => ({
      type: "edit-acked",
      messageId: 104,
      x,
      ack: { s, v },
      me: { i: ME, n: "me" },
      now: NOW,
    });

    /** A refused save of message 104, with the current version after a conflict. */
    const saveFailed = (error: string, current?: MessageVersion): ChannelInput => ({
      type: "edit-failed",
      messageId: 104,
      error,
      ...(current ? { current } : {}),
    });

    it("opens the editor on one of this user's messages with its version and content", () => {
      const view = reduceChannel(ready([mine(4)]), start(104));
      expect(view.editing).toEqual({ m: 104, v: 1, x: "text 4", origin: "message" });
    });

    it("does not open the editor on another user's message, a deleted one or one not held", () => {
      const gone: ChannelEvent = { ...mine(5), x: "", dl: { u: ME, un: "me", ts: 1 } };
      const view = ready([msg(4), gone]);
      expect(reduceChannel(view, start(104))).toBe(view);
      expect(reduceChannel(view, start(105))).toBe(view);
      expect(reduceChannel(view, start(999))).toBe(view);
    });

    it("closes the editor on cancel", () => {
      expect(run(ready([mine(4)]), start(104), { type: "edit-cancelled" }).editing).toBeUndefined();
    });

    it("shows the new content at the ack and closes the editor; the event then changes nothing", () => {
      const acked = run(
        ready([mine(4)]),
        start(104),
        { type: "edit-saving" },
        editAck("better", 5, 2),
      );
      expect(acked.editing).toBeUndefined();
      expect(findMessage(acked, 104)).toMatchObject({ x: "better", v: 2, ed: NOW });
      // The event brings the server's edit time for the same version.
      const pushed = reduceChannel(acked, events(edited(5, 104, 2, "better")));
      expect(findMessage(pushed, 104)).toMatchObject({ x: "better", v: 2, ed: 50 });
      expect(seqs(pushed)).toEqual([4]);
      expect(reduceChannel(pushed, events(edited(5, 104, 2, "better")))).toEqual(pushed);
    });

    it("leaves the message unedited when the ack tells the content was the same", () => {
      const view = run(ready([mine(4)]), start(104), editAck("text 4", 4, 1));
      expect(view.editing).toBeUndefined();
      expect(findMessage(view, 104)).toEqual(mine(4));
    });

    it("keeps the editor open with the error of a refused save", () => {
      const view = run(ready([mine(4)]), start(104), { type: "edit-saving" }, saveFailed("Muted"));
      expect(view.editing).toEqual({
        m: 104,
        v: 1,
        x: "text 4",
        origin: "message",
        saving: false,
        error: "Muted",
      });
    });

    it("loads the current version into the message and the editor after a version conflict", () => {
      const view = run(
        ready([mine(4)]),
        start(104),
        { type: "edit-saving" },
        saveFailed("This message changed", { v: 3, x: "theirs", ts: 77 }),
      );
      expect(findMessage(view, 104)).toMatchObject({ x: "theirs", v: 3, ed: 77 });
      expect(view.editing).toMatchObject({ m: 104, v: 3, x: "theirs", saving: false });
      expect(view.editing?.error).toBe("This message changed");
    });

    it("closes the editor when its message is deleted", () => {
      const deletion: ChannelEvent = {
        s: 5,
        t: EventType.MessageDeleted,
        ts: 50,
        a: 3,
        an: "mod",
        m: 104,
        mod: true,
      };
      const view = run(ready([mine(4)]), start(104), events(deletion));
      expect(view.editing).toBeUndefined();
      expect(findMessage(view, 104)?.dl).toEqual({ u: 3, un: "mod", mod: true, ts: 50 });
    });

    it("shows a tombstone at the delete ack, flagged as a moderator's for another's message", () => {
      const view = run(ready([mine(4), msg(5)]), {
        type: "delete-acked",
        messageId: 105,
        ack: { s: 6 },
        me: { i: ME, n: "me" },
        now: NOW,
      });
      expect(findMessage(view, 105)).toMatchObject({ x: "", dl: { u: ME, mod: true, ts: NOW } });
      expect(findMessage(view, 104)?.dl).toBeUndefined();
    });

    it("keeps a newer version held when the latest page read before the edit arrives", () => {
      const view = run(
        fresh(),
        { type: "latest-requested" },
        events(mine(4), edited(5, 104, 2, "new")),
        { type: "latest-loaded", page: page([mine(4)]), me: ME, now: NOW },
      );
      expect(findMessage(view, 104)).toMatchObject({ x: "new", v: 2 });
    });

    it("finds the last message of this user that is not deleted", () => {
      const gone: ChannelEvent = { ...mine(6), x: "", dl: { u: ME, un: "me", ts: 1 } };
      expect(lastOwnMessage(ready([mine(4), msg(5), gone]), ME)?.i).toBe(104);
      expect(lastOwnMessage(ready([msg(5)]), ME)).toBeUndefined();
    });

    it("lets only the author edit, and not while muted", () => {
      const me = { i: ME, n: "me" };
      const view = ready([mine(4), msg(5)]);
      expect(canEdit(view, me, findMessage(view, 104)!, NOW)).toBe(true);
      expect(canEdit(view, me, findMessage(view, 105)!, NOW)).toBe(false);
      const muted = reduceChannel(view, events(moderation(6, EventType.MemberMuted)));
      expect(canEdit(muted, me, findMessage(muted, 104)!, NOW)).toBe(false);
    });

    it("lets the author delete, and moderators, owners and admins delete anyone's", () => {
      const other = msg(5);
      expect(canDelete(Role.Member, { i: ME, n: "me" }, mine(4))).toBe(true);
      expect(canDelete(Role.Member, { i: ME, n: "me" }, other)).toBe(false);
      expect(canDelete(Role.Member, { i: ME, n: "me", ad: true }, other)).toBe(true);
      for (const rl of [Role.Moderator, Role.Owner]) {
        expect(canDelete(rl, { i: ME, n: "me" }, other)).toBe(true);
        // A guest ranks as a member whatever its channel role.
        expect(canDelete(rl, { i: ME, n: "me", g: true }, other)).toBe(false);
      }
      const gone: MessageEvent = { ...other, x: "", dl: { u: 2, un: "u2", ts: 1 } };
      expect(canDelete(Role.Owner, { i: ME, n: "me" }, gone)).toBe(false);
    });
    it("lets moderators, owners and admins pin, not members or guests, and no deleted message", () => {
      const other = msg(5);
      expect(canPin(Role.Member, { i: ME, n: "me" }, mine(4))).toBe(false);
      expect(canPin(undefined, { i: ME, n: "me" }, other)).toBe(false);
      expect(canPin(Role.Member, { i: ME, n: "me", ad: true }, other)).toBe(true);
      for (const rl of [Role.Moderator, Role.Owner]) {
        expect(canPin(rl, { i: ME, n: "me" }, other)).toBe(true);
        expect(canPin(rl, { i: ME, n: "me", g: true }, other)).toBe(false);
      }
      const gone: MessageEvent = { ...other, x: "", dl: { u: 2, un: "u2", ts: 1 } };
      expect(canPin(Role.Owner, { i: ME, n: "me" }, gone)).toBe(false);
    });
    it("lets anyone report another's message, never their own nor a deleted one", () => {
      const other = msg(5);
      expect(canReport({ i: ME, n: "me", g: true }, other)).toBe(true);
      expect(canReport({ i: ME, n: "me" }, mine(4))).toBe(false);
      const gone: MessageEvent = { ...other, x: "", dl: { u: 2, un: "u2", ts: 1 } };
      expect(canReport({ i: ME, n: "me", ad: true }, gone)).toBe(false);
    });
  });
});

describe("pins in a channel's view", () => {
  const pinEvent = (s: number, m: number, on: boolean): ChannelEvent => ({
    s,
    t: on ? EventType.MessagePinned : EventType.MessageUnpinned,
    ts: s * 10,
    a: 3,
    an: "mod",
    m,
  });

  it("pins and unpins a held message from live events, and a replay of them changes nothing", () => {
    let view = run(ready([msg(4)]), events(pinEvent(5, 104, true)));
    expect(findMessage(view, 104)?.pn).toEqual({ u: 3, un: "mod", ts: 50 });
    expect(seqs(view)).toEqual([4]);
    expect(run(view, events(pinEvent(5, 104, true))).items).toBe(view.items);
    view = run(view, events(pinEvent(6, 104, false)));
    expect(findMessage(view, 104)?.pn).toBeUndefined();
    expect(run(view, events(pinEvent(5, 104, true), pinEvent(6, 104, false)))).toStrictEqual(view);
  });

  it("keeps a pin from a history page, and a deletion unpins", () => {
    const pinned: MessageEvent = { ...msg(4), pn: { u: 3, un: "mod", ts: 40 } };
    let view = ready([pinned]);
    expect(findMessage(view, 104)?.pn?.un).toBe("mod");
    view = run(
      view,
      events({ s: 5, t: EventType.MessageDeleted, ts: 50, a: 3, an: "mod", m: 104, mod: true }),
    );
    expect(findMessage(view, 104)?.dl).toBeDefined();
    expect(findMessage(view, 104)?.pn).toBeUndefined();
  });

  describe("replies", () => {
    const deletedEvent = (s: number, m: number): ChannelEvent => ({
      s,
      t: EventType.MessageDeleted,
      ts: s * 10,
      a: 2,
      an: "u2",
      m,
    });

    /** A reply to message 104 written in the reply bar, pending. */
    const replyPending = () => {
      const open = reduceChannel(ready([msg(4)]), { type: "reply-started", messageId: 104 });
      return reduceChannel(open, {
        type: "send-pending",
        nonce: "r",
        x: "yes",
        ts: NOW,
        rp: open.replying,
      });
    };

    it("opens the reply bar on a held message with its quote, and closes it", () => {
      const view = reduceChannel(ready([msg(4)]), { type: "reply-started", messageId: 104 });
      expect(view.replying).toEqual({ m: 104, s: 4, a: 2, an: "u2", x: "text 4" });
      expect(reduceChannel(view, { type: "reply-cancelled" }).replying).toBeUndefined();
    });

    it("does not open the reply bar on a tombstone or a message it does not hold", () => {
      const view = run(ready([msg(4)]), events(deletedEvent(5, 104)));
      expect(reduceChannel(view, { type: "reply-started", messageId: 104 })).toBe(view);
      expect(reduceChannel(view, { type: "reply-started", messageId: 999 })).toBe(view);
    });

    it("sends a reply as pending with its quote, closes the bar, and keeps the quote on the ack", () => {
      const pending = replyPending();
      expect(pending.replying).toBeUndefined();
      expect(pending.pending[0]?.rp).toEqual(quoteOf(msg(4)));
      const acked = reduceChannel(pending, {
        type: "send-acked",
        nonce: "r",
        x: "yes",
        ack: { s: 5, i: 105, ts: 50 },
        me: { i: ME, n: "me" },
        now: NOW,
      });
      expect(findMessage(acked, 105)?.rp).toEqual(quoteOf(msg(4)));
      expect(acked.pending).toEqual([]);
    });

    it("follows edits of the original in the reply bar and a pending reply, and closes the bar on its deletion", () => {
      const pending = replyPending();
      const reopened = reduceChannel(pending, { type: "reply-started", messageId: 104 });
      const after = run(reopened, events(edited(5, 104, "new\ntext")));
      expect(after.replying?.x).toBe("new text");
      expect(after.pending[0]?.rp?.x).toBe("new text");
      const gone = run(after, events(deletedEvent(6, 104)));
      expect(gone.replying).toBeUndefined();
      expect(gone.pending[0]?.rp).toMatchObject({ x: "", dl: true });
    });
  });

  describe("jumps and windows", () => {
    const around = (e: ChannelEvent[], mb: boolean, ma: boolean): HistoryPage => ({ e, mb, ma });
    const range = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, k) => msg(from + k));
    const shown = (view: ChannelView) => shownItems(view).map((e) => e.s);
    const react = (s: number, m: number, e: string): ChannelEvent => ({
      s,
      t: EventType.ReactionAdded,
      ts: s * 10,
      a: 3,
      an: "u3",
      m,
      e,
    });
    /** Live items 200–210 (older exist); a jump to 5 read 3–7, with more on both sides. */
    const detached = () =>
      run(
        ready(range(200, 210), true),
        { type: "jump-requested", seq: 5, key: 1 },
        { type: "around-loaded", key: 1, page: around(range(3, 7), true, true) },
      );

    it("shows a held message at once, and stays at the live end", () => {
      const view = run(ready(range(200, 210), true), { type: "jump-requested", seq: 204, key: 1 });
      expect(view.target).toEqual({ s: 204, key: 1, loading: false });
      expect(isDetached(view)).toBe(false);
    });

    it("detaches into a window around a message older than the live items", () => {
      const asked = run(ready(range(200, 210), true), { type: "jump-requested", seq: 5, key: 1 });
      expect(asked.target).toEqual({ s: 5, key: 1, loading: true });
      expect(isDetached(asked)).toBe(false);
      const view = detached();
      expect(isDetached(view)).toBe(true);
      expect(shown(view)).toEqual([3, 4, 5, 6, 7]);
      expect(seqs(view)).toEqual(range(200, 210).map((e) => e.s));
      expect(view.target).toEqual({ s: 5, key: 1, loading: false });
      expect(hasOlder(view)).toBe(true);
      expect(canLoadOlder(view, NOW)).toBe(true);
      expect(canLoadNewer(view, NOW)).toBe(true);
    });

    it("ignores the page of a jump that a later jump replaced", () => {
      const view = run(
        ready(range(200, 210), true),
        { type: "jump-requested", seq: 5, key: 1 },
        { type: "jump-requested", seq: 9, key: 2 },
      );
      expect(
        reduceChannel(view, {
          type: "around-loaded",
          key: 1,
          page: around(range(3, 7), true, true),
        }),
      ).toBe(view);
    });

    it("joins the live items when the page around the message reaches them", () => {
      const view = run(
        ready(range(200, 210), true),
        { type: "jump-requested", seq: 190, key: 1 },
        { type: "around-loaded", key: 1, page: around(range(185, 202), true, true) },
      );
      expect(isDetached(view)).toBe(false);
      expect(seqs(view)).toEqual(range(185, 210).map((e) => e.s));
      expect(view.history).toEqual({ phase: "ready", hasOlder: true });
    });

    it("pages up inside the window with the older items, leaving the live items alone", () => {
      const view = run(
        detached(),
        { type: "window-requested", dir: "older" },
        { type: "window-loaded", dir: "older", page: around(range(1, 2), false, true) },
      );
      expect(shown(view)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(hasOlder(view)).toBe(false);
      expect(canLoadOlder(view, NOW)).toBe(false);
      expect(seqs(view)).toEqual(range(200, 210).map((e) => e.s));
    });

    it("pages down until it reaches the live items, then is at the live end again", () => {
      const down = (view: ChannelView, page: HistoryPage) =>
        run(
          view,
          { type: "window-requested", dir: "newer" },
          { type: "window-loaded", dir: "newer", page },
        );
      const half = down(detached(), around(range(8, 100), true, true));
      expect(isDetached(half)).toBe(true);
      expect(shown(half).at(-1)).toBe(100);
      const joined = down(half, around(range(101, 201), true, true));
      expect(isDetached(joined)).toBe(false);
      expect(seqs(joined)).toEqual(range(3, 210).map((e) => e.s));
      expect(joined.history).toEqual({ phase: "ready", hasOlder: true });
      expect(canLoadNewer(joined, NOW)).toBe(false);
    });

    it("rejoins on a page that says nothing comes after it, even without an overlap", () => {
      const view = run(
        detached(),
        { type: "window-requested", dir: "newer" },
        { type: "window-loaded", dir: "newer", page: around(range(8, 12), true, false) },
      );
      expect(isDetached(view)).toBe(false);
      expect(seqs(view)).toEqual([...range(3, 12), ...range(200, 210)].map((e) => e.s));
    });

    it("keeps live messages that arrive while detached, and shows them on the way back", () => {
      const view = run(detached(), events(msg(211), msg(212)));
      expect(shown(view)).toEqual([3, 4, 5, 6, 7]);
      const back = reduceChannel(view, { type: "present" });
      expect(isDetached(back)).toBe(false);
      expect(back.target).toBeUndefined();
      expect(seqs(back).slice(-3)).toEqual([210, 211, 212]);
    });

    it("applies an edit and a reaction that arrive while detached to the window's message", () => {
      const view = run(
        detached(),
        events(edited(211, msg(5).i, "changed"), react(212, msg(6).i, "👍")),
      );
      const five = findMessage(view, msg(5).i);
      expect(five).toMatchObject({ x: "changed", v: 2 });
      expect(findMessage(view, msg(6).i)?.r).toEqual([{ e: "👍", u: [{ i: 3, n: "u3" }] }]);
      // Nothing new appears inside the window: the new seqs are past its end.
      expect(shown(view)).toEqual([3, 4, 5, 6, 7]);
    });

    it("applies to the window the changes that arrived while its page was being read", () => {
      const view = run(
        ready(range(200, 210), true),
        { type: "jump-requested", seq: 5, key: 1 },
        events(edited(211, msg(5).i, "edited before the page came")),
        { type: "around-loaded", key: 1, page: around(range(3, 7), true, true) },
        { type: "window-requested", dir: "newer" },
        events(edited(212, msg(9).i, "edited while paging down")),
        { type: "window-loaded", dir: "newer", page: around(range(8, 12), true, true) },
      );
      expect(findMessage(view, msg(5).i)?.x).toBe("edited before the page came");
      expect(findMessage(view, msg(9).i)?.x).toBe("edited while paging down");
    });

    it("goes back to the live end when this user sends, and on a resync drops the window", () => {
      const sent = reduceChannel(detached(), {
        type: "send-pending",
        nonce: "n",
        x: "hi",
        ts: NOW,
      });
      expect(isDetached(sent)).toBe(false);
      const resynced = reduceChannel(detached(), { type: "resync" });
      expect(isDetached(resynced)).toBe(false);
      expect(resynced.target).toBeUndefined();
    });

    it("edits and deletes a message of the window once acknowledged", () => {
      const mine = run(
        ready(range(200, 210), true),
        { type: "jump-requested", seq: 5, key: 1 },
        { type: "around-loaded", key: 1, page: around([msg(4), msg(5, ME)], true, true) },
        { type: "edit-started", messageId: msg(5).i, me: ME, origin: "message" },
      );
      expect(mine.editing?.m).toBe(msg(5).i);
      const me = { i: ME, n: "me" };
      const saved = reduceChannel(mine, {
        type: "edit-acked",
        messageId: msg(5).i,
        x: "fixed",
        ack: { s: 211, v: 2 },
        me,
        now: NOW,
      });
      expect(findMessage(saved, msg(5).i)).toMatchObject({ x: "fixed", v: 2 });
      const gone = reduceChannel(saved, {
        type: "delete-acked",
        messageId: msg(5).i,
        ack: { s: 212 },
        me,
        now: NOW,
      });
      expect(findMessage(gone, msg(5).i)?.dl).toBeDefined();
    });

    it("waits before paging again after a failed read", () => {
      const failed = run(
        detached(),
        { type: "window-requested", dir: "newer" },
        { type: "window-failed", dir: "newer", retryAt: NOW + 100 },
      );
      expect(canLoadNewer(failed, NOW)).toBe(false);
      expect(canLoadNewer(failed, NOW + 100)).toBe(true);
      expect(isDetached(failed)).toBe(true);
    });

    it("forgets a jump once its message was shown, and keeps the window", () => {
      const view = detached();
      const done = reduceChannel(view, { type: "target-shown", key: 1 });
      expect(done.target).toBeUndefined();
      expect(isDetached(done)).toBe(true);
      expect(reduceChannel(done, { type: "target-shown", key: 1 })).toBe(done);
      const loading = run(ready(range(200, 210), true), { type: "jump-requested", seq: 5, key: 2 });
      expect(reduceChannel(loading, { type: "target-shown", key: 2 })).toBe(loading);
    });

    it("shows a message of the live items again from the window, back at the live end", () => {
      const view = reduceChannel(detached(), { type: "jump-requested", seq: 205, key: 2 });
      expect(isDetached(view)).toBe(false);
      expect(view.target).toEqual({ s: 205, key: 2, loading: false });
    });
  });
});

describe("messages held for review in a channel's view", () => {
  const heldReport = (id: number, x: string, st: ReportStatus = ReportStatus.Open): Report => ({
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
    ts: NOW,
    st,
    hd: true,
  });
  const mineNonce = (s: number, n: string): MessageEvent => ({ ...msg(s, ME, n), x: "posted" });

  it("turns a held send from pending into a waiting line after the latest item, not a failure", () => {
    const view = run(
      ready([msg(4)]),
      { type: "send-pending", nonce: "a", x: "buy crypto", ts: NOW },
      { type: "held", id: 10, nonce: "a", x: "buy crypto", ts: NOW },
    );
    expect(view.pending).toEqual([]);
    expect(view.heldForReview).toEqual([
      { key: "r-10", id: 10, nonce: "a", x: "buy crypto", ts: NOW, afterSeq: 4, status: "waiting" },
    ]);
  });

  it("follows the report's pushes: approved, the line goes; dropped, it says so", () => {
    const waiting = run(
      ready([msg(4)]),
      { type: "send-pending", nonce: "a", x: "one", ts: NOW },
      { type: "send-pending", nonce: "b", x: "two", ts: NOW },
      { type: "held", id: 10, nonce: "a", x: "one", ts: NOW },
      { type: "held-report", report: heldReport(10, "one") },
      { type: "held-report", report: heldReport(11, "two") },
      { type: "held", id: 11, nonce: "b", x: "two", ts: NOW },
    );
    expect(waiting.heldForReview.map((h) => [h.key, h.nonce, h.status])).toEqual([
      ["r-10", "a", "waiting"],
      ["r-11", "b", "waiting"],
    ]);
    const decided = run(
      waiting,
      { type: "held-report", report: heldReport(10, "one", ReportStatus.Resolved) },
      { type: "held-report", report: heldReport(11, "two", ReportStatus.Dismissed) },
    );
    expect(decided.heldForReview.map((h) => [h.key, h.status])).toEqual([["r-11", "dropped"]]);
  });

  it("drops a line when its message is posted with the send's nonce", () => {
    const view = run(
      ready([msg(4)]),
      { type: "send-pending", nonce: "a", x: "one", ts: NOW },
      { type: "held", id: 10, nonce: "a", x: "one", ts: NOW },
      events(mineNonce(5, "a")),
    );
    expect(view.heldForReview).toEqual([]);
    expect(seqs(view)).toEqual([4, 5]);
  });

  it("gives a dropped message's text back for the composer, with its reply, once", () => {
    const answered = msg(4);
    const view = run(
      ready([answered]),
      { type: "reply-started", messageId: answered.i },
      { type: "send-pending", nonce: "a", x: "answer", ts: NOW, rp: quoteOf(answered) },
      { type: "held", id: 10, nonce: "a", x: "answer", ts: NOW, rp: quoteOf(answered) },
      { type: "held-report", report: heldReport(10, "answer", ReportStatus.Dismissed) },
    );
    expect(view.replying).toBeUndefined();
    const restored = reduceChannel(view, { type: "held-restored", key: "r-10", draftKey: 3 });
    expect(restored.heldForReview).toEqual([]);
    expect(restored.draft).toEqual({ key: 3, x: "answer" });
    expect(restored.replying?.m).toBe(answered.i);
    // A line that is gone gives nothing; the draft goes once the composer took it.
    expect(reduceChannel(restored, { type: "held-restored", key: "r-10", draftKey: 4 })).toBe(
      restored,
    );
    expect(reduceChannel(restored, { type: "draft-taken", key: 2 })).toBe(restored);
    expect(reduceChannel(restored, { type: "draft-taken", key: 3 }).draft).toBeUndefined();
  });

  it("does not give a reply back to a message deleted since", () => {
    const answered = msg(4);
    const view = run(
      ready([answered]),
      { type: "held", id: 10, nonce: "a", x: "answer", ts: NOW, rp: quoteOf(answered) },
      { type: "held-report", report: heldReport(10, "answer", ReportStatus.Dismissed) },
      events({ s: 5, t: EventType.MessageDeleted, ts: 50, a: 2, an: "u2", m: answered.i }),
      { type: "held-restored", key: "r-10", draftKey: 3 },
    );
    expect(view.draft).toEqual({ key: 3, x: "answer" });
    expect(view.replying).toBeUndefined();
  });

  it("dismisses one line and keeps the others", () => {
    const view = run(
      ready([]),
      { type: "held", id: 10, nonce: "a", x: "one", ts: NOW },
      { type: "held", id: 11, nonce: "b", x: "two", ts: NOW },
    );
    const left = reduceChannel(view, { type: "held-dismissed", key: "r-10" });
    expect(left.heldForReview.map((h) => h.key)).toEqual(["r-11"]);
    expect(reduceChannel(left, { type: "held-dismissed", key: "r-10" })).toBe(left);
  });
});
