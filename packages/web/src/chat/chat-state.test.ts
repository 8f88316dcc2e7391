import {
  type ChannelEvent,
  type ChannelSummary,
  EventType,
  type Report,
  ReportStatus,
  Role,
  type WelcomeReply,
} from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { newChannelView, reduceChannel } from "./channel-view";
import {
  type ChatState,
  channelAdded,
  channelEvents,
  channelJoined,
  channelRemoved,
  channelTitle,
  handlesReports,
  heldAnnouncement,
  heldChanged,
  initialChatState,
  readState,
  reportChanged,
  seen,
  selected,
  unreadOf,
  userUpdated,
  welcomed,
  withChannel,
  withNotice,
} from "./chat-state";
import { shownMembers } from "./people";

const ME = 1;
const NOW = 1_000_000;

const summary = (i: number, n: string): ChannelSummary => ({
  i,
  n,
  tp: "",
  mc: 1,
  oc: 1,
  rl: Role.Member,
  ls: 0,
  sl: 0,
});

/** The channels with unread messages, and how many. */
const counts = (state: ChatState) =>
  Object.fromEntries(
    Object.keys(state.channels)
      .map(Number)
      .filter((c) => unreadOf(state, c) > 0)
      .map((c) => [c, unreadOf(state, c)]),
  );

const welcome = (...ch: ChannelSummary[]): WelcomeReply => ({
  u: { i: ME, n: "me" },
  bl: [],
  v: 1,
  lim: {},
  rate: {},
  ch,
  cmd: [],
  hb: 30_000,
});

const msg = (s: number, a: number): ChannelEvent => ({
  s,
  t: EventType.MessagePosted,
  ts: s,
  a,
  an: `u${a}`,
  i: s,
  x: `text ${s}`,
  n: `n${s}`,
});

const general = summary(1, "general");
const random = summary(2, "random");
const alpha = summary(3, "alpha");

/** Welcomed with these channels, `open` active. */
const online = (open: number | undefined, ...ch: ChannelSummary[]): ChatState => {
  const state = welcomed(initialChatState, welcome(...ch), undefined);
  return open === undefined ? state : selected(state, open);
};

describe("chat state", () => {
  describe("welcomed", () => {
    it("opens the channel open last time when it is still joined", () => {
      const state = welcomed(initialChatState, welcome(general, random), random.i);
      expect(state.activeId).toBe(random.i);
      expect(state.status).toBe("online");
      expect(state.me).toEqual({ i: ME, n: "me" });
    });

    it("opens the first channel by name when the last one is gone or unknown", () => {
      expect(welcomed(initialChatState, welcome(random, general), 99).activeId).toBe(general.i);
      expect(welcomed(initialChatState, welcome(random, alpha), undefined).activeId).toBe(alpha.i);
      expect(welcomed(initialChatState, welcome(), undefined).activeId).toBeUndefined();
    });

    it("keeps the open channel and its view, and forgets channels no longer joined", () => {
      let state = online(random.i, general, random);
      state = channelEvents(state, random.i, [msg(5, 2)], NOW);
      state = channelEvents(state, general.i, [msg(6, 2)], NOW);
      expect(counts(state)).toEqual({ [general.i]: 1, [random.i]: 1 });
      const again = welcomed(state, welcome({ ...random, ls: 5 }, alpha), alpha.i);
      expect(again.activeId).toBe(random.i);
      expect(again.channels[random.i]?.items.map((e) => e.s)).toEqual([5]);
      expect(again.channels[general.i]).toBeUndefined();
      // The welcome's read state replaces what this tab counted; general's is gone.
      expect(counts(again)).toEqual({});
      expect(again.reads[general.i]).toBeUndefined();
      expect(again.channels[alpha.i]?.history.phase).toBe("idle");
    });
  });

  describe("channelEvents", () => {
    it("counts messages by others as unread in a channel that is not open", () => {
      const state = channelEvents(
        online(general.i, general, random),
        random.i,
        [msg(1, 2), msg(2, ME), msg(3, 3)],
        NOW,
      );
      expect(counts(state)).toEqual({ [random.i]: 2 });
      expect(state.announcement).toBeUndefined();
    });

    it("announces the open channel's latest message when someone else wrote it", () => {
      const state = channelEvents(
        online(general.i, general),
        general.i,
        [msg(1, 2), msg(2, 3)],
        NOW,
      );
      expect(state.announcement).toBe("u3: text 2");
      // Open is not read: the reader has not seen them yet.
      expect(counts(state)).toEqual({ [general.i]: 2 });
      expect(counts(seen(state, general.i, 2))).toEqual({});
      expect(state.channels[general.i]?.items.map((e) => e.s)).toEqual([1, 2]);
      const own = channelEvents(state, general.i, [msg(3, 4), msg(4, ME)], NOW);
      expect(own.announcement).toBe("u3: text 2");
    });

    it("clears the announcement when a message of the open channel is deleted", () => {
      const state = channelEvents(online(general.i, general), general.i, [msg(1, 2)], NOW);
      expect(state.announcement).toBe("u2: text 1");
      const deletion: ChannelEvent = {
        s: 2,
        t: EventType.MessageDeleted,
        ts: NOW,
        a: 2,
        an: "u2",
        m: 1,
      };
      expect(channelEvents(state, general.i, [deletion], NOW).announcement).toBe("");
    });

    it("announces an author by the display name they are shown by when the message comes", () => {
      let state: ChatState = {
        ...online(general.i, general),
        members: { [general.i]: [{ i: 3, n: "u3", dn: "Uma", rl: Role.Member, on: true }] },
      };
      state = channelEvents(state, general.i, [msg(1, 3)], NOW);
      expect(state.announcement).toBe("Uma: text 1");
      // Someone known only as last heard of (not a member now).
      state = { ...state, people: { ...state.people, 4: { i: 4, n: "u4", dn: "Vic" } } };
      state = channelEvents(state, general.i, [msg(2, 4)], NOW);
      expect(state.announcement).toBe("Vic: text 2");
      // A new display name: the next message is read out by it.
      state = userUpdated(state, { i: 3, n: "u3", dn: "Uma T." });
      expect(state.announcement).toBe("Vic: text 2");
      state = channelEvents(state, general.i, [msg(3, 3)], NOW);
      expect(state.announcement).toBe("Uma T.: text 3");
    });

    it("ignores events of a channel not held", () => {
      const state = online(general.i, general);
      expect(channelEvents(state, 42, [msg(1, 2)], NOW)).toBe(state);
    });
  });

  describe("read state", () => {
    it("takes the welcome's unread count and first unread, then counts live messages", () => {
      const state = welcomed(
        initialChatState,
        welcome({ ...general, ls: 40, rs: 30, uc: 6, fu: 31 }),
        undefined,
      );
      expect(counts(state)).toEqual({ [general.i]: 6 });
      // Opened, the channel keeps where its unread messages began; another channel has none.
      expect(selected(state, general.i).divider).toEqual({ c: general.i, s: 31 });
      expect(selected(selected(state, general.i), 99).divider).toBeUndefined();
      const more = channelEvents(state, general.i, [msg(41, 2), msg(42, ME)], NOW);
      expect(counts(more)).toEqual({ [general.i]: 7 });
    });

    it("replaces the count with each server state of the channel, and ignores others", () => {
      let state = online(undefined, general, random);
      state = channelEvents(state, general.i, [msg(1, 2), msg(2, 3), msg(3, 2)], NOW);
      state = readState(state, { c: general.i, rs: 2, ls: 3, uc: 1, um: 0, fu: 3 });
      expect(counts(state)).toEqual({ [general.i]: 1 });
      expect(readState(state, { c: 99, rs: 1, ls: 1, uc: 0, um: 0 })).toBe(state);
    });
  });

  describe("channelRemoved", () => {
    it("drops the view, members (and their paging) and unread count, and opens the first remaining by name", () => {
      let state = online(random.i, general, random, alpha);
      state = {
        ...state,
        members: { [random.i]: [], [general.i]: [] },
        memberPages: { [random.i]: { after: "guest-0099" }, [general.i]: { after: "bob" } },
      };
      state = channelEvents(state, general.i, [msg(1, 2)], NOW);
      const after = channelRemoved(selected(state, random.i), random.i);
      expect(after.channels[random.i]).toBeUndefined();
      expect(Object.keys(after.members)).toEqual([String(general.i)]);
      expect(after.memberPages).toEqual({ [general.i]: { after: "bob" } });
      expect(after.activeId).toBe(alpha.i);
      const other = channelRemoved(state, general.i);
      expect(other.activeId).toBe(random.i);
      expect(other.reads[general.i]).toBeUndefined();
    });

    it("leaves no channel open when the last one goes", () => {
      expect(channelRemoved(online(general.i, general), general.i).activeId).toBeUndefined();
    });
  });

  describe("joins and summaries", () => {
    it("holds a joined channel with its latest page, keeping a view already held", () => {
      let state = channelAdded(online(general.i, general), random);
      expect(state.channels[random.i]?.history.phase).toBe("idle");
      state = withChannel(state, random.i, { type: "send-pending", nonce: "a", x: "hi", ts: NOW });
      state = channelJoined(
        state,
        { ch: random, m: [], h: { e: [msg(4, 2)], mb: true, ma: false } },
        NOW,
      );
      const view = state.channels[random.i];
      expect(view?.history).toEqual({ phase: "ready", hasOlder: true });
      expect(view?.items.map((e) => e.s)).toEqual([4]);
      expect(view?.pending.map((p) => p.nonce)).toEqual(["a"]);
    });

    it("keeps a held view's items when its summary comes again", () => {
      const loaded = reduceChannel(newChannelView(general), {
        type: "joined",
        summary: general,
        page: { e: [msg(1, 2)], mb: false, ma: false },
        me: ME,
        now: NOW,
      });
      const state = { ...online(general.i, general), channels: { [general.i]: loaded } };
      const after = channelAdded(state, { ...general, tp: "new" });
      expect(after.channels[general.i]?.summary.tp).toBe("new");
      expect(after.channels[general.i]?.items).toBe(loaded.items);
    });
  });

  describe("user and notices", () => {
    it("follows this user's new name and lost guest flag, keeping the admin flag", () => {
      const state = {
        ...online(undefined, general),
        me: { i: ME, n: "guest-1", g: true as const, ad: true as const },
      };
      expect(userUpdated(state, { i: ME, n: "ada" }).me).toEqual({ i: ME, n: "ada", ad: true });
      const other = userUpdated(state, { i: 9, n: "other" });
      expect(other.renamed).toEqual({ 9: "other" });
      expect(other.me).toBe(state.me);
      expect(userUpdated(other, { i: 9, n: "other" })).toBe(other);
    });

    it("keeps a user's profile, shown in the member lists, DMs and your own user", () => {
      const dm = { ...summary(5, "dm-5"), dm: [{ i: 9, n: "alice" }] };
      let state = welcomed(initialChatState, welcome(general, dm), undefined);
      expect(state.people[ME]).toEqual({ i: ME, n: "me" });
      state = {
        ...state,
        members: {
          [general.i]: [
            { i: 9, n: "alice", rl: Role.Member, on: true },
            { i: 3, n: "carol", rl: Role.Member, on: true },
          ],
        },
      };
      const alice = { i: 9, n: "alice", dn: "Alice Liddell", sx: "Down the hole", av: "a1" };
      const after = userUpdated(state, alice);
      expect(after.people[9]).toEqual(alice);
      expect(after.members[general.i]?.[0]).toEqual({ ...alice, rl: Role.Member, on: true });
      expect(after.members[general.i]?.[1]).toBe(state.members[general.i]?.[1]);
      expect(after.channels[5]?.summary.dm).toEqual([alice]);
      expect(channelTitle(after.channels[5]!.summary)).toBe("Alice Liddell");
      // Cleared again: the fields go.
      const cleared = userUpdated(after, { i: 9, n: "alice" });
      expect(cleared.members[general.i]?.[0]).toEqual({
        i: 9,
        n: "alice",
        rl: Role.Member,
        on: true,
      });
      // Yours, with the admin flag kept.
      const mine = userUpdated(
        { ...state, me: { i: ME, n: "me", ad: true } },
        { i: ME, n: "me", dn: "Me!", av: "m1" },
      );
      expect(mine.me).toEqual({ i: ME, n: "me", dn: "Me!", av: "m1", ad: true });
    });

    it("shows the profile of a member known only from MemberJoined once UserUpdated tells it", () => {
      const base = online(general.i, general);
      // As the SDK's member list holds a joiner: name, role and presence, no profile.
      const joiner = { i: 9, n: "alice", rl: Role.Member, on: true };
      const state: ChatState = { ...base, members: { [general.i]: [joiner] } };
      expect(state.people[9]).toBeUndefined();
      const alice = { i: 9, n: "alice", dn: "Alice Liddell", av: "a1" };
      const after = userUpdated(state, alice);
      expect(after.people[9]).toEqual(alice);
      expect(after.members[general.i]).toEqual([{ ...alice, rl: Role.Member, on: true }]);
      const said = channelEvents(after, general.i, [{ ...msg(1, 9), an: "alice" }], NOW);
      expect(said.announcement).toBe("Alice Liddell: text 1");
      // Told before the list holds them: the list shows it once they are in it.
      const early = userUpdated(base, alice);
      expect(shownMembers([joiner], early.people)).toEqual([
        { ...alice, rl: Role.Member, on: true },
      ]);
    });

    it("keeps the three latest notices", () => {
      let state = initialChatState;
      for (let id = 1; id <= 4; id++)
        state = withNotice(state, { id, tone: "info", text: `${id}` });
      expect(state.notices.map((n) => n.id)).toEqual([2, 3, 4]);
    });
  });
});

describe("reports", () => {
  const report = (id: number, st: ReportStatus = ReportStatus.Open): Report => ({
    id,
    c: 1,
    cn: "general",
    m: id,
    s: id,
    u: 2,
    un: "u2",
    x: `text ${id}`,
    by: 3,
    byn: "u3",
    rs: "",
    ts: id,
    st,
  });

  it("are handled by admins and by accounts that moderate a channel, never by guests", () => {
    const moderated = { ...general, rl: Role.Moderator };
    expect(handlesReports(initialChatState)).toBe(false);
    expect(handlesReports(online(undefined, general))).toBe(false);
    expect(handlesReports(online(undefined, general, moderated))).toBe(true);
    const asGuest = welcomed(
      initialChatState,
      { ...welcome(moderated), u: { i: ME, n: "me", g: true } },
      undefined,
    );
    expect(handlesReports(asGuest)).toBe(false);
    const asAdmin = welcomed(
      initialChatState,
      { ...welcome(general), u: { i: ME, n: "me", ad: true } },
      undefined,
    );
    expect(handlesReports(asAdmin)).toBe(true);
    // In a direct message nobody moderates, whatever its role says.
    const dm = { ...summary(9, "dm"), rl: Role.Owner, dm: [{ i: 2, n: "u2" }] };
    expect(handlesReports(online(undefined, dm))).toBe(false);
  });

  it("keep the open ones newest first: a filed one joins once, a closed one leaves", () => {
    let state = online(undefined, general);
    for (const r of [report(2), report(5), report(3), report(5)]) state = reportChanged(state, r);
    expect(state.reports?.map((r) => r.id)).toEqual([5, 3, 2]);
    state = reportChanged(state, report(3, ReportStatus.Dismissed));
    state = reportChanged(state, report(7, ReportStatus.Resolved));
    expect(state.reports?.map((r) => r.id)).toEqual([5, 2]);
  });

  describe("your own held message", () => {
    const own = (id: number, st: ReportStatus = ReportStatus.Open, c = general.i): Report => ({
      ...report(id, st),
      c,
      u: ME,
      un: "me",
      by: 0,
      byn: "",
      m: 0,
      s: 0,
      hd: true,
    });
    const lines = (state: ChatState, c = general.i) =>
      state.channels[c]?.heldForReview.map((h) => `${h.id} ${h.status}`);

    it("is a line in its channel, not an open report of yours", () => {
      const state = reportChanged(online(general.i, general), own(4));
      expect(state.reports).toBeUndefined();
      expect(lines(state)).toEqual(["4 waiting"]);
      expect(handlesReports(state)).toBe(false);
    });

    it("joins the open reports too where you moderate now, as the list would give it", () => {
      const moderated = { ...general, rl: Role.Moderator };
      const state = reportChanged(online(general.i, moderated), own(4));
      expect(state.reports?.map((r) => r.id)).toEqual([4]);
      expect(lines(state)).toEqual(["4 waiting"]);
    });

    it("is read out in the open channel when it is held and when it is dropped, not approved", () => {
      let state = reportChanged(online(general.i, general, random), own(4));
      expect(state.announcement).toBe("Your message is waiting for a moderator's review: text 4");
      state = reportChanged(state, own(4, ReportStatus.Dismissed));
      expect(state.announcement).toBe("A moderator did not approve your message: text 4");
      expect(lines(state)).toEqual(["4 dropped"]);
      state = reportChanged({ ...state, announcement: "" }, own(5));
      state = reportChanged({ ...state, announcement: "" }, own(5, ReportStatus.Resolved));
      expect(state.announcement).toBe("");
      expect(lines(state)).toEqual(["4 dropped"]);
    });

    it("is not read out in another channel, and a channel not held ignores it", () => {
      const state = reportChanged(online(general.i, general, random), own(4, undefined, random.i));
      expect(lines(state, random.i)).toEqual(["4 waiting"]);
      expect(state.announcement).toBeUndefined();
      const elsewhere = online(general.i, general);
      expect(reportChanged(elsewhere, own(4, undefined, 99)).channels).toBe(elsewhere.channels);
    });

    it("says nothing new when the same line changes in no way", () => {
      const before = reportChanged(online(general.i, general), own(4));
      const again = heldChanged(before, general.i, { type: "held-report", report: own(4) });
      expect(again).toBe(before);
      expect(
        heldAnnouncement(
          before.channels[general.i]!.heldForReview,
          before.channels[general.i]!.heldForReview,
        ),
      ).toBeUndefined();
    });
  });
});
