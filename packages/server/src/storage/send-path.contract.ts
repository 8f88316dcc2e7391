import { EventType, MessageKind, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import type { ParleyError } from "../errors";
import { type Open, storageFixture } from "./contract-fixture";
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
  });
}
