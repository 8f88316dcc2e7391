import { MessageKind } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalBroker } from "../broker/local-broker";
import { MemoryPresenceStore } from "../presence/memory-presence-store";
import { openSqliteStorage } from "../storage/sqlite/open-sqlite";
import type { Actor, Storage } from "../storage/storage";
import { ChannelService } from "./channel-service";
import { MessageService } from "./message-service";
import { TypingService } from "./typing-service";

describe("MessageService", () => {
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

  function service(maxQueued: number): MessageService {
    const broker = new LocalBroker();
    const channels = new ChannelService(storage, broker, new MemoryPresenceStore());
    return new MessageService(storage, channels, new TypingService(broker), () => {}, maxQueued);
  }

  it("refuses sends beyond its queue with RATE_LIMITED and a wait, and stores the rest", async () => {
    const messages = service(10);
    const send = (i: number) => messages.send(alice, channelId, `n${i}`, `m${i}`, MessageKind.Text);
    const outcomes = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => send(i)));
    expect(outcomes.slice(0, 10).map((o) => o.status)).toEqual(Array(10).fill("fulfilled"));
    for (const o of outcomes.slice(10)) {
      expect(o).toMatchObject({
        status: "rejected",
        reason: { errorName: "RATE_LIMITED", detail: { retryAfterMs: 500 } },
      });
    }
    // Once the queue drained, a retry of a refused send is stored.
    await expect(send(12)).resolves.toMatchObject({ x: "m12", n: "n12" });
    const page = await storage.history(channelId, { limit: 100 });
    expect(page.e.filter((e) => "x" in e).map((e) => (e as { x: string }).x)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `m${i}`),
      "m12",
    ]);
  });
});
