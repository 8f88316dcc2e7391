import { EventType } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BrokerMessage, MessageBroker } from "./message-broker";

const event = (s: number) => ({ s, t: EventType.MemberJoined, ts: 0, a: 1, an: "a" }) as const;

/** Waits until `n` messages were collected, or fails. */
async function collected(list: unknown[], n: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (list.length < n) {
    if (Date.now() > deadline) throw new Error(`got ${list.length} of ${n} messages`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * The MessageBroker contract. `open` returns two brokers of one deployment (for the local
 * broker, the same instance twice: it has one node). `breakLink`, for a broker whose link can
 * fail, breaks a broker's subscriber link as a network failure would.
 */
export function messageBrokerContract(
  name: string,
  open: () => Promise<[MessageBroker, MessageBroker]>,
  breakLink?: (broker: MessageBroker) => Promise<void>,
) {
  describe(`${name} › MessageBroker contract`, () => {
    let a: MessageBroker;
    let b: MessageBroker;
    beforeEach(async () => {
      [a, b] = await open();
    });
    afterEach(async () => {
      await a.close();
      if (b !== a) await b.close();
    });

    it("delivers a publish to the topic's subscriber, in publish order", async () => {
      const got: BrokerMessage[] = [];
      await b.subscribe([{ topic: { kind: "channel", id: 7 }, handler: (m) => got.push(m) }]);
      for (let s = 1; s <= 100; s++)
        a.publish({ kind: "channel", id: 7 }, { k: "events", c: 7, events: [event(s)] });
      await collected(got, 100);
      expect(got.map((m) => (m.k === "events" ? m.events[0]!.s : -1))).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    });

    it("keeps topics apart: channel 1, channel 2 and user 1 are three topics", async () => {
      const c1: BrokerMessage[] = [];
      const u1: BrokerMessage[] = [];
      await b.subscribe([{ topic: { kind: "channel", id: 1 }, handler: (m) => c1.push(m) }]);
      await b.subscribe([{ topic: { kind: "user", id: 1 }, handler: (m) => u1.push(m) }]);
      a.publish({ kind: "channel", id: 2 }, { k: "presence", c: 2, u: 1, un: "ann", on: true });
      a.publish({ kind: "user", id: 1 }, { k: "revoked", session: 3 });
      a.publish({ kind: "channel", id: 1 }, { k: "presence", c: 1, u: 1, un: "ann", on: true });
      await collected(c1, 1);
      await collected(u1, 1);
      expect(c1).toEqual([{ k: "presence", c: 1, u: 1, un: "ann", on: true }]);
      expect(u1).toEqual([{ k: "revoked", session: 3 }]);
    });

    it("subscribes many topics in one call, each to its own handler", async () => {
      const got: [number, BrokerMessage][] = [];
      await b.subscribe(
        Array.from({ length: 300 }, (_, i) => ({
          topic: { kind: "channel" as const, id: 1000 + i },
          handler: (m: BrokerMessage) => got.push([1000 + i, m]),
        })),
      );
      for (const c of [1299, 1000, 1150])
        a.publish({ kind: "channel", id: c }, { k: "events", c, events: [event(c)] });
      await collected(got, 3);
      expect(got.map(([topic, m]) => [topic, m.k === "events" ? m.c : -1]).sort()).toEqual([
        [1000, 1000],
        [1150, 1150],
        [1299, 1299],
      ]);
    });

    it("never calls a handler inside publish, and stops after unsubscribe", async () => {
      const got: BrokerMessage[] = [];
      await b.subscribe([{ topic: { kind: "channel", id: 3 }, handler: (m) => got.push(m) }]);
      a.publish({ kind: "channel", id: 3 }, { k: "presence", c: 3, u: 1, un: "ann", on: true });
      expect(got).toHaveLength(0);
      await collected(got, 1);
      await b.unsubscribe({ kind: "channel", id: 3 });
      a.publish({ kind: "channel", id: 3 }, { k: "presence", c: 3, u: 1, un: "ann", on: false });
      // A later message on another topic proves the first would have arrived by now.
      const marker: BrokerMessage[] = [];
      await b.subscribe([{ topic: { kind: "channel", id: 4 }, handler: (m) => marker.push(m) }]);
      a.publish({ kind: "channel", id: 4 }, { k: "presence", c: 4, u: 1, un: "ann", on: true });
      await collected(marker, 1);
      expect(got).toHaveLength(1);
    });

    it.runIf(breakLink)(
      "after a broken link, resubscribes, calls onReconnect, and delivers again",
      async () => {
        const got: BrokerMessage[] = [];
        let reconnects = 0;
        b.onReconnect?.(() => {
          reconnects++;
        });
        await b.subscribe([{ topic: { kind: "channel", id: 5 }, handler: (m) => got.push(m) }]);
        a.publish({ kind: "channel", id: 5 }, { k: "events", c: 5, events: [event(1)] });
        await collected(got, 1);
        await breakLink!(b);
        const deadline = Date.now() + 5000;
        while (reconnects === 0) {
          if (Date.now() > deadline) throw new Error("onReconnect was not called");
          await new Promise((r) => setTimeout(r, 5));
        }
        a.publish({ kind: "channel", id: 5 }, { k: "events", c: 5, events: [event(2)] });
        await collected(got, 2);
        expect(got.map((m) => (m.k === "events" ? m.events[0]!.s : -1))).toEqual([1, 2]);
        expect(reconnects).toBe(1);
      },
    );
  });
}
