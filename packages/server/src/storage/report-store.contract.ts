import { EventType, MessageKind, ReportStatus, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { ParleyError } from "../errors";
import { createUser, type Open, storageFixture } from "./contract-fixture";
import { fileOf } from "./file-rows.contract";
import { post } from "./message-store.contract";
import type { Actor } from "./storage";

const allow = () => {};

/** The {@link ReportStore} contract, run against every implementation. */
export function reportStoreContract(name: string, open: Open) {
  describe(`${name} › ReportStore contract`, () => {
    const fx = storageFixture(open);

    /** alice's channel with bob (a member) and carol (a moderator), and a message of alice's. */
    async function setup() {
      const { storage, alice, bob } = fx;
      const c = await createUser(storage, { username: "carol", passwordHash: "h", isGuest: false });
      const carol: Actor = { id: c.id, name: c.username };
      const { channel } = await storage.createChannel({ name: "general", topic: "", owner: alice });
      for (const who of [bob, carol])
        await storage.addMember(channel.id, who.id, Role.Member, {
          type: EventType.MemberJoined,
          actor: who,
        });
      await storage.setRole({ channelId: channel.id, actor: alice, target: carol }, Role.Moderator);
      const message = await post(storage, channel.id, alice, "you are all fools");
      return { channelId: channel.id, message, carol };
    }

    it("files a report with the message as it was, once per reporter and message", async () => {
      const { storage, alice, bob } = fx;
      const { channelId, message } = await setup();
      const first = await storage.fileReport({
        channelId,
        messageId: message.id,
        reporter: bob,
        reason: "rude",
      });
      expect(first.created).toBe(true);
      expect(first.report).toMatchObject({
        c: channelId,
        cn: "general",
        m: message.id,
        s: message.seq,
        u: alice.id,
        un: "alice",
        x: "you are all fools",
        by: bob.id,
        byn: bob.name,
        rs: "rude",
        st: ReportStatus.Open,
      });
      expect(first.report.cl).toBeUndefined();
      // Edited since: the report keeps what was reported; reported again: the same report.
      await storage.editMessage(
        {
          channelId,
          messageId: message.id,
          actor: alice,
          version: 1,
          content: "you are all lovely",
          nonce: "e1",
        },
        () => {},
      );
      const again = await storage.fileReport({
        channelId,
        messageId: message.id,
        reporter: bob,
        reason: "still rude",
      });
      expect(again).toEqual({ report: first.report, created: false });
      expect(await storage.reports({ limit: 10 })).toEqual([first.report]);
    });

    it("refuses strangers, unknown or deleted messages, messages of another channel, and one's own", async () => {
      const { storage, alice, bob } = fx;
      const { channelId, message } = await setup();
      const d = await createUser(storage, { username: "dave", passwordHash: "h", isGuest: false });
      const dave: Actor = { id: d.id, name: d.username };
      const { channel: other } = await storage.createChannel({
        name: "other",
        topic: "",
        owner: dave,
      });
      const elsewhere = await post(storage, other.id, dave, "elsewhere");
      const code = (p: Promise<unknown>) =>
        p.then(
          () => "ok",
          (err: unknown) => (err instanceof ParleyError ? err.errorName : String(err)),
        );
      const file = (reporter: Actor, messageId: number, c = channelId) =>
        storage.fileReport({ channelId: c, messageId, reporter, reason: "" });
      expect(await code(file(dave, message.id))).toBe("NOT_A_MEMBER");
      expect(await code(file(bob, 999_999))).toBe("NO_SUCH_MESSAGE");
      expect(await code(file(bob, elsewhere.id))).toBe("NO_SUCH_MESSAGE");
      expect(await code(file(alice, message.id))).toBe("FORBIDDEN");
      await storage.deleteMessage(
        { channelId, messageId: message.id, actor: alice, nonce: "d1" },
        () => ({ moderator: false }),
      );
      expect(await code(file(bob, message.id))).toBe("NO_SUCH_MESSAGE");
      expect(await storage.reports({ limit: 10 })).toEqual([]);
    });

    it("closes a report once, with the closer's role read at commit, and audits it", async () => {
      const { storage, alice, bob } = fx;
      const { channelId, message, carol } = await setup();
      const { report } = await storage.fileReport({
        channelId,
        messageId: message.id,
        reporter: bob,
        reason: "rude",
      });
      const roles: (Role | undefined)[] = [];
      const refused = await storage
        .closeReport({ id: report.id, actor: bob, status: ReportStatus.Resolved }, (role) => {
          roles.push(role);
          throw new ParleyError("FORBIDDEN");
        })
        .catch((err: ParleyError) => err.errorName);
      expect(refused).toBe("FORBIDDEN");
      const closed = await storage.closeReport(
        { id: report.id, actor: carol, status: ReportStatus.Dismissed },
        (role) => roles.push(role),
      );
      expect(roles).toEqual([Role.Member, Role.Moderator]);
      expect(closed.changed).toBe(true);
      expect(closed.report).toMatchObject({
        id: report.id,
        st: ReportStatus.Dismissed,
        cl: carol.id,
        cln: "carol",
      });
      expect(closed.report.clt).toBeGreaterThanOrEqual(report.ts);
      // Closed already: as it is, nothing written, whoever asks.
      const late = await storage.closeReport(
        { id: report.id, actor: alice, status: ReportStatus.Resolved },
        allow,
      );
      expect(late).toEqual({ report: closed.report, changed: false });
      const audit = await storage.auditLog({ channelId }, 10);
      expect(audit.filter((e) => e.action.startsWith("report-"))).toEqual([
        expect.objectContaining({
          action: "report-dismissed",
          actor: carol,
          target: { id: alice.id, name: "alice" },
          reason: "rude",
        }),
      ]);
      const missing = await storage
        .closeReport({ id: 999_999, actor: carol, status: ReportStatus.Resolved }, allow)
        .catch((err: ParleyError) => err.errorName);
      expect(missing).toBe("NO_SUCH_REPORT");
    });

    it("closes concurrent closings of one report exactly once", async () => {
      const { storage, alice, bob } = fx;
      const { channelId, message, carol } = await setup();
      const { report } = await storage.fileReport({
        channelId,
        messageId: message.id,
        reporter: bob,
        reason: "",
      });
      const results = await Promise.all(
        [alice, carol, alice, carol].map((actor, i) =>
          storage.closeReport(
            {
              id: report.id,
              actor,
              status: i % 2 ? ReportStatus.Resolved : ReportStatus.Dismissed,
            },
            allow,
          ),
        ),
      );
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      // Every closer gets the report as the one that closed it left it.
      for (const r of results) expect(r.report).toEqual(results.find((x) => x.changed)!.report);
      const audit = await storage.auditLog({ channelId }, 10);
      expect(audit.filter((e) => e.action.startsWith("report-"))).toHaveLength(1);
    });

    it("lists by channel and status, newest first, page by page; knows who moderates", async () => {
      const { storage, alice, bob } = fx;
      const { channelId, message, carol } = await setup();
      const second = await post(storage, channelId, carol, "second");
      const { channel: quiet } = await storage.createChannel({
        name: "quiet",
        topic: "",
        owner: bob,
      });
      await storage.addMember(quiet.id, alice.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: alice,
      });
      const third = await post(storage, quiet.id, bob, "third");
      const a = await storage.fileReport({
        channelId,
        messageId: message.id,
        reporter: bob,
        reason: "",
      });
      const b = await storage.fileReport({
        channelId,
        messageId: second.id,
        reporter: bob,
        reason: "",
      });
      const c = await storage.fileReport({
        channelId: quiet.id,
        messageId: third.id,
        reporter: alice,
        reason: "",
      });
      await storage.closeReport(
        { id: a.report.id, actor: alice, status: ReportStatus.Resolved },
        allow,
      );
      const ids = async (filter: Parameters<typeof storage.reports>[0]) =>
        (await storage.reports(filter)).map((r) => r.id);
      expect(await ids({ limit: 10 })).toEqual([c.report.id, b.report.id, a.report.id]);
      expect(await ids({ channelIds: [channelId], limit: 10 })).toEqual([b.report.id, a.report.id]);
      expect(await ids({ status: ReportStatus.Open, limit: 10 })).toEqual([
        c.report.id,
        b.report.id,
      ]);
      expect(await ids({ limit: 1 })).toEqual([c.report.id]);
      expect(await ids({ beforeId: c.report.id, limit: 1 })).toEqual([b.report.id]);
      expect(await ids({ channelIds: [], limit: 10 })).toEqual([]);
      expect((await storage.channelModerators(channelId)).sort()).toEqual(
        [alice.id, carol.id].sort(),
      );
      expect(await storage.moderatedChannels(alice.id)).toEqual([channelId]);
      expect(await storage.moderatedChannels(carol.id)).toEqual([channelId]);
      expect(await storage.moderatedChannels(bob.id)).toEqual([quiet.id]);
    });
    /** bob's send held in alice's channel (a reply to her message, with a file of his). */
    async function holdBobs(channelId: number, replyTo: number, nonce = "h1") {
      const { storage, bob } = fx;
      const file = fileOf(bob, Date.now() - 3_600_000);
      await storage.createFile(file);
      const held = await storage.holdMessage({
        channelId,
        author: bob,
        nonce,
        content: "buy crypto now",
        draft: { k: MessageKind.Text, r: replyTo, f: [file.id] },
        entry: "crypto",
      });
      return { ...held, file };
    }

    it("holds a send once per nonce, as a report with no message; approving posts it once, with its reply and file", async () => {
      const { storage, alice, bob } = fx;
      const { channelId, message, carol } = await setup();
      const lastSeq = (await storage.snapshot(channelId, 1)).lastSeq;
      const { report, created, file } = await holdBobs(channelId, message.id);
      expect(created).toBe(true);
      expect(report).toMatchObject({
        c: channelId,
        m: 0,
        s: 0,
        u: bob.id,
        un: "bob",
        x: "buy crypto now",
        by: 0,
        rs: "crypto",
        st: ReportStatus.Open,
        hd: true,
      });
      // Retried: the same hold. Nothing is in the channel's stream yet.
      const again = await storage.holdMessage({
        channelId,
        author: bob,
        nonce: "h1",
        content: "buy crypto now",
        draft: { k: MessageKind.Text },
        entry: "crypto",
      });
      expect(again).toEqual({ report, created: false });
      expect((await storage.snapshot(channelId, 1)).lastSeq).toBe(lastSeq);
      // Its upload waits with it: the orphan sweep leaves it while the report is open.
      expect(await storage.doomOrphans(Date.now())).toBe(0);
      const approved = await storage.closeReport(
        { id: report.id, actor: carol, status: ReportStatus.Resolved },
        allow,
      );
      expect(approved.changed).toBe(true);
      expect(approved.posted).toMatchObject({
        t: EventType.MessagePosted,
        a: bob.id,
        x: "buy crypto now",
        s: lastSeq + 1,
        rp: { m: message.id },
        f: [{ i: file.id }],
      });
      expect(approved.report).toMatchObject({
        st: ReportStatus.Resolved,
        m: approved.posted!.i,
        s: lastSeq + 1,
        cl: carol.id,
      });
      const events = await storage.eventsAfter(channelId, lastSeq, 10);
      expect(events).toEqual([approved.posted]);
      // Approved again, by anyone: nothing more is posted.
      const late = await storage.closeReport(
        { id: report.id, actor: alice, status: ReportStatus.Resolved },
        allow,
      );
      expect(late.changed).toBe(false);
      expect(late.posted).toBeUndefined();
      expect(await storage.eventsAfter(channelId, lastSeq, 10)).toHaveLength(1);
      const audit = await storage.auditLog({ channelId, action: "held-approved" }, 10);
      expect(audit).toEqual([
        expect.objectContaining({ actor: carol, target: bob, reason: "crypto" }),
      ]);
    });

    it("drops a held message without posting it; its upload is an orphan again", async () => {
      const { storage } = fx;
      const { channelId, message, carol } = await setup();
      const lastSeq = (await storage.snapshot(channelId, 1)).lastSeq;
      const { report } = await holdBobs(channelId, message.id);
      const dropped = await storage.closeReport(
        { id: report.id, actor: carol, status: ReportStatus.Dismissed },
        allow,
      );
      expect(dropped).toMatchObject({
        changed: true,
        report: { st: ReportStatus.Dismissed, m: 0 },
      });
      expect(dropped.posted).toBeUndefined();
      expect((await storage.snapshot(channelId, 1)).lastSeq).toBe(lastSeq);
      expect(await storage.doomOrphans(Date.now())).toBe(1);
      expect(await storage.auditLog({ channelId, action: "held-dropped" }, 10)).toHaveLength(1);
    });

    it("refuses an approval the send path refuses (author muted, or gone), leaving the report open", async () => {
      const { storage, alice, bob } = fx;
      const { channelId, message, carol } = await setup();
      const { report } = await holdBobs(channelId, message.id);
      await storage.mute({ channelId, actor: alice, target: bob, until: null });
      const lastSeq = (await storage.snapshot(channelId, 1)).lastSeq;
      const refused = await storage
        .closeReport({ id: report.id, actor: carol, status: ReportStatus.Resolved }, allow)
        .catch((err: ParleyError) => err.errorName);
      expect(refused).toBe("MUTED");
      expect((await storage.reports({ limit: 10 }))[0]).toMatchObject({
        id: report.id,
        st: ReportStatus.Open,
      });
      expect((await storage.snapshot(channelId, 1)).lastSeq).toBe(lastSeq);
      expect(await storage.auditLog({ channelId, action: "held-approved" }, 10)).toEqual([]);
      // A stranger's send is not held at all.
      const d = await createUser(storage, { username: "dave", passwordHash: "h", isGuest: false });
      const stranger = await storage
        .holdMessage({
          channelId,
          author: { id: d.id, name: d.username },
          nonce: "x",
          content: "crypto",
          draft: { k: MessageKind.Text },
          entry: "crypto",
        })
        .catch((err: ParleyError) => err.errorName);
      expect(stranger).toBe("NOT_A_MEMBER");
    });

    it("posts a held message once when approvals race, and not when a drop wins", async () => {
      const { storage, alice } = fx;
      const { channelId, message, carol } = await setup();
      const lastSeq = (await storage.snapshot(channelId, 1)).lastSeq;
      const { report } = await holdBobs(channelId, message.id);
      const results = await Promise.all(
        [alice, carol, alice, carol].map((actor, i) =>
          storage.closeReport(
            {
              id: report.id,
              actor,
              status: i === 3 ? ReportStatus.Dismissed : ReportStatus.Resolved,
            },
            allow,
          ),
        ),
      );
      const winner = results.filter((r) => r.changed);
      expect(winner).toHaveLength(1);
      const posted = results.filter((r) => r.posted);
      expect(posted).toHaveLength(winner[0]!.report.st === ReportStatus.Resolved ? 1 : 0);
      expect(await storage.eventsAfter(channelId, lastSeq, 10)).toHaveLength(posted.length);
    });
  });
}
