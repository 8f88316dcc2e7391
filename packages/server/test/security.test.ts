import { CLIENT_OPS, CloseCode, Op } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { post as postJson, TestServer } from "./harness";

/** POSTs JSON and resolves to the status. */
const post = async (url: string, body: unknown, token?: string) =>
  (await postJson(url, body, token)).status;

import { exited, spawnServer } from "./process";
import { RawClient } from "./raw-client";

describe("security", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(() => server.stop());

  it("sends security headers and a CSP without inline scripts", async () => {
    const res = await fetch(`${server.url}/healthz`);
    const host = new URL(server.url).host;
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("a password change signs out every other session, closing its sockets", async () => {
    const token = await server.register("changer", "old-password-1");
    const other = await server.connect({ token, reconnect: false });
    const closed = other.waitFor("disconnect");
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "changer", password: "old-password-1" }),
    });
    const current = ((await login.json()) as { token: string }).token;
    expect(
      await post(
        `${server.url}/api/v1/auth/password`,
        { password: "wrong-one", newPassword: "new-password-2" },
        current,
      ),
    ).toBe(401);
    expect(
      await post(
        `${server.url}/api/v1/auth/password`,
        { password: "old-password-1", newPassword: "new-password-2" },
        current,
      ),
    ).toBe(204);
    expect((await closed)[0]).toMatchObject({ code: CloseCode.AuthRevoked, willReconnect: false });
    expect(
      await post(`${server.url}/api/v1/auth/login`, {
        username: "changer",
        password: "old-password-1",
      }),
    ).toBe(401);
    expect(
      await post(`${server.url}/api/v1/auth/login`, {
        username: "changer",
        password: "new-password-2",
      }),
    ).toBe(200);
    const still = await server.connect({ token: current });
    expect(still.user?.n).toBe("changer");
  });

  it("signing out other sessions ends every session but the caller's, closing their sockets", async () => {
    const first = await server.register("roamer");
    const phone = await server.connect({ token: first, reconnect: false });
    const closed = phone.waitFor("disconnect");
    const second = await postJson(`${server.url}/api/v1/auth/login`, {
      username: "roamer",
      password: "correct horse battery",
    });
    const laptop = second.body.token as string;
    const bystander = await server.connect({ token: await server.register("bystander") });
    const res = await postJson(`${server.url}/api/v1/auth/sign-out-others`, {}, laptop);
    expect([res.status, res.body]).toEqual([200, { revoked: 1 }]);
    expect((await closed)[0]).toMatchObject({ code: CloseCode.AuthRevoked, willReconnect: false });
    // The first token is dead; the caller's lives; another user is untouched.
    expect(
      (await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${first}` } }))
        .status,
    ).toBe(401);
    expect((await server.connect({ token: laptop })).user?.n).toBe("roamer");
    await expect(bystander.createChannel("still-here")).resolves.toMatchObject({
      ch: { n: "still-here" },
    });
    const again = await postJson(`${server.url}/api/v1/auth/sign-out-others`, {}, laptop);
    expect(again.body).toEqual({ revoked: 0 });
    expect(await post(`${server.url}/api/v1/auth/sign-out-others`, {})).toBe(401);
    expect(await post(`${server.url}/api/v1/auth/sign-out-others`, { all: true }, laptop)).toBe(
      400,
    );
  });

  it("a server ban closes the account's sockets (4501) and refuses it until lifted", async () => {
    const root = await server.connect({ token: await server.registerAdmin("root") });
    const { ch } = await root.createChannel("ops");
    const token = await server.register("troll", "troll-password");
    const troll = await server.connect({ token, reconnect: false });
    await troll.joinChannel(ch.i);
    const closed = troll.waitFor("disconnect");
    await root.command(ch.i, "/serverban @troll spam everywhere");
    expect((await closed)[0]).toMatchObject({ code: CloseCode.ServerBanned, willReconnect: false });
    expect(
      await post(`${server.url}/api/v1/auth/login`, {
        username: "troll",
        password: "troll-password",
      }),
    ).toBe(403);
    const member = await server.connect();
    await member.joinChannel(ch.i);
    await expect(member.command(ch.i, "/serverban @root")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    await root.command(ch.i, "/serverunban troll");
    expect(
      await post(`${server.url}/api/v1/auth/login`, {
        username: "troll",
        password: "troll-password",
      }),
    ).toBe(200);
    const log = (await root.command(ch.i, "/modlog 5")) as { log: { ac: string }[] };
    expect(log.log.map((e) => e.ac).slice(0, 2)).toEqual(["serverunban", "serverban"]);
  });

  it("checks permissions on every channel op for a non-member", async () => {
    const owner = await server.connect();
    const { ch } = await owner.createChannel("members-only");
    const ack = await owner.send(ch.i, "secret");
    const outsider = await RawClient.open(server.wsUrl);
    await outsider.request(Op.Hello, {});
    const requests: Record<number, unknown> = {
      [Op.ChannelLeave]: { c: ch.i },
      [Op.MessageSend]: { c: ch.i, n: "n", x: "hi" },
      [Op.History]: { c: ch.i },
      [Op.Typing]: { c: ch.i, on: true },
      [Op.ReactionAdd]: { c: ch.i, m: ack.i, e: "👍" },
      [Op.ReactionRemove]: { c: ch.i, m: ack.i, e: "👍" },
      [Op.MessageEdit]: { c: ch.i, m: ack.i, v: 1, x: "mine now", n: "e" },
      [Op.MessageDelete]: { c: ch.i, m: ack.i, n: "d" },
      [Op.MessageVersions]: { c: ch.i, m: ack.i },
      [Op.MessagePin]: { c: ch.i, m: ack.i, on: true },
      [Op.LinkPreviewRemove]: { c: ch.i, m: ack.i },
      [Op.PinList]: { c: ch.i },
      [Op.Command]: { c: ch.i, x: "/help" },
      [Op.MarkRead]: { c: ch.i, s: ack.s },
      [Op.SetNotify]: { c: ch.i, nl: 1 },
      [Op.InviteUser]: { c: ch.i, u: "someone" },
      [Op.InviteCreate]: { c: ch.i },
      [Op.InviteList]: { c: ch.i },
      [Op.InviteRevoke]: { c: ch.i, i: 1 },
      [Op.MessageReport]: { c: ch.i, m: ack.i },
      [Op.MemberList]: { c: ch.i },
    };
    for (const [op, d] of Object.entries(requests)) {
      const reply = await outsider.request(Number(op), d);
      expect(reply, `op ${op}`).toMatchObject({ o: Op.Error, d: { c: 1201 } });
    }
    // Info without membership shows no member list; join of a missing channel is refused.
    const info = await outsider.request(Op.ChannelInfo, { c: ch.i });
    expect((info.d as { m?: unknown }).m).toBeUndefined();
    const missing = await outsider.request(Op.ChannelJoin, { c: 999_999 });
    expect(missing.d).toMatchObject({ c: 1200 });
    // Every op that touches a channel is in the table above or has its own check.
    const covered = new Set([...Object.keys(requests).map(Number), Op.ChannelInfo, Op.ChannelJoin]);
    // Not channel ops: InviteRedeem names a code, never a channel (its cases are in the
    // private-channels tests); push subscriptions are the caller's own (guests refused,
    // push.test.ts); DmOpen and UserBlock name users (their cases are in the direct-messages
    // tests); Search reads only the caller's own channels (search.memory.test.ts); ReportList
    // and ReportResolve name reports, listed and closed only by the channels' moderators and
    // admins (reports.memory.test.ts).
    const open: number[] = [
      Op.Hello,
      Op.Ping,
      Op.ChannelList,
      Op.ChannelCreate,
      Op.InviteRedeem,
      Op.PushSubscribe,
      Op.PushUnsubscribe,
      Op.DmOpen,
      Op.UserBlock,
      Op.Search,
      Op.ReportList,
      Op.ReportResolve,
    ];
    expect(CLIENT_OPS.filter((op) => !covered.has(op) && !open.includes(op))).toEqual([]);
    outsider.close();
  });

  it.each(["a private channel", "a direct message"] as const)(
    "answers a non-member about %s exactly as about a channel that does not exist",
    async (kind) => {
      const owner = await server.connect({ token: await server.register("keeper") });
      await server.register("friend");
      const { ch } =
        kind === "a private channel"
          ? await owner.createChannel("hidden", "", { private: true })
          : await owner.openDm(["friend"]);
      const ack = await owner.send(ch.i, "secret");
      if (kind === "a private channel") await owner.createInvite(ch.i);
      const outsider = await RawClient.open(server.wsUrl);
      await outsider.request(Op.Hello, {});
      const missing = ch.i + 1000;
      const ops: [number, (c: number) => unknown][] = [
        [Op.ChannelInfo, (c) => ({ c })],
        [Op.ChannelJoin, (c) => ({ c })],
        [Op.ChannelLeave, (c) => ({ c })],
        [Op.MessageSend, (c) => ({ c, n: "n", x: "hi" })],
        [Op.History, (c) => ({ c })],
        [Op.Typing, (c) => ({ c, on: true })],
        [Op.ReactionAdd, (c) => ({ c, m: ack.i, e: "👍" })],
        [Op.ReactionRemove, (c) => ({ c, m: ack.i, e: "👍" })],
        [Op.MessageEdit, (c) => ({ c, m: ack.i, v: 1, x: "x", n: "e" })],
        [Op.MessageDelete, (c) => ({ c, m: ack.i, n: "d" })],
        [Op.MessageVersions, (c) => ({ c, m: ack.i })],
        [Op.MessagePin, (c) => ({ c, m: ack.i, on: true })],
        [Op.PinList, (c) => ({ c })],
        [Op.Command, (c) => ({ c, x: "/help" })],
        [Op.InviteUser, (c) => ({ c, u: "someone" })],
        [Op.InviteCreate, (c) => ({ c })],
        [Op.InviteList, (c) => ({ c })],
        [Op.InviteRevoke, (c) => ({ c, i: 1 })],
      ];
      for (const [op, data] of ops) {
        const hidden = await outsider.request(op, data(ch.i));
        const none = await outsider.request(op, data(missing));
        expect(hidden.o, `op ${op}`).toBe(Op.Error);
        expect(hidden.d, `op ${op}`).toEqual(none.d);
      }
      const token = await server.register("peeker");
      const http = async (c: number) => {
        const res = await fetch(`${server.url}/api/v1/channels/${c}/messages`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return { status: res.status, body: await res.json() };
      };
      const hiddenHttp = await http(ch.i);
      expect(hiddenHttp.status).toBe(404);
      expect(hiddenHttp).toEqual(await http(missing));
      const listed = await outsider.request(Op.ChannelList, {});
      expect((listed.d as { ch: { i: number }[] }).ch.map((c) => c.i)).not.toContain(ch.i);
      outsider.close();
    },
  );
});

describe("logs", () => {
  it("never contain session tokens or passwords", { timeout: 60_000 }, async () => {
    const node = await spawnServer({
      PARLEY_LOG_LEVEL: "trace",
      PARLEY_DATABASE_URL: "sqlite::memory:",
    });
    try {
      const res = await fetch(`${node.url}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "logged", password: "do-not-log-me" }),
      });
      const { token } = (await res.json()) as { token: string };
      await fetch(`${node.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      const raw = await RawClient.open(`${node.url.replace(/^http/, "ws")}/ws`);
      await raw.request(Op.Hello, { tk: token });
      await raw.request(Op.Hello, { tk: "forged-token-value" });
      raw.close();
      await fetch(`${node.url}/api/v1/auth/logout`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(node.output()).not.toContain(token);
      expect(node.output()).not.toContain("do-not-log-me");
      expect(node.output()).not.toContain("forged-token-value");
    } finally {
      node.child.kill("SIGTERM");
      await exited(node.child);
    }
  });
});

describe("behind a proxy", () => {
  it("counts per-address limits by X-Forwarded-For only when the proxy is trusted", async () => {
    const server = await new TestServer({
      PARLEY_TRUST_PROXY: "true",
      PARLEY_MAX_CONNECTIONS_PER_IP: "1",
    }).start();
    try {
      const a = await RawClient.open(server.wsUrl, "json", undefined, {
        "x-forwarded-for": "203.0.113.1",
      });
      const b = await RawClient.open(server.wsUrl, "json", undefined, {
        "x-forwarded-for": "203.0.113.2",
      });
      await expect(
        RawClient.open(server.wsUrl, "json", undefined, { "x-forwarded-for": "203.0.113.1" }),
      ).rejects.toThrow(/429/);
      a.close();
      b.close();
    } finally {
      await server.stop();
    }
    const direct = await new TestServer({ PARLEY_MAX_CONNECTIONS_PER_IP: "1" }).start();
    try {
      const a = await RawClient.open(direct.wsUrl, "json", undefined, {
        "x-forwarded-for": "203.0.113.1",
      });
      await expect(
        RawClient.open(direct.wsUrl, "json", undefined, { "x-forwarded-for": "203.0.113.2" }),
      ).rejects.toThrow(/429/);
      a.close();
    } finally {
      await direct.stop();
    }
  });
});

describe("the metrics endpoint", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("requires the Bearer token of PARLEY_METRICS_TOKEN when one is set", async () => {
    const token = "metrics-secret-0123456789";
    server = await new TestServer({ PARLEY_METRICS_TOKEN: token }).start();
    const get = (authorization?: string) =>
      fetch(`${server.url}/metrics`, authorization ? { headers: { authorization } } : {});
    const bare = await get();
    expect(bare.status).toBe(401);
    expect(bare.headers.get("www-authenticate")).toBe("Bearer");
    expect(await bare.json()).toMatchObject({ error: { c: 1100, name: "UNAUTHENTICATED" } });
    expect((await get(`Bearer ${token}x`)).status).toBe(401);
    expect((await get(`Bearer ${token.slice(0, -1)}`)).status).toBe(401);
    expect((await get(token)).status).toBe(401);
    const ok = await get(`Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("parley_connections");
  });

  it("serves the metrics only on their own listener when PARLEY_METRICS_PORT is set", async () => {
    server = await new TestServer({
      PARLEY_METRICS_HOST: "127.0.0.1",
      PARLEY_METRICS_PORT: "0",
    }).start();
    const metricsUrl = server.parley.metricsUrl!;
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const ok = await fetch(metricsUrl);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("parley_connections");
    expect((await fetch(new URL("/healthz", metricsUrl))).status).toBe(404);
  });

  it("applies the token on the metrics' own listener too", async () => {
    const token = "metrics-secret-0123456789";
    server = await new TestServer({
      PARLEY_METRICS_PORT: "0",
      PARLEY_METRICS_TOKEN: token,
    }).start();
    const metricsUrl = server.parley.metricsUrl!;
    expect((await fetch(metricsUrl)).status).toBe(401);
    const ok = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
  });
});
