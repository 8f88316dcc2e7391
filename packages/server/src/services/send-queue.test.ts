import { type MessageEvent, MessageKind } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewMessage, SendPath } from "../storage/send-path";
import { openSqliteStorage } from "../storage/sqlite/open-sqlite";
import type { Actor, Storage } from "../storage/storage";
import { SendQueue } from "./send-queue";

describe("SendQueue", () => {
  let storage: Storage;
  let alice: Actor;
  let channelId: number;
  beforeEach(async () => {
    storage = await openSqliteStorage(":memory:");
    const { user } = await storage.createUserWithSession(
      { username: "alice", passwordHash: null, isGuest: false },
      "alice-token",
    );
    alice = { id: user.id, name: user.username };
    channelId = (await storage.createChannel({ name: "c", topic: "", owner: alice })).channel.id;
  });
  afterEach(() => storage.close());

  const message = (i: number): NewMessage => ({
    channelId,
    author: alice,
    nonce: `n${i}`,
    content: `m${i}`,
    kind: MessageKind.Text,
  });

  it("refuses sends beyond its queue with RATE_LIMITED and a wait, and stores the rest", async () => {
    const queue = new SendQueue(storage, () => {}, 10);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) => queue.send(message(i))),
    );
    expect(outcomes.slice(0, 10).map((o) => o.status)).toEqual(Array(10).fill("fulfilled"));
    for (const o of outcomes.slice(10)) {
      expect(o).toMatchObject({
        status: "rejected",
        reason: { errorName: "RATE_LIMITED", detail: { retryAfterMs: 500 } },
      });
    }
    // Once the queue drained, a retry of a refused send is stored.
    await expect(queue.send(message(12))).resolves.toMatchObject({ x: "m12", n: "n12" });
    const page = await storage.history(channelId, { limit: 100 });
    expect(page.e.filter((e) => "x" in e).map((e) => (e as { x: string }).x)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `m${i}`),
      "m12",
    ]);
  });

  it("hands the sends of one turn to the send path as batches of at most 512, in order", async () => {
    const batches: number[] = [];
    const store: SendPath = {
      appendMessages: (batch) => {
        batches.push(batch.length);
        return storage.appendMessages(batch);
      },
    };
    const queue = new SendQueue(store, () => {});
    const events = await Promise.all(Array.from({ length: 600 }, (_, i) => queue.send(message(i))));
    expect(batches).toEqual([512, 88]);
    expect(events.map((e) => e.x)).toEqual(Array.from({ length: 600 }, (_, i) => `m${i}`));
    expect(events.map((e) => e.s)).toEqual(Array.from({ length: 600 }, (_, i) => i + 2));
  });

  it("shows each batch's results to onCommitted before any of its sends resolves", async () => {
    const order: string[] = [];
    const queue = new SendQueue(storage, (batch, results) => {
      order.push(`committed ${batch.length}`);
      expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    });
    const sends = [
      queue.send(message(1)),
      queue.send(message(2)),
      queue.send({ ...message(3), channelId: 999_999 }),
    ].map((p) =>
      p.then(
        (e: MessageEvent) => order.push(`acked ${e.n}`),
        (err: { errorName?: string }) => order.push(`refused ${err.errorName}`),
      ),
    );
    await Promise.all(sends);
    await queue.drain();
    expect(order).toEqual(["committed 3", "acked n1", "acked n2", "refused NOT_A_MEMBER"]);
  });

  it("stores batches of channels of different lanes at once, each channel's one after another, in order", async () => {
    const second = (await storage.createChannel({ name: "d", topic: "", owner: alice })).channel.id;
    const lanes = 2;
    expect(second % lanes).not.toBe(channelId % lanes);
    /** Batches being stored, and the most at once: in all, and of one channel. */
    const inFlight = new Map<number, number>();
    let most = 0;
    let mostOfOneChannel = 0;
    const store: SendPath = {
      async appendMessages(batch) {
        const channels = [...new Set(batch.map((m) => m.channelId))];
        for (const c of channels) inFlight.set(c, (inFlight.get(c) ?? 0) + 1);
        most = Math.max(
          most,
          [...inFlight.values()].reduce((a, b) => a + b, 0),
        );
        mostOfOneChannel = Math.max(mostOfOneChannel, ...inFlight.values());
        // Held long enough for the other lane's batch to start.
        await new Promise((r) => setTimeout(r, 20));
        try {
          return await storage.appendMessages(batch);
        } finally {
          for (const c of channels) inFlight.set(c, inFlight.get(c)! - 1);
        }
      },
    };
    const queue = new SendQueue(store, () => {}, 10_000, lanes);
    const sends: Promise<MessageEvent>[] = [];
    for (let i = 0; i < 1200; i++)
      sends.push(queue.send({ ...message(i), channelId: i % 2 ? second : channelId }));
    const events = await Promise.all(sends);
    expect(most).toBe(2);
    expect(mostOfOneChannel).toBe(1);
    for (const c of [channelId, second]) {
      const mine = events.filter((_, i) => (i % 2 ? second : channelId) === c);
      expect(mine.map((e) => e.x)).toEqual(
        Array.from({ length: 1200 }, (_, i) => i)
          .filter((i) => (i % 2 ? second : channelId) === c)
          .map((i) => `m${i}`),
      );
      const first = mine[0]!.s;
      expect(mine.map((e) => e.s)).toEqual(mine.map((_, k) => first + k));
    }
  });
});
