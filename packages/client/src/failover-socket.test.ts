import { describe, expect, it } from "vitest";
import type { SocketFactory } from "./client";
import { failoverSocket } from "./failover-socket";

/** A fake socket that opens or fails at once, by its URL. */
function fakeSockets(up: Set<string>) {
  const opened: string[] = [];
  class FakeSocket {
    readyState = 0;
    binaryType = "";
    private readonly listeners = new Map<string, ((e: never) => void)[]>();
    constructor(readonly url: string) {
      queueMicrotask(() => {
        const ok = up.has(url);
        if (ok) opened.push(url);
        for (const l of this.listeners.get(ok ? "open" : "close") ?? []) l({} as never);
      });
    }
    send() {}
    close() {}
    addEventListener(type: string, listener: (e: never) => void) {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }
  }
  return { Socket: FakeSocket as unknown as SocketFactory, opened };
}

describe("failoverSocket", () => {
  it("stays on a URL that works and moves on, round robin, after one that fails", async () => {
    const up = new Set(["ws://a", "ws://b", "ws://c"]);
    const { Socket, opened } = fakeSockets(up);
    const Failover = failoverSocket(["ws://a", "ws://b", "ws://c"], Socket);
    const tick = () => new Promise((r) => setTimeout(r, 0));
    new Failover("ignored", []);
    new Failover("ignored", []);
    await tick();
    expect(opened).toEqual(["ws://a", "ws://a"]);
    up.delete("ws://a");
    up.delete("ws://b");
    new Failover("ignored", []); // a: fails
    await tick();
    new Failover("ignored", []); // b: fails
    await tick();
    new Failover("ignored", []); // c: opens
    await tick();
    expect(opened).toEqual(["ws://a", "ws://a", "ws://c"]);
  });
});
