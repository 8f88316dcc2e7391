import { type ChannelEvent, EventType, type MessageEvent, ReportStatus } from "@parley/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ClusterNode, TestCluster } from "./cluster";
import { collect, until } from "./harness";
import { describeWith } from "./services";

describeWith(
  ["postgres", "redis"],
  "message edits, deletes, mentions and reports on a cluster of two nodes",
  () => {
    let cluster: TestCluster;
    let nodes: ClusterNode[];

    const register = (name: string) => cluster.register(name);

    const connect = (node: ClusterNode, token: string) => cluster.connect(node, token);

    beforeAll(async () => {
      // The default rate limits, but for registrations: this file signs up eight users from
      // one address. Each user makes fewer requests than a bucket's burst.
      cluster = await TestCluster.start(2, { PARLEY_RATE_LIMITS: "register=50/10" });
      nodes = cluster.nodes;
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop();
    }, 120_000);

    it("delivers an edit and a deletion made on one node live to a member on the other", async () => {
      const author = await connect(nodes[0]!, await register("author1"));
      const { ch } = await author.createChannel("across");
      const reader = await connect(nodes[1]!, await register("reader1"));
      await reader.joinChannel(ch.i);
      const seen = collect(reader, ch.i);
      const sent = await author.send(ch.i, "draft");
      const edit = await author.editMessage(ch.i, sent.i, 1, "final");
      await until(() => seen.some((e) => e.s === edit.s), 15_000, "the edit on the other node");
      expect(seen.find((e) => e.s === edit.s)).toMatchObject({
        t: EventType.MessageEdited,
        m: sent.i,
        v: 2,
        x: "final",
      });
      const deletion = await author.deleteMessage(ch.i, sent.i);
      await until(() => seen.some((e) => e.s === deletion.s), 15_000, "the deletion");
      expect(seen.find((e) => e.s === deletion.s)).toMatchObject({
        t: EventType.MessageDeleted,
        m: sent.i,
      });
      const page = await reader.history(ch.i);
      expect(page.e.find((e) => e.t === EventType.MessagePosted && e.i === sent.i)).toMatchObject({
        x: "",
        v: 2,
        dl: { u: author.user!.i },
      });
    }, 60_000);

    it("mentions a member who joined on the other node, as the storage knows the membership", async () => {
      const author = await connect(nodes[0]!, await register("speaker"));
      const { ch } = await author.createChannel("across-mentions");
      const listener = await connect(nodes[1]!, await register("listener"));
      await listener.joinChannel(ch.i);
      const seen = collect(listener, ch.i);
      const sent = await author.send(ch.i, "welcome @Listener");
      expect(sent.mn).toEqual([listener.user!.i]);
      await until(
        () => seen.some((e) => e.t === EventType.MessagePosted && e.i === sent.i),
        15_000,
        "the message on the other node",
      );
      const live = seen.find(
        (e): e is MessageEvent => e.t === EventType.MessagePosted && e.i === sent.i,
      );
      expect(live?.mn).toEqual([listener.user!.i]);
    }, 60_000);

    it("lets exactly one of two edits at the same version, made at once on two nodes, win", async () => {
      const token = await register("author2");
      const [here, there] = [await connect(nodes[0]!, token), await connect(nodes[1]!, token)];
      const { ch } = await here.createChannel("race");
      await until(() => there.lastSeq.has(ch.i), 15_000, "the channel on the other tab");
      const seen: ChannelEvent[] = collect(there, ch.i);
      for (let round = 0; round < 5; round++) {
        const sent = await here.send(ch.i, `round ${round}`);
        const outcomes = await Promise.allSettled([
          here.editMessage(ch.i, sent.i, 1, `here ${round}`),
          there.editMessage(ch.i, sent.i, 1, `there ${round}`),
        ]);
        const won = outcomes.filter((o) => o.status === "fulfilled");
        const lost = outcomes.filter((o) => o.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost.map((o) => (o as PromiseRejectedResult).reason)).toMatchObject([
          { errorName: "VERSION_CONFLICT" },
        ]);
        const { vs } = await there.messageVersions(ch.i, sent.i);
        expect(vs.map((v) => v.v)).toEqual([1, 2]);
      }
      const last = (await here.channelInfo(ch.i)).ch.ls;
      await until(() => seen.at(-1)?.s === last, 15_000, "every event");
      expect(seen.filter((e) => e.t === EventType.MessageEdited)).toHaveLength(5);
    }, 60_000);

    it("orders a reply and the deletion of its target, made at once on two nodes", async () => {
      const author = await connect(nodes[0]!, await register("author3"));
      const { ch } = await author.createChannel("reply-race");
      const replier = await connect(nodes[1]!, await register("replier3"));
      await replier.joinChannel(ch.i);
      let replied = 0;
      for (let round = 0; round < 10; round++) {
        const target = await author.send(ch.i, `question ${round}`);
        const [reply, deletion] = await Promise.allSettled([
          replier.reply(ch.i, target.i, `answer ${round}`),
          author.deleteMessage(ch.i, target.i),
        ]);
        expect(deletion.status).toBe("fulfilled");
        const deleted = (deletion as PromiseFulfilledResult<{ s: number }>).value.s;
        if (reply.status === "rejected") {
          // The deletion committed first: the reply is refused, and nothing of it was stored.
          expect(reply.reason).toMatchObject({ errorName: "NO_SUCH_MESSAGE" });
          continue;
        }
        // The reply committed first: it is ordered before the deletion, and every reader on
        // either node sees its quote as deleted.
        replied++;
        expect(reply.value.s).toBeLessThan(deleted);
        for (const reader of [author, replier]) {
          const page = await reader.history(ch.i, { limit: 100 });
          const stored = page.e.find(
            (e) => e.t === EventType.MessagePosted && e.i === reply.value.i,
          );
          expect(stored).toMatchObject({ rp: { m: target.i, x: "", dl: true } });
        }
      }
      // Whichever way each round went, no live reply quotes a deleted message as live, and
      // every refused reply left nothing behind.
      const page = await replier.history(ch.i, { limit: 100 });
      const replies = page.e.filter((e) => e.t === EventType.MessagePosted && e.rp);
      expect(replies).toHaveLength(replied);
      for (const r of replies) expect(r).toMatchObject({ rp: { x: "", dl: true } });
    }, 90_000);

    it("brings a report filed on one node live to a moderator on the other, and closes it once", async () => {
      const owner = await connect(nodes[0]!, await register("reportowner"));
      const { ch } = await owner.createChannel("reported");
      const moderator = await connect(nodes[1]!, await register("reportmod"));
      await moderator.joinChannel(ch.i);
      await owner.command(ch.i, "/mod @reportmod");
      const reporter = await connect(nodes[0]!, await register("reporter"));
      await reporter.joinChannel(ch.i);
      const seen: { who: string; st: number }[] = [];
      owner.on("reportChanged", (r) => seen.push({ who: "owner", st: r.st }));
      moderator.on("reportChanged", (r) => seen.push({ who: "moderator", st: r.st }));
      const sent = await owner.send(ch.i, "a reported message");
      const { id } = await reporter.reportMessage(ch.i, sent.i, "off topic");
      await until(() => seen.length === 2, 15_000, "the report on both nodes");
      expect(seen).toEqual(
        expect.arrayContaining([
          { who: "owner", st: ReportStatus.Open },
          { who: "moderator", st: ReportStatus.Open },
        ]),
      );
      // Both close it at once, one on each node: one of them does.
      const [a, b] = await Promise.all([
        owner.resolveReport(id, ReportStatus.Resolved),
        moderator.resolveReport(id, ReportStatus.Dismissed),
      ]);
      expect([a.ch, b.ch].filter(Boolean)).toHaveLength(1);
      expect(a.rp).toEqual(b.rp);
      await until(() => seen.length === 4, 15_000, "the closing on both nodes");
      expect(seen.slice(2).map((s) => s.st)).toEqual([a.rp.st, a.rp.st]);
      const { log } = await moderator.command(ch.i, "/modlog");
      expect(log?.filter((l) => l.ac.startsWith("report-"))).toHaveLength(1);
    }, 60_000);
  },
);
