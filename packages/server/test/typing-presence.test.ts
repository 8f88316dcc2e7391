import type { TypingNotice } from "@parley/client";
import type { PresencePush } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestServer, until, untilConnections } from "./harness";

describe("typing", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer({}, { typing: { throttleMs: 300, expireMs: 600 } }).start();
  });
  afterEach(() => server.stop());

  it("relays one start per throttle window, expires without renewal, and never echoes to the typist", async () => {
    const typist = await server.connect();
    const watcher = await server.connect();
    const { ch } = await typist.createChannel("typing");
    await watcher.joinChannel(ch.i);
    const seen: (TypingNotice & { at: number })[] = [];
    const own: TypingNotice[] = [];
    watcher.on("typing", (t) => seen.push({ ...t, at: Date.now() }));
    typist.on("typing", (t) => own.push(t));

    const started = Date.now();
    for (let i = 0; i < 5; i++) typist.typing(ch.i, true); // a burst: one relay
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ c: ch.i, u: typist.user!.i, un: typist.user!.n, on: true });

    // No renewal: it expires on its own.
    await until(() => seen.length === 2, 5000, "expiry");
    expect(seen[1]).toMatchObject({ on: false });
    expect(seen[1]!.at - started).toBeGreaterThanOrEqual(550);
    expect(own).toEqual([]);
  });

  it("renewals inside the window are not relayed again, and a message clears the typist", async () => {
    const typist = await server.connect();
    const watcher = await server.connect();
    const { ch } = await typist.createChannel("clear");
    await watcher.joinChannel(ch.i);
    const seen: TypingNotice[] = [];
    watcher.on("typing", (t) => seen.push(t));
    typist.typing(ch.i, true);
    await until(() => seen.length === 1);
    typist.typing(ch.i, true);
    await typist.send(ch.i, "done typing");
    await until(() => seen.length === 2);
    expect(seen.map((s) => s.on)).toEqual([true, false]);
  });
});

describe("presence", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(() => server.stop());

  it("is per user: closing one of two tabs changes nothing, closing the last goes offline", async () => {
    const watcher = await server.connect();
    const token = await server.register("twotabs");
    const tab1 = await server.connect({ token });
    const { ch } = await watcher.createChannel("presence");
    await tab1.joinChannel(ch.i);
    const tab2 = await server.connect({ token });
    const userId = tab1.user!.i;

    const info = await watcher.channelInfo(ch.i);
    expect(info.m?.find((m) => m.i === userId)?.on).toBe(true);
    expect(info.ch.oc).toBe(2);

    const changes: { u: number; on: boolean }[] = [];
    watcher.on("presence", (p) => changes.push(p));
    await tab1.close();
    await untilConnections(server, 2);
    const probe = await watcher.channelInfo(ch.i);
    expect(probe.m?.find((m) => m.i === userId)?.on).toBe(true);
    expect(changes).toEqual([]);

    await tab2.close();
    await until(() => changes.length === 1);
    expect(changes[0]).toMatchObject({ c: ch.i, u: userId, on: false });
    const after = await watcher.channelInfo(ch.i);
    expect(after.m?.find((m) => m.i === userId)?.on).toBe(false);

    const back = await server.connect({ token });
    await until(() => changes.length === 2);
    expect(changes[1]).toMatchObject({ u: userId, on: true });
    await back.close();
  });

  it("names the user in each PresenceEvent, and marks a guest", async () => {
    const watcher = await server.connect();
    const { ch } = await watcher.createChannel("who");
    const token = await server.register("nadia");
    const account = await server.connect({ token });
    await account.joinChannel(ch.i);
    const guest = await server.connect();
    await guest.joinChannel(ch.i);
    const changes: PresencePush[] = [];
    watcher.on("presence", (p) => changes.push(p));
    await account.close();
    await guest.close();
    await until(() => changes.length === 2, 5000, "two presence events");
    const byUser = new Map(changes.map((p) => [p.u, p]));
    expect(byUser.get(account.user!.i)).toEqual({
      c: ch.i,
      u: account.user!.i,
      un: "nadia",
      on: false,
    });
    expect(byUser.get(guest.user!.i)).toEqual({
      c: ch.i,
      u: guest.user!.i,
      un: guest.user!.n,
      g: true,
      on: false,
    });
    const online = watcher.waitFor("presence", (p) => p.on);
    const again = await server.connect({ token });
    expect((await online)[0]).toEqual({ c: ch.i, u: again.user!.i, un: "nadia", on: true });
  });

  it("a join reply lists members with online flags", async () => {
    const owner = await server.connect();
    const { ch } = await owner.createChannel("members");
    const offline = await server.connect();
    await offline.joinChannel(ch.i);
    const offlineId = offline.user!.i;
    await offline.close();
    await untilConnections(server, 1);
    const joiner = await server.connect();
    const reply = await joiner.joinChannel(ch.i);
    expect(reply.m).toHaveLength(3);
    const byId = new Map(reply.m.map((m) => [m.i, m.on]));
    expect(byId.get(owner.user!.i)).toBe(true);
    expect(byId.get(joiner.user!.i)).toBe(true);
    expect(byId.get(offlineId)).toBe(false);
  });
});
