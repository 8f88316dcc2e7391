import {
  type ChannelEvent,
  ERRORS,
  EventType,
  type MessageEvent,
  type Report,
  ReportStatus,
} from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "./harness";
import { MemoryNode } from "./memory-node";

/** Reports of messages end to end on a real node through in-memory sockets. */
describe("reports (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  /** A channel owned by olga, with mike as moderator, mary and a guest as members; root an admin. */
  async function moderated(env: Record<string, string> = {}) {
    m = await MemoryNode.start(env);
    const [owner, mod, mary, root] = await Promise.all(
      ["olga", "mike", "mary", "root"].map(async (n) =>
        m.connect({ token: await (n === "root" ? m.registerAdmin(n) : m.register(n)) }),
      ),
    );
    const { ch } = await owner!.createChannel("reports");
    await mod!.joinChannel(ch.i);
    await mary!.joinChannel(ch.i);
    await owner!.command(ch.i, "/mod @mike");
    const guest = await m.connect();
    await guest.joinChannel(ch.i);
    return { owner: owner!, mod: mod!, mary: mary!, root: root!, guest, c: ch.i };
  }

  it("pushes a report live to the channel's moderators and the admins, never to members", async () => {
    const { owner, mod, mary, root, guest, c } = await moderated();
    const pushed = new Map<string, Report[]>();
    for (const [name, client] of Object.entries({ owner, mod, mary, root, guest })) {
      pushed.set(name, []);
      client.on("reportChanged", (r) => pushed.get(name)!.push(r));
    }
    const sent = await owner.send(c, "buy cheap pills at spam.example");
    const { id } = await guest.reportMessage(c, sent.i, "spam");
    await until(() => ["owner", "mod", "root"].every((n) => pushed.get(n)!.length === 1));
    expect(pushed.get("mod")![0]).toMatchObject({
      id,
      c,
      cn: "reports",
      m: sent.i,
      un: "olga",
      x: "buy cheap pills at spam.example",
      rs: "spam",
      st: ReportStatus.Open,
    });
    // The same report again: nothing new, nobody told twice.
    expect((await guest.reportMessage(c, sent.i, "spam!")).id).toBe(id);
    await mod.resolveReport(id, ReportStatus.Resolved);
    await until(() => ["owner", "mod", "root"].every((n) => pushed.get(n)!.length === 2));
    expect(pushed.get("root")![1]).toMatchObject({ id, st: ReportStatus.Resolved, cln: "mike" });
    // A round trip each lets any stray push arrive first: members and the reporter get none.
    await mary.reports();
    await guest.reports();
    expect(pushed.get("mary")).toEqual([]);
    expect(pushed.get("guest")).toEqual([]);
  });

  it("lists reports to those who handle them only, and closes each once", async () => {
    const { owner, mod, mary, root, guest, c } = await moderated();
    const sent = await mary.send(c, "rude words");
    const { id } = await owner.reportMessage(c, sent.i);
    for (const client of [owner, mod, root])
      expect((await client.reports()).rp.map((r) => r.id)).toEqual([id]);
    expect((await root.reports({ channelId: c, status: ReportStatus.Open })).rp).toHaveLength(1);
    expect((await mary.reports()).rp).toEqual([]);
    expect((await guest.reports({ channelId: c })).rp).toEqual([]);
    await expect(mary.resolveReport(id, ReportStatus.Dismissed)).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    const outsider = await m.connect({ token: await m.register("otto") });
    await expect(outsider.resolveReport(id, ReportStatus.Dismissed)).rejects.toMatchObject({
      errorName: "NO_SUCH_REPORT",
    });
    await expect(outsider.reportMessage(c, sent.i)).rejects.toMatchObject({
      errorName: "NOT_A_MEMBER",
    });
    const first = await mod.resolveReport(id, ReportStatus.Dismissed);
    expect(first).toMatchObject({ ch: true, rp: { st: ReportStatus.Dismissed, cln: "mike" } });
    const second = await root.resolveReport(id, ReportStatus.Resolved);
    expect(second).toMatchObject({ ch: false, rp: { st: ReportStatus.Dismissed, cln: "mike" } });
    expect((await owner.reports({ status: ReportStatus.Open })).rp).toEqual([]);
    // The moderation log records the closing, with the author as target.
    const { log } = await owner.command(c, "/modlog");
    expect(log?.[0]).toMatchObject({ ac: "report-dismissed", an: "mike", un: "mary" });
  });

  it("refuses one's own message, deleted ones, and a reporter past the report bucket", async () => {
    const { owner, mary, c } = await moderated({ PARLEY_RATE_LIMITS: "report=2/0.01" });
    const mine = await mary.send(c, "mine");
    await expect(mary.reportMessage(c, mine.i)).rejects.toMatchObject({ errorName: "FORBIDDEN" });
    const gone = await owner.send(c, "gone soon");
    await owner.deleteMessage(c, gone.i);
    await expect(mary.reportMessage(c, gone.i)).rejects.toMatchObject({
      errorName: "NO_SUCH_MESSAGE",
    });
    const third = await owner.send(c, "third");
    await expect(mary.reportMessage(c, third.i)).rejects.toMatchObject({
      errorName: "RATE_LIMITED",
    });
    await expect(mary.reportMessage(c, third.i, "x".repeat(251))).rejects.toMatchObject({
      errorName: "INVALID_PAYLOAD",
    });
  });

  it("sends a report in a direct message to the admins only, who alone may close it", async () => {
    m = await MemoryNode.start();
    const [ann, ben, root] = await Promise.all(
      ["ann", "ben", "root"].map(async (n) =>
        m.connect({ token: await (n === "root" ? m.registerAdmin(n) : m.register(n)) }),
      ),
    );
    const { ch } = await ann!.openDm(["ben"]);
    const pushed: Report[] = [];
    root!.on("reportChanged", (r) => pushed.push(r));
    const sent = await ann!.send(ch.i, "a rude DM");
    const { id } = await ben!.reportMessage(ch.i, sent.i, "rude");
    await until(() => pushed.length === 1);
    expect(pushed[0]).toMatchObject({ id, c: ch.i, cn: "", un: "ann" });
    // The DM's opener has no role to moderate with: neither member sees or closes it.
    for (const member of [ann!, ben!]) {
      expect((await member.reports()).rp).toEqual([]);
      await expect(member.resolveReport(id, ReportStatus.Resolved)).rejects.toMatchObject({
        errorName: "NO_SUCH_REPORT",
      });
    }
    expect((await root!.resolveReport(id, ReportStatus.Resolved)).ch).toBe(true);
  });
  it("holds a message with a held word for review: the sender is told, moderators see it live, approving posts it once for everyone", async () => {
    const { owner, mod, mary, root, guest, c } = await moderated();
    expect((await owner.command(c, "/automod hold crypto*")).x).toBe(
      'Messages with "crypto*" are held for review in this channel',
    );
    expect((await owner.command(c, "/automod list")).x).toBe("Held for review here: crypto*");
    const pushed = new Map<string, Report[]>();
    const posted = new Map<string, MessageEvent[]>();
    for (const [name, client] of Object.entries({ owner, mod, mary, root, guest })) {
      pushed.set(name, []);
      posted.set(name, []);
      client.on("reportChanged", (r) => pushed.get(name)!.push(r));
      client.on("events", (channel: number, events: ChannelEvent[]) => {
        if (channel !== c) return;
        for (const e of events) if (e.t === EventType.MessagePosted) posted.get(name)!.push(e);
      });
    }
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 0,
        (err: { code: number }) => err.code,
      );
    // Held, also when sent again with the same nonce: one report, named by the refusal.
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (err: { code: number; report?: number }) => err,
      );
    const first = await refusal(mary.send(c, "Cheap CRYPTO coins here", "held-1"));
    const retried = await refusal(mary.send(c, "Cheap CRYPTO coins here", "held-1"));
    expect(first?.code).toBe(ERRORS.MESSAGE_HELD.code);
    expect(retried?.report).toBe(first?.report);
    // An edit cannot be held: it is refused.
    const plain = await mary.send(c, "plain words");
    expect(await code(mary.editMessage(c, plain.i, 1, "crypto words"))).toBe(
      ERRORS.MESSAGE_BLOCKED.code,
    );
    await until(() => ["owner", "mod", "root", "mary"].every((n) => pushed.get(n)!.length === 1));
    const held = pushed.get("mod")![0]!;
    expect(first?.report).toBe(held.id);
    expect(held).toMatchObject({
      c,
      m: 0,
      u: mary.user!.i,
      un: "mary",
      x: "Cheap CRYPTO coins here",
      by: 0,
      rs: "crypto*",
      st: ReportStatus.Open,
      hd: true,
    });
    // The sender is told of her held message, without the word that held it.
    expect(pushed.get("mary")![0]).toMatchObject({ id: held.id, hd: true, rs: "" });
    expect((await mod.reports()).rp.map((r) => r.id)).toContain(held.id);
    expect((await mary.reports()).rp).toEqual([]);
    // A member cannot approve it; a moderator can, and everyone gets the message.
    expect(await code(mary.resolveReport(held.id, ReportStatus.Resolved))).toBe(
      ERRORS.FORBIDDEN.code,
    );
    const approved = await mod.resolveReport(held.id, ReportStatus.Resolved);
    expect(approved).toMatchObject({ ch: true, rp: { st: ReportStatus.Resolved, cln: "mike" } });
    expect(approved.rp.m).toBeGreaterThan(0);
    const again = await owner.resolveReport(held.id, ReportStatus.Resolved);
    expect(again.ch).toBe(false);
    // Every member gets it (root, an admin outside the channel, does not).
    await until(() =>
      ["owner", "mod", "mary", "guest"].every((n) =>
        posted.get(n)!.some((e) => e.x === "Cheap CRYPTO coins here"),
      ),
    );
    expect(posted.get("guest")!.filter((e) => e.x === "Cheap CRYPTO coins here")).toEqual([
      expect.objectContaining({ i: approved.rp.m, s: approved.rp.s, a: mary.user!.i }),
    ]);
    await until(() => pushed.get("mary")!.length === 2);
    expect(pushed.get("mary")![1]).toMatchObject({ id: held.id, st: ReportStatus.Resolved });
    expect(pushed.get("mary")![1]!.cln).toBeUndefined();
    // A dropped one is never posted.
    expect(await code(mary.send(c, "crypto again"))).toBe(ERRORS.MESSAGE_HELD.code);
    await until(() => pushed.get("mod")!.length === 3);
    const second = pushed.get("mod")![2]!;
    await mod.resolveReport(second.id, ReportStatus.Dismissed);
    await until(() => pushed.get("mary")!.length === 4);
    expect(pushed.get("mary")![3]).toMatchObject({ id: second.id, st: ReportStatus.Dismissed });
    const texts = (await owner.history(c)).e.flatMap((e) =>
      e.t === EventType.MessagePosted ? [e.x] : [],
    );
    expect(texts.filter((x) => /crypto/i.test(x))).toEqual(["Cheap CRYPTO coins here"]);
    const log = await owner.command(c, "/modlog");
    expect(log.log?.map((l) => [l.ac, l.un, l.rs])).toEqual(
      expect.arrayContaining([
        ["held-approved", "mary", "crypto*"],
        ["held-dropped", "mary", "crypto*"],
      ]),
    );
    // The channel's moderators are exempt.
    expect(await code(mod.send(c, "crypto talk from a moderator"))).toBe(0);
  });
});
