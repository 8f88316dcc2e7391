import { EventType, excerpt, type MessageEvent, MessageKind, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import type { ParleyError } from "../errors";
import { type Open, storageFixture } from "./contract-fixture";
import { post } from "./message-store.contract";
import type { Actor } from "./storage";

/** The {@link SendPath} contract (send path), run against every implementation. */
export function sendPathContract(name: string, open: Open) {
  describe(`${name} › SendPath contract`, () => {
    const fx = storageFixture(open);

    it("assigns contiguous seqs to concurrent writers of every kind", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) {
        writes.push(
          storage.appendMessages([
            {
              channelId: channel.id,
              author: alice,
              nonce: `a${i}`,
              content: `${i}`,
              kind: MessageKind.Text,
            },
          ]),
        );
        writes.push(
          storage.appendMessages([
            {
              channelId: channel.id,
              author: bob,
              nonce: `b${i}`,
              content: `${i}`,
              kind: MessageKind.Text,
            },
            {
              channelId: channel.id,
              author: bob,
              nonce: `c${i}`,
              content: `${i}`,
              kind: MessageKind.Text,
            },
          ]),
        );
      }
      await Promise.all(writes);
      const events = await storage.eventsAfter(channel.id, 0, 1000);
      expect(events.map((e) => e.s)).toEqual(Array.from({ length: 152 }, (_, i) => i + 1));
      expect((await storage.getChannel(channel.id))?.lastSeq).toBe(152);
    });

    it("stores a large mixed batch in order, refusing only what breaks a rule", async () => {
      const { storage, alice, bob } = fx;
      const { channel: a } = await storage.createChannel({ name: "a", topic: "", owner: alice });
      const { channel: b } = await storage.createChannel({ name: "b", topic: "", owner: alice });
      const { channel: slow } = await storage.createChannel({ name: "s", topic: "", owner: alice });
      for (const c of [a, b, slow])
        await storage.addMember(c.id, bob.id, Role.Member, {
          type: EventType.MemberJoined,
          actor: bob,
        });
      await storage.setSlowMode(slow.id, 60, alice);
      await storage.mute({ channelId: b.id, actor: alice, target: bob, until: null });
      const [stored] = await storage.appendMessages([
        {
          channelId: a.id,
          author: alice,
          nonce: "early",
          content: "early",
          kind: MessageKind.Text,
        },
      ]);
      const message = (channelId: number, author: Actor, nonce: string) => ({
        channelId,
        author,
        nonce,
        content: `${channelId}/${nonce}`,
        kind: MessageKind.Text,
      });
      const batch = [
        ...Array.from({ length: 40 }, (_, i) => message(a.id, i % 2 ? alice : bob, `a${i}`)),
        message(b.id, alice, "b0"),
        message(b.id, bob, "muted"),
        message(a.id, alice, "early"), // a retry of the message stored above
        ...Array.from({ length: 30 }, (_, i) => message(b.id, alice, `b${i + 1}`)),
        message(slow.id, bob, "slow1"),
        message(slow.id, bob, "slow2"), // 60 s slow mode: refused
      ];
      const results = await storage.appendMessages(batch);
      expect(results).toHaveLength(batch.length);
      results.forEach((r, i) => {
        const m = batch[i]!;
        if (m.nonce === "muted")
          expect(r).toMatchObject({ ok: false, error: { errorName: "MUTED" } });
        else if (m.nonce === "slow2")
          expect(r).toMatchObject({ ok: false, error: { errorName: "SLOW_MODE" } });
        else if (m.nonce === "early") expect(r).toEqual({ ...stored, duplicate: true });
        else {
          expect(r).toMatchObject({
            ok: true,
            duplicate: false,
            event: { x: m.content, n: m.nonce },
          });
        }
      });
      // Each channel's messages got consecutive seqs in the order of the batch.
      for (const c of [a, b, slow]) {
        const events = (await storage.eventsAfter(c.id, 0, 1000)).filter(
          (e) => e.t === EventType.MessagePosted,
        );
        const expected = batch
          .map((m, i) => ({ m, r: results[i]! }))
          .filter(({ m, r }) => m.channelId === c.id && r.ok && !r.duplicate)
          .map(({ m }) => m.content);
        if (c.id === a.id) expected.unshift("early");
        expect(events.map((e) => (e as { x: string }).x)).toEqual(expected);
        const seqs = events.map((e) => e.s);
        expect(seqs).toEqual(seqs.map((_, k) => seqs[0]! + k));
        expect((await storage.getChannel(c.id))?.lastSeq).toBe(seqs.at(-1));
      }
    });

    it("stores a nonce once per author and returns the original on a retry", async () => {
      const { storage, alice } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const msg = {
        channelId: channel.id,
        author: alice,
        nonce: "same",
        content: "first",
        kind: MessageKind.Text,
      };
      const [first] = await storage.appendMessages([msg]);
      const [again, inBatch] = await storage.appendMessages([{ ...msg, content: "second" }, msg]);
      expect(first).toMatchObject({ ok: true, duplicate: false });
      expect(again).toMatchObject({ ok: true, duplicate: true });
      expect(inBatch).toMatchObject({ ok: true, duplicate: true });
      if (first?.ok && again?.ok)
        expect(again.event).toMatchObject({ s: first.event.s, i: first.event.i, x: "first" });
      expect(
        (await storage.eventsAfter(channel.id, 0, 10)).filter(
          (e) => e.t === EventType.MessagePosted,
        ),
      ).toHaveLength(1);
    });

    it("returns the original to a retry whatever changed since: a mute, a deleted target, an archive", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const other = (await storage.createChannel({ name: "d", topic: "", owner: alice })).channel;
      const join = { type: EventType.MemberJoined, actor: bob } as const;
      await storage.addMember(channel.id, bob.id, Role.Member, join);
      const target = await post(storage, channel.id, alice, "the target");
      const text = (author: Actor, nonce: string, extra: { replyTo?: number } = {}) => ({
        channelId: channel.id,
        author,
        nonce,
        content: nonce,
        kind: MessageKind.Text,
        ...extra,
      });
      const inOther = { ...text(alice, "in-other"), channelId: other.id };
      const firsts = await storage.appendMessages([
        text(bob, "bobs"),
        text(alice, "reply", { replyTo: target.id }),
        inOther,
      ]);
      expect(firsts.map((r) => r.ok && !r.duplicate)).toEqual([true, true, true]);
      await storage.mute({ channelId: channel.id, actor: alice, target: bob, until: null });
      await storage.deleteMessage(
        { channelId: channel.id, messageId: target.id, actor: alice, nonce: "delete" },
        () => ({ moderator: false }),
      );
      await storage.setChannelArchivedAudited(other.id, true, alice, {
        actor: alice,
        action: "archive",
        targetKind: "channel",
        target: { id: other.id, name: other.name },
        before: {},
        after: {},
      });
      // The retries, in one batch with new messages that the same changes refuse or store.
      const retries = await storage.appendMessages([
        text(bob, "bobs"),
        text(bob, "bobs-new"),
        text(alice, "reply", { replyTo: target.id }),
        text(alice, "reply-new", { replyTo: target.id }),
        inOther,
        text(alice, "plain-new"),
      ]);
      const outcome = (r: (typeof retries)[number]) =>
        r.ok
          ? r.duplicate
            ? `original ${r.event.i}`
            : "stored"
          : (r.error as ParleyError).errorName;
      expect(retries.map(outcome)).toEqual([
        `original ${firsts[0]!.ok && firsts[0]!.event.i}`,
        "MUTED",
        `original ${firsts[1]!.ok && firsts[1]!.event.i}`,
        "NO_SUCH_MESSAGE",
        `original ${firsts[2]!.ok && firsts[2]!.event.i}`,
        "stored",
      ]);
    });

    it("fails one bad message of a batch without failing the others", async () => {
      const { storage, alice } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const results = await storage.appendMessages([
        {
          channelId: channel.id,
          author: alice,
          nonce: "ok1",
          content: "a",
          kind: MessageKind.Text,
        },
        { channelId: 999_999, author: alice, nonce: "bad", content: "b", kind: MessageKind.Text },
        {
          channelId: channel.id,
          author: alice,
          nonce: "ok2",
          content: "c",
          kind: MessageKind.Text,
        },
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    });

    it("refuses every write by a non-member inside the write: messages, batches, reactions", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const join = { type: EventType.MemberJoined, actor: bob } as const;
      const text = (author: Actor, nonce: string) => ({
        channelId: channel.id,
        author,
        nonce,
        content: nonce,
        kind: MessageKind.Text,
      });
      // Never a member: refused alone, beside a member's message in the same batch.
      const [stranger, member] = await storage.appendMessages([text(bob, "b1"), text(alice, "a1")]);
      expect(stranger).toMatchObject({ ok: false, error: { errorName: "NOT_A_MEMBER" } });
      expect(member?.ok).toBe(true);
      expect(await storage.standing(channel.id, bob.id)).toBeUndefined();
      const messageId = member?.ok ? member.event.i : 0;
      await expect(storage.addReaction(channel.id, messageId, "👍", bob, 20)).rejects.toMatchObject(
        {
          errorName: "NOT_A_MEMBER",
        },
      );
      // A member, then kicked: the next write is refused at once, and nothing took a seq.
      await storage.addMember(channel.id, bob.id, Role.Member, join);
      expect(await storage.standing(channel.id, bob.id)).toEqual({ role: Role.Member });
      const [joined] = await storage.appendMessages([text(bob, "b2")]);
      expect(joined?.ok).toBe(true);
      await storage.addReaction(channel.id, messageId, "👍", bob, 20);
      const [kick] = await storage.kick({ channelId: channel.id, actor: alice, target: bob });
      const after = await storage.appendMessages([text(bob, "b3"), text(bob, "b4")]);
      expect(after.map((r) => (r.ok ? "ok" : (r.error as ParleyError).errorName))).toEqual([
        "NOT_A_MEMBER",
        "NOT_A_MEMBER",
      ]);
      await expect(storage.removeReaction(channel.id, messageId, "👍", bob)).rejects.toMatchObject({
        errorName: "NOT_A_MEMBER",
      });
      expect((await storage.getChannel(channel.id))!.lastSeq).toBe(kick!.s);
      // Back again: writes go through.
      await storage.addMember(channel.id, bob.id, Role.Member, join);
      const [back] = await storage.appendMessages([text(bob, "b5")]);
      expect(back?.ok).toBe(true);
    });

    describe("replies", () => {
      /** A channel of alice's with bob as member, and a message of alice's to answer. */
      async function setup(content = "the question") {
        const { storage, alice, bob } = fx;
        const { channel } = await storage.createChannel({ name: "r", topic: "", owner: alice });
        await storage.addMember(channel.id, bob.id, Role.Member, {
          type: EventType.MemberJoined,
          actor: bob,
        });
        const original = await post(storage, channel.id, alice, content);
        const quote = { m: original.id, s: original.seq, a: alice.id, an: alice.name };
        return { c: channel.id, original, quote };
      }

      const reply = (channelId: number, author: Actor, replyTo: number, nonce: string) => ({
        channelId,
        author,
        nonce,
        content: `re ${nonce}`,
        kind: MessageKind.Text,
        replyTo,
      });

      /**
       * The quote of reply `id` as every reader returns it: history, snapshot, replay, and the
       * pinned list (the reply is pinned for it).
       */
      async function everywhere(c: number, id: number) {
        const { storage, alice } = fx;
        const find = (events: readonly { t: number }[]) =>
          (events as MessageEvent[]).find((e) => e.t === EventType.MessagePosted && e.i === id);
        await storage.pinMessage({ channelId: c, messageId: id, actor: alice, on: true }, () => {});
        return [
          find((await storage.history(c, { limit: 100 })).e),
          find((await storage.snapshot(c, 100)).page.e),
          find(await storage.eventsAfter(c, 0, 100)),
          find(await storage.pinned(c)),
        ].map((e) => e?.rp);
      }

      it("stores a reply with the quote of its target, live and in every reader", async () => {
        const long = `${"word ".repeat(40)}\nend`;
        const { c, quote } = await setup(long);
        const [r] = await fx.storage.appendMessages([reply(c, fx.bob, quote.m, "r1")]);
        const expected = { ...quote, x: excerpt(long) };
        expect(r).toMatchObject({ ok: true, duplicate: false, event: { rp: expected } });
        expect(expected.x.length).toBeLessThanOrEqual(140);
        const id = r?.ok ? r.event.i : 0;
        expect(await everywhere(c, id)).toEqual([expected, expected, expected, expected]);
        // A reply to a reply quotes its direct parent only.
        const [rr] = await fx.storage.appendMessages([reply(c, fx.alice, id, "r2")]);
        expect(rr).toMatchObject({
          ok: true,
          event: { rp: { m: id, a: fx.bob.id, an: fx.bob.name, x: "re r1" } },
        });
        // A plain message carries no quote.
        const plain = await post(fx.storage, c, fx.alice, "plain");
        const page = await fx.storage.history(c, { limit: 100 });
        expect(
          page.e.find((e) => e.t === EventType.MessagePosted && e.i === plain.id),
        ).not.toHaveProperty("rp");
      });

      it("reads the quote from the target's current row: edited, then deleted", async () => {
        const { storage, alice } = fx;
        const { c, quote } = await setup();
        const [r] = await storage.appendMessages([reply(c, fx.bob, quote.m, "r1")]);
        const id = r?.ok ? r.event.i : 0;
        await storage.editMessage(
          {
            channelId: c,
            messageId: quote.m,
            actor: alice,
            version: 1,
            content: "new  words",
            nonce: "e",
          },
          () => {},
        );
        const edited = { ...quote, x: "new words" };
        expect(await everywhere(c, id)).toEqual([edited, edited, edited, edited]);
        await storage.deleteMessage(
          { channelId: c, messageId: quote.m, actor: alice, nonce: "d" },
          () => ({ moderator: false }),
        );
        const deleted = { ...quote, x: "", dl: true };
        expect(await everywhere(c, id)).toEqual([deleted, deleted, deleted, deleted]);
      });

      it("refuses a reply to an unknown, deleted or other channel's message alone in its batch", async () => {
        const { storage, alice, bob } = fx;
        const { c, quote } = await setup();
        const { channel: other } = await storage.createChannel({
          name: "o",
          topic: "",
          owner: alice,
        });
        const elsewhere = await post(storage, other.id, alice, "elsewhere");
        const gone = await post(storage, c, alice, "gone");
        await storage.deleteMessage(
          { channelId: c, messageId: gone.id, actor: alice, nonce: "d" },
          () => ({ moderator: false }),
        );
        const before = (await storage.getChannel(c))!.lastSeq;
        const plain = (nonce: string) => ({
          channelId: c,
          author: bob,
          nonce,
          content: nonce,
          kind: MessageKind.Text,
        });
        const batch = [
          plain("p1"),
          reply(c, bob, 999_999, "unknown"),
          reply(c, bob, quote.m, "ok1"),
          reply(c, bob, gone.id, "deleted"),
          reply(c, bob, elsewhere.id, "elsewhere"),
          reply(c, alice, quote.m, "ok2"),
          plain("p2"),
        ];
        const results = await storage.appendMessages(batch);
        expect(results.map((r) => (r.ok ? "ok" : (r.error as ParleyError).errorName))).toEqual([
          "ok",
          "NO_SUCH_MESSAGE",
          "ok",
          "NO_SUCH_MESSAGE",
          "NO_SUCH_MESSAGE",
          "ok",
          "ok",
        ]);
        // The stored ones took consecutive seqs; the refused ones took none.
        expect(results.flatMap((r) => (r.ok ? [r.event.s] : []))).toEqual([
          before + 1,
          before + 2,
          before + 3,
          before + 4,
        ]);
        expect(results.flatMap((r) => (r.ok && r.event.rp ? [r.event.rp] : []))).toEqual([
          { ...quote, x: "the question" },
          { ...quote, x: "the question" },
        ]);
        expect((await storage.getChannel(c))!.lastSeq).toBe(before + 4);
      });

      it("returns the original reply with its quote on a retry of its nonce", async () => {
        const { storage, bob } = fx;
        const { c, quote } = await setup();
        const [first] = await storage.appendMessages([reply(c, bob, quote.m, "same")]);
        const [again, inBatch] = await storage.appendMessages([
          reply(c, bob, quote.m, "same"),
          reply(c, bob, quote.m, "same"),
        ]);
        for (const r of [again, inBatch]) expect(r).toEqual({ ...first, duplicate: true });
        expect(
          (await storage.eventsAfter(c, 0, 100)).filter(
            (e) => e.t === EventType.MessagePosted && e.rp,
          ),
        ).toHaveLength(1);
      });
    });
  });
}
