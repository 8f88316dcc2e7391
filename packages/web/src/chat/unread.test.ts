import { type ChannelEvent, EventType, type MessageEvent } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  firstUnread,
  fromServer,
  type ReadMark,
  readUpTo,
  unreadCount,
  unreadMentions,
  withEvents,
} from "./unread";

const ME = 9;
const msg = (s: number, a: number, i = s * 10): MessageEvent => ({
  s,
  t: EventType.MessagePosted,
  ts: 0,
  a,
  an: `u${a}`,
  i,
  x: "hi",
  n: `n${s}`,
});
const joined = (s: number): ChannelEvent => ({
  s,
  t: EventType.MemberJoined,
  ts: 0,
  a: 5,
  an: "e",
});
const deleted = (s: number, m: number): ChannelEvent => ({
  s,
  t: EventType.MessageDeleted,
  ts: 0,
  a: 3,
  an: "u3",
  m,
});
const none = () => undefined;

describe("the read mark", () => {
  const server = (rs: number, ls: number, uc: number, fu?: number, um = 0) =>
    fromServer(undefined, { c: 1, rs, ls, uc, um, ...(fu !== undefined ? { fu } : {}) });

  it("starts from the server's count and adds others' live messages above it", () => {
    let mark = server(10, 20, 4, 12);
    mark = withEvents(mark, [msg(21, 3), joined(22), msg(23, ME), msg(24, 4)], ME, none);
    expect(unreadCount(mark)).toBe(6);
    expect(firstUnread(mark)).toBe(12);
  });

  it("counts nothing twice: a replayed message at or below the count is already in it", () => {
    let mark = server(10, 20, 4, 12);
    mark = withEvents(mark, [msg(19, 3), msg(20, 3)], ME, none);
    expect(unreadCount(mark)).toBe(4);
    mark = withEvents(mark, [msg(21, 3)], ME, none);
    mark = withEvents(mark, [msg(21, 3)], ME, none);
    expect(unreadCount(mark)).toBe(5);
  });

  it("does not count a tombstone replayed on resume", () => {
    const tombstone = { ...msg(21, 3), x: "", dl: { u: 3, un: "u3", ts: 0 } };
    const mark = server(20, 20, 0);
    expect(withEvents(mark, [tombstone], ME, none)).toBe(mark);
  });

  it("takes a deleted unread message away, live or counted by the server", () => {
    let mark = server(10, 20, 2, 12);
    mark = withEvents(mark, [msg(21, 3, 210)], ME, none);
    mark = withEvents(mark, [deleted(22, 210)], ME, none);
    expect(unreadCount(mark)).toBe(2);
    // A message the server counted, held by this tab at seq 12: the first unread goes with it.
    mark = withEvents(mark, [deleted(23, 120)], ME, (m) =>
      m === 120 ? { s: 12, mentioned: false } : undefined,
    );
    expect(unreadCount(mark)).toBe(1);
    expect(firstUnread(mark)).toBeUndefined();
    // A deletion of a message already read changes nothing.
    expect(withEvents(mark, [deleted(24, 50)], ME, () => ({ s: 5, mentioned: false }))).toBe(mark);
  });

  it("reads up to a seq, never back, and the server's later state replaces the count", () => {
    let mark: ReadMark = server(10, 20, 4, 12);
    mark = withEvents(mark, [msg(21, 3), msg(22, 3)], ME, none);
    mark = readUpTo(mark, 21);
    expect(unreadCount(mark)).toBe(1);
    expect(readUpTo(mark, 15)).toBe(mark);
    // An older state (another tab's earlier mark) does not undo this tab's mark.
    expect(fromServer(mark, { c: 1, rs: 15, ls: 22, uc: 3, um: 0, fu: 16 })).toBe(mark);
    // The answer to this tab's mark: exact again.
    mark = fromServer(mark, { c: 1, rs: 21, ls: 22, uc: 1, um: 0, fu: 22 });
    expect(mark).toEqual({ rs: 21, ls: 22, uc: 1, um: 0, fu: 22, live: {}, liveMentions: {} });
  });

  it("counts the unread messages that mention the reader, from the server and live", () => {
    let mark = server(10, 20, 4, 12, 2);
    const mention = { ...msg(21, 3, 210), mn: [ME] };
    const group = { ...msg(22, 3, 220), mg: "here" as const };
    mark = withEvents(mark, [mention, group, msg(23, 3)], ME, none);
    expect(unreadMentions(mark)).toBe(4);
    mark = withEvents(mark, [deleted(24, 210)], ME, none);
    expect(unreadMentions(mark)).toBe(3);
    // A counted mention, held here, deleted.
    mark = withEvents(mark, [deleted(25, 150)], ME, () => ({ s: 15, mentioned: true }));
    expect(unreadMentions(mark)).toBe(2);
    expect(unreadMentions(readUpTo(mark, 23))).toBe(0);
  });

  it("keeps a count it cannot know below the server's bound until the server answers", () => {
    const mark = readUpTo(server(10, 20, 4, 12), 15);
    expect(mark).toMatchObject({ rs: 15, uc: 4 });
  });
});
