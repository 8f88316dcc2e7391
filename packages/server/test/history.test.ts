import type { ParleyClient } from "@parley/client";
import { EventType, type MessageEvent } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestServer } from "./harness";

describe("history", () => {
  let server: TestServer;
  let alice: ParleyClient;
  let channelId: number;
  let token: string;
  const messages = (events: { t: number }[]) =>
    events.filter((e) => e.t === EventType.MessagePosted) as MessageEvent[];

  beforeAll(async () => {
    server = await new TestServer().start();
    token = await server.register("historian");
    alice = await server.connect({ token });
    channelId = (await alice.createChannel("archive")).ch.i;
    await Promise.all(Array.from({ length: 500 }, (_, i) => alice.send(channelId, `message ${i}`)));
  });
  afterAll(() => server.stop());

  it("pages backwards through 500 messages, each exactly once, oldest first within a page", async () => {
    const seen: string[] = [];
    let page = await alice.history(channelId, { limit: 100 });
    expect(page.ma).toBe(false);
    for (;;) {
      const seqs = page.e.map((e) => e.s);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      seen.unshift(...messages(page.e).map((m) => m.x));
      if (!page.mb) break;
      page = await alice.history(channelId, { before: page.e[0]!.s, limit: 100 });
      expect(page.ma).toBe(true);
    }
    expect(seen).toHaveLength(500);
    expect(new Set(seen).size).toBe(500);
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => `message ${i}`));
  });

  it("the latest page defaults to 50 items and says more exist before", async () => {
    const page = await alice.history(channelId);
    expect(page.e).toHaveLength(50);
    expect(messages(page.e).at(-1)!.x).toBe("message 499");
    expect(page).toMatchObject({ mb: true, ma: false });
  });

  it("pages forwards with after and centres on a seq with around", async () => {
    const first = await alice.history(channelId, { after: 0, limit: 10 });
    expect(first.e.map((e) => e.s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first).toMatchObject({ mb: false, ma: true });
    const around = await alice.history(channelId, { around: 250, limit: 10 });
    expect(around.e.map((e) => e.s)).toEqual([245, 246, 247, 248, 249, 250, 251, 252, 253, 254]);
    expect(around).toMatchObject({ mb: true, ma: true });
    const end = await alice.history(channelId, { after: 495, limit: 100 });
    expect(end.e.map((e) => e.s)).toEqual([496, 497, 498, 499, 500, 501]);
    expect(end.ma).toBe(false);
  });

  it("rejects a limit above 100 and two cursors at once", async () => {
    await expect(alice.history(channelId, { limit: 101 })).rejects.toMatchObject({
      errorName: "INVALID_PAYLOAD",
    });
    await expect(alice.history(channelId, { before: 5, after: 1 })).rejects.toMatchObject({
      errorName: "INVALID_PAYLOAD",
    });
  });

  it("serves the same pages over HTTP to members only", async () => {
    const res = await fetch(
      `${server.url}/api/v1/channels/${channelId}/messages?before=11&limit=5`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(res.status).toBe(200);
    const page = (await res.json()) as { e: { s: number }[]; mb: boolean; ma: boolean };
    expect(page.e.map((e) => e.s)).toEqual([6, 7, 8, 9, 10]);
    expect(page).toMatchObject({ mb: true, ma: true });

    const outsider = await server.register("outsider");
    const denied = await fetch(`${server.url}/api/v1/channels/${channelId}/messages`, {
      headers: { authorization: `Bearer ${outsider}` },
    });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { name: string } }).error.name).toBe("NOT_A_MEMBER");
    const anonymous = await fetch(`${server.url}/api/v1/channels/${channelId}/messages`);
    expect(anonymous.status).toBe(401);
    const bad = await fetch(`${server.url}/api/v1/channels/${channelId}/messages?limit=500`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.status).toBe(400);
  });
});
