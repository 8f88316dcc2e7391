import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ParleyClient } from "@parley/client";
import {
  type AdminAuditReply,
  type AdminChannel,
  type AdminChannelReply,
  type AdminChannelsReply,
  type AdminCreateInviteReply,
  type AdminInvitesReply,
  type AdminUser,
  type AdminUserReply,
  type AdminUsersReply,
  CloseCode,
  ERRORS,
  EventType,
  ReportStatus,
  Role,
  type UploadReply,
  type UserUpdatedPush,
} from "@parley/protocol";
import BetterSqlite3 from "better-sqlite3";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStorage } from "../src/main";
import { runAdminCommand } from "../src/ops/admin";
import { AdminService } from "../src/services/admin-service";
import { createUser } from "../src/storage/contract-fixture";
import { openSqliteStorage } from "../src/storage/sqlite/open-sqlite";
import { collect, expectNotInDatabaseFile, post, TestServer, until } from "./harness";

/** A request to the admin API; resolves to its status and parsed body. */
async function call(
  server: TestServer,
  method: "GET" | "POST",
  path: string,
  token: string | undefined,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers of many shapes
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/v1/admin${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function login(server: TestServer, username: string) {
  return post(`${server.url}/api/v1/auth/login`, { username, password: "correct horse battery" });
}

/** The closes of a client's socket, in order. */
function closes(client: ParleyClient): number[] {
  const codes: number[] = [];
  client.on("disconnect", (d) => codes.push(d.code));
  return codes;
}

describe("admin API", () => {
  let server: TestServer;
  let root: string;
  beforeEach(async () => {
    server = await new TestServer().start();
    root = await server.registerAdmin("root");
  });
  afterEach(async () => {
    await server.stop();
  });

  const idOf = async (name: string) =>
    (await call(server, "GET", `/users?q=${name}`, root)).body.users.find(
      (u: AdminUser) => u.username === name,
    ).id as number;

  it("refuses every route to no session, a member, a channel owner, a guest, a signed-out admin and a demoted one", async () => {
    const member = await server.register("member");
    const owner = await server.register("owner");
    const ownerClient = await server.connect({ token: owner });
    const { ch: owned } = await ownerClient.createChannel("owned");
    const guest = (await server.connect()).token!;
    const signedOut = await server.registerAdmin("gone");
    await post(`${server.url}/api/v1/auth/logout`, {}, signedOut);
    const demoted = await server.registerAdmin("demoted");
    const storage = await openStorage(server.config, pino({ level: "silent" }));
    await runAdminCommand(storage, ["revoke", "demoted"], {
      out: () => {},
      hash: () => Promise.reject(new Error("no password")),
    });
    await storage.close();

    const target = await idOf("member");
    const routes: [method: "GET" | "POST", path: string, body?: unknown][] = [
      ["GET", "/users"],
      ["GET", `/users/${target}`],
      ["POST", `/users/${target}/sign-out`, {}],
      ["POST", `/users/${target}/ban`, { reason: "nope" }],
      ["POST", `/users/${target}/unban`, {}],
      ["POST", `/users/${target}/reset-password`, {}],
      ["GET", "/audit"],
      ["GET", "/moderation"],
      ["GET", "/settings"],
      ["GET", "/stats"],
      ["POST", "/settings", { guests: false }],
      ["GET", "/reports"],
      ["POST", "/reports/1/resolve", { status: "dismissed" }],
      ["POST", `/users/${target}/rename`, { username: "renamed" }],
      ["POST", `/users/${target}/deactivate`, {}],
      ["POST", `/users/${target}/reactivate`, {}],
      ["POST", `/users/${target}/delete`, { messages: "remove" }],
      ["POST", "/guests/remove", { idleDays: 1, messages: "remove" }],
      ["GET", "/channels"],
      ["GET", `/channels/${owned.i}`],
      ["POST", `/channels/${owned.i}/owner`, { username: "member" }],
      ["POST", `/channels/${owned.i}/archive`, {}],
      ["POST", `/channels/${owned.i}/unarchive`, {}],
      ["GET", `/channels/${owned.i}/export`],
      ["POST", `/channels/${owned.i}/delete`, {}],
      ["GET", "/invites"],
      ["POST", "/invites", { maxUses: 1 }],
      ["POST", "/invites/1/revoke", {}],
    ];
    const callers: [who: string, token: string | undefined, status: number, code: number][] = [
      ["no session", undefined, 401, ERRORS.UNAUTHENTICATED.code],
      ["member", member, 403, ERRORS.FORBIDDEN.code],
      ["channel owner", owner, 403, ERRORS.FORBIDDEN.code],
      ["guest", guest, 403, ERRORS.FORBIDDEN.code],
      ["signed-out admin", signedOut, 401, ERRORS.UNAUTHENTICATED.code],
      ["demoted admin", demoted, 403, ERRORS.FORBIDDEN.code],
    ];
    for (const [who, token, status, code] of callers)
      for (const [method, path, body] of routes) {
        const res = await call(server, method, path, token, body);
        expect([who, path, res.status, res.body?.error?.c]).toEqual([who, path, status, code]);
      }
    // Nothing was done: the member still signs in, guests still come in, and the audit log is
    // empty.
    expect((await login(server, "member")).status).toBe(200);
    await server.connect();
    expect((await call(server, "GET", "/audit", root)).body.entries).toEqual([]);
  });

  it("lists users newest first by kind and by part of the name, page by page", async () => {
    await server.register("alice");
    await server.register("bob");
    await server.register("Bobby");
    const guest = await server.connect();
    const list = async (query: string) =>
      ((await call(server, "GET", `/users${query}`, root)).body as AdminUsersReply).users.map(
        (u) => u.username,
      );
    expect(await list("?kind=registered")).toEqual(["Bobby", "bob", "alice", "root"]);
    expect(await list("?q=BOB")).toEqual(["Bobby", "bob"]);
    expect(await list("?kind=guests")).toEqual([guest.user!.n]);
    expect(await list("?kind=admins")).toEqual(["root"]);
    expect(await list("?q=%25")).toEqual([]);
    const first = (await call(server, "GET", "/users?kind=registered&limit=3", root))
      .body as AdminUsersReply;
    expect(first.users.map((u) => u.username)).toEqual(["Bobby", "bob", "alice"]);
    expect(await list(`?kind=registered&limit=3&before=${first.next}`)).toEqual(["root"]);
    const users = (await call(server, "GET", "/users?q=alice", root)).body as AdminUsersReply;
    expect(users.users[0]).toMatchObject({
      username: "alice",
      guest: false,
      admin: false,
      sessions: 1,
    });
    for (const bad of ["?kind=everyone", "?limit=0", "?limit=101", "?before=x", "?extra=1"]) {
      const res = await call(server, "GET", `/users${bad}`, root);
      expect([bad, res.status, res.body.error.c]).toEqual([bad, 400, ERRORS.INVALID_PAYLOAD.code]);
    }
  });

  it("shows a user's channels and latest messages, newest first", async () => {
    const bob = await server.connect({ token: await server.register("bob") });
    const { ch } = await bob.createChannel("bobs");
    await bob.send(ch.i, "first words");
    await bob.send(ch.i, "second words");
    const reply = (await call(server, "GET", `/users/${bob.user!.i}`, root)).body as AdminUserReply;
    expect(reply.user.username).toBe("bob");
    expect(reply.channels.map((c) => c.name)).toContain("bobs");
    expect(reply.messages.map((m) => [m.channelName, m.content])).toEqual([
      ["bobs", "second words"],
      ["bobs", "first words"],
    ]);
    expect((await call(server, "GET", "/users/999999", root)).body.error.c).toBe(
      ERRORS.NO_SUCH_USER.code,
    );
  });

  it("bans with a reason and a length: sockets close with 4501, sign-in is refused, unban lifts it; both audited", async () => {
    const bobToken = await server.register("bob");
    const bob = await server.connect({ token: bobToken });
    const bobCloses = closes(bob);
    const id = bob.user!.i;
    const before = Date.now();
    const banned = await call(server, "POST", `/users/${id}/ban`, root, {
      reason: "spam links",
      minutes: 60,
    });
    expect(banned.status).toBe(200);
    expect(banned.body.user.ban.reason).toBe("spam links");
    expect(banned.body.user.ban.until).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(banned.body.user.sessions).toBe(0);
    await until(() => bobCloses.includes(CloseCode.ServerBanned), 5000, "the ban's close");
    const refused = await login(server, "bob");
    expect(refused.status).toBe(403);
    expect(refused.body.error.c).toBe(ERRORS.SERVER_BANNED.code);
    expect(refused.body.error.m).toContain("spam links");
    const old = await fetch(`${server.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    expect(old.status).toBe(401);
    const bannedList = (await call(server, "GET", "/users?kind=banned", root)).body;
    expect(bannedList.users.map((u: AdminUser) => u.username)).toEqual(["bob"]);

    expect((await call(server, "POST", `/users/${id}/unban`, root, {})).body.user.ban).toBe(
      undefined,
    );
    expect((await login(server, "bob")).status).toBe(200);

    const audit = (await call(server, "GET", "/audit", root)).body as AdminAuditReply;
    expect(audit.entries.map((e) => [e.action, e.actor.username, e.target.username])).toEqual([
      ["unban", "root", "bob"],
      ["ban", "root", "bob"],
    ]);
    expect(audit.entries[1]!.before).toEqual({ ban: null });
    expect(audit.entries[1]!.after).toMatchObject({ ban: { reason: "spam links" } });
    expect(audit.entries[0]!.before).toMatchObject({ ban: { reason: "spam links" } });
    expect(audit.entries[0]!.after).toEqual({ ban: null });
    const filtered = (await call(server, "GET", `/audit?action=ban&target=${id}`, root)).body;
    expect(filtered.entries.map((e: { action: string }) => e.action)).toEqual(["ban"]);
  });

  it("reads every channel's moderation log by channel, actor, target and action names", async () => {
    const owner = await server.connect({ token: await server.register("owner") });
    const bob = await server.connect({ token: await server.register("bob") });
    const { ch: a } = await owner.createChannel("alpha");
    const { ch: b } = await owner.createChannel("beta");
    await bob.joinChannel(a.i);
    await bob.joinChannel(b.i);
    await owner.command(a.i, "/mute @bob 10m too loud");
    await owner.command(b.i, "/kick @bob bye");
    const list = async (query: string) =>
      (
        (await call(server, "GET", `/moderation${query}`, root)).body.entries as {
          action: string;
          channel: { name: string };
          target?: { username: string };
          reason?: string;
        }[]
      ).map((e) => `${e.channel.name}:${e.action}:${e.target?.username}:${e.reason ?? ""}`);
    expect(await list("")).toEqual(["beta:kick:bob:bye", "alpha:mute:bob:too loud"]);
    expect(await list("?channel=%23ALPHA")).toEqual(["alpha:mute:bob:too loud"]);
    expect(await list("?actor=owner&action=kick")).toEqual(["beta:kick:bob:bye"]);
    expect(await list("?target=%40bob&since=0")).toHaveLength(2);
    expect(await list("?channel=nowhere")).toEqual([]);
    expect(await list("?actor=nobody")).toEqual([]);
    expect(await list(`?until=${Date.now() - 3_600_000}`)).toEqual([]);
    const bad = await call(server, "GET", "/moderation?since=yesterday", root);
    expect(bad.status).toBe(400);
  });

  it("lists every channel's reports and closes them once, in the channel's moderation log", async () => {
    const owner = await server.connect({ token: await server.register("owner") });
    const bob = await server.connect({ token: await server.register("bob") });
    const { ch } = await owner.createChannel("alpha");
    await bob.joinChannel(ch.i);
    const first = await owner.send(ch.i, "first");
    const second = await owner.send(ch.i, "second");
    const { id: a } = await bob.reportMessage(ch.i, first.i, "rude");
    const { id: b } = await bob.reportMessage(ch.i, second.i);
    const ids = async (query: string) =>
      ((await call(server, "GET", `/reports${query}`, root)).body.reports as { id: number }[]).map(
        (r) => r.id,
      );
    expect(await ids("")).toEqual([b, a]);
    const page = (await call(server, "GET", "/reports?limit=1", root)).body;
    expect(page).toMatchObject({ reports: [{ id: b, x: "second", byn: "bob" }], next: b });
    expect(await ids(`?before=${page.next}`)).toEqual([a]);
    const closed = await call(server, "POST", `/reports/${a}/resolve`, root, {
      status: "resolved",
    });
    expect(closed).toMatchObject({
      status: 200,
      body: { changed: true, report: { id: a, st: ReportStatus.Resolved, cln: "root" } },
    });
    const again = await call(server, "POST", `/reports/${a}/resolve`, root, {
      status: "dismissed",
    });
    expect(again.body).toMatchObject({ changed: false, report: { st: ReportStatus.Resolved } });
    expect(await ids("")).toEqual([b]);
    expect(await ids("?status=resolved")).toEqual([a]);
    expect(await ids("?status=all")).toEqual([b, a]);
    const log = (await call(server, "GET", "/moderation?action=report-resolved", root)).body;
    expect(log.entries).toMatchObject([
      { actor: { username: "root" }, target: { username: "owner" }, reason: "rude" },
    ]);
    const missing = await call(server, "POST", "/reports/999999/resolve", root, {
      status: "resolved",
    });
    expect([missing.status, missing.body.error.c]).toEqual([404, ERRORS.NO_SUCH_REPORT.code]);
    for (const body of [{}, { status: "open" }, { status: "resolved", extra: 1 }])
      expect((await call(server, "POST", `/reports/${b}/resolve`, root, body)).status).toBe(400);
    expect((await call(server, "GET", "/reports?status=pending", root)).status).toBe(400);
    expect(await ids("")).toEqual([b]);
  });

  it("changes server settings live: registration, guests, the edit window and the upload limit; audited; reset", async () => {
    const settings = async (body?: unknown) =>
      (await call(server, body === undefined ? "GET" : "POST", "/settings", root, body)).body;
    const start = await settings();
    expect(start).toMatchObject({
      settings: { registration: "open", guests: true, linkPreviews: false, editWindowSeconds: 0 },
      stored: [],
    });
    const changed = await settings({
      registration: "closed",
      guests: false,
      editWindowSeconds: 1,
      uploadMaxBytes: 1000,
    });
    expect(changed.stored.sort()).toEqual(
      ["editWindowSeconds", "guests", "registration", "uploadMaxBytes"].sort(),
    );
    // No new accounts, no guests (a guest upgrade neither); accounts still sign in.
    const register = await post(`${server.url}/api/v1/auth/register`, {
      username: "newcomer",
      password: "correct horse battery",
    });
    expect([register.status, register.body.error.c]).toEqual([
      403,
      ERRORS.REGISTRATION_CLOSED.code,
    ]);
    await expect(server.connect({ reconnect: false })).rejects.toMatchObject({
      errorName: "GUESTS_DISABLED",
    });
    expect((await login(server, "root")).status).toBe(200);
    // Uploads past the limit, and edits after the window, are refused.
    const upload = await fetch(`${server.url}/api/v1/files?name=a.txt`, {
      method: "POST",
      headers: { authorization: `Bearer ${root}`, "content-type": "application/octet-stream" },
      body: new Uint8Array(2000),
    });
    expect(upload.status).toBe(413);
    const client = await server.connect({ token: root });
    const { ch } = await client.createChannel("edits");
    const sent = await client.send(ch.i, "soon stale");
    await new Promise((r) => setTimeout(r, 1100));
    await expect(client.editMessage(ch.i, sent.i, 1, "too late")).rejects.toMatchObject({
      errorName: "EDIT_WINDOW_CLOSED",
    });

    const audit = (await call(server, "GET", "/audit?action=settings", root))
      .body as AdminAuditReply;
    expect(audit.entries[0]).toMatchObject({
      target: { kind: "server", id: 0 },
      before: { registration: "open", guests: true },
      after: { registration: "closed", guests: false },
    });
    const reset = await settings({
      reset: ["registration", "guests", "editWindowSeconds", "uploadMaxBytes"],
    });
    expect(reset).toEqual(start);
    await server.connect();
    for (const bad of [
      { registration: "maybe" },
      { guests: "yes" },
      { editWindowSeconds: -1 },
      { nope: 1 },
      { reset: ["nope"] },
    ]) {
      const res = await call(server, "POST", "/settings", root, bad);
      expect([bad, res.status]).toEqual([bad, 400]);
    }
  });

  it("refuses to ban oneself, another admin, or with a bad body, and changes nothing", async () => {
    await server.registerAdmin("other");
    await server.register("bob");
    const rootId = await idOf("root");
    const otherId = await idOf("other");
    const bobId = await idOf("bob");
    expect((await call(server, "POST", `/users/${rootId}/ban`, root, {})).status).toBe(403);
    expect((await call(server, "POST", `/users/${otherId}/ban`, root, {})).status).toBe(403);
    for (const body of [{ minutes: 0 }, { minutes: 1.5 }, { reason: "a\nb" }, { why: "x" }]) {
      const res = await call(server, "POST", `/users/${bobId}/ban`, root, body);
      expect([body, res.status, res.body.error.c]).toEqual([
        body,
        400,
        ERRORS.INVALID_PAYLOAD.code,
      ]);
    }
    expect((await call(server, "POST", "/users/0/ban", root, {})).status).toBe(400);
    expect((await call(server, "POST", "/users/424242/ban", root, {})).status).toBe(404);
    expect((await login(server, "bob")).status).toBe(200);
    expect((await call(server, "GET", "/audit", root)).body.entries).toEqual([]);
  });

  it("resets an account's password: shown once, the old one refused, sessions ended, nothing secret audited", async () => {
    const token = await server.register("bob");
    const bob = await server.connect({ token });
    const bobCloses = closes(bob);
    const res = await fetch(`${server.url}/api/v1/admin/users/${bob.user!.i}/reset-password`, {
      method: "POST",
      headers: { authorization: `Bearer ${root}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { password, user } = (await res.json()) as { password: string; user: AdminUser };
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(user.sessions).toBe(0);
    await until(() => bobCloses.includes(CloseCode.AuthRevoked), 5000, "the sign-out");
    expect((await login(server, "bob")).status).toBe(401);
    const fresh = await post(`${server.url}/api/v1/auth/login`, { username: "bob", password });
    expect(fresh.status).toBe(200);
    const audit = (await call(server, "GET", "/audit", root)).body as AdminAuditReply;
    expect(audit.entries[0]).toMatchObject({ action: "resetpassword", after: { sessions: 0 } });
    expect(JSON.stringify(audit)).not.toContain(password);

    // Not for a guest, oneself or another admin.
    const guest = await server.connect();
    await server.registerAdmin("other");
    for (const id of [guest.user!.i, await idOf("root"), await idOf("other")]) {
      const refused = await call(server, "POST", `/users/${id}/reset-password`, root, {});
      expect(refused.status).toBe(403);
    }
  });

  it("signs a user out everywhere: every socket closes with 4500 and every token stops working", async () => {
    const first = await server.register("bob");
    const second = (await login(server, "bob")).body.token as string;
    const a = await server.connect({ token: first });
    const b = await server.connect({ token: second });
    const [aCloses, bCloses] = [closes(a), closes(b)];
    const res = await call(server, "POST", `/users/${a.user!.i}/sign-out`, root, {});
    expect(res.body.user.sessions).toBe(0);
    await until(
      () => aCloses.includes(CloseCode.AuthRevoked) && bCloses.includes(CloseCode.AuthRevoked),
      5000,
      "both sockets to close",
    );
    for (const token of [first, second]) {
      const me = await fetch(`${server.url}/api/v1/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.status).toBe(401);
    }
    const audit = (await call(server, "GET", "/audit", root)).body as AdminAuditReply;
    expect(audit.entries[0]).toMatchObject({
      action: "signout",
      before: { sessions: 2 },
      after: { sessions: 0 },
    });
  });
});

describe("admin API: accounts renamed, deactivated and deleted", () => {
  let server: TestServer;
  let root: string;
  beforeEach(async () => {
    server = await new TestServer().start();
    root = await server.registerAdmin("root");
  });
  afterEach(async () => {
    await server.stop();
  });

  /** Bob, connected, and Carol, connected, both in #room. */
  async function pair() {
    const bob = await server.connect({ token: await server.register("bob") });
    const carol = await server.connect({ token: await server.register("carol") });
    const { ch } = await bob.createChannel("room");
    await carol.joinChannel(ch.i);
    return { bob, carol, room: ch.i, id: bob.user!.i };
  }

  it("renames: the user's tabs and its channels' members see the new name; taken and reserved names refused; audited", async () => {
    const { bob, carol, id } = await pair();
    const told: UserUpdatedPush[] = [];
    const selfTold: UserUpdatedPush[] = [];
    carol.on("userUpdated", (u) => told.push(u));
    bob.on("userUpdated", (u) => selfTold.push(u));
    const res = await call(server, "POST", `/users/${id}/rename`, root, { username: "Robert" });
    expect([res.status, res.body.user.username]).toEqual([200, "Robert"]);
    await until(
      () =>
        told.some((u) => u.i === id && u.n === "Robert") && selfTold.some((u) => u.n === "Robert"),
      5000,
      "the new name told",
    );
    expect((await login(server, "robert")).status).toBe(200);
    for (const [username, code] of [
      ["CAROL", ERRORS.USERNAME_TAKEN.code],
      ["guest-abc123", ERRORS.USERNAME_RESERVED.code],
      ["deleted-7", ERRORS.USERNAME_RESERVED.code],
      ["no spaces", ERRORS.INVALID_PAYLOAD.code],
    ] as const) {
      const refused = await call(server, "POST", `/users/${id}/rename`, root, { username });
      expect([username, refused.body.error.c]).toEqual([username, code]);
    }
    const self = await call(
      server,
      "POST",
      `/users/${await idOfUser(server, root, "root")}/rename`,
      root,
      {
        username: "boss",
      },
    );
    expect(self.status).toBe(403);
    const audit = (await call(server, "GET", "/audit?action=rename", root)).body as AdminAuditReply;
    expect(audit.entries.map((e) => [e.before, e.after])).toEqual([
      [{ username: "bob" }, { username: "Robert" }],
    ]);
  });

  it("deactivates: sockets close with 4504, sign-in is refused with ACCOUNT_DEACTIVATED, memberships stay; reactivation lets it back", async () => {
    const { bob, carol, room, id } = await pair();
    const bobCloses = closes(bob);
    const res = await call(server, "POST", `/users/${id}/deactivate`, root, {});
    expect(res.body.user).toMatchObject({ deactivatedAt: expect.any(Number), sessions: 0 });
    await until(() => bobCloses.includes(CloseCode.AccountClosed), 5000, "the close");
    const refused = await login(server, "bob");
    expect([refused.status, refused.body.error.c]).toEqual([403, ERRORS.ACCOUNT_DEACTIVATED.code]);
    expect((await call(server, "GET", "/users?kind=deactivated", root)).body.users).toMatchObject([
      { username: "bob" },
    ]);
    expect(((await carol.channelInfo(room)).m ?? []).map((m) => m.n)).toContain("bob");
    const back = await call(server, "POST", `/users/${id}/reactivate`, root, {});
    expect(back.body.user.deactivatedAt).toBe(undefined);
    expect((await login(server, "bob")).status).toBe(200);
    const audit = (await call(server, "GET", "/audit", root)).body as AdminAuditReply;
    expect(audit.entries.map((e) => e.action)).toEqual(["reactivate", "deactivate"]);
  });

  it("deletes keeping the messages: they stay under deleted-<id>, the user leaves its channels, its tabs close", async () => {
    const { bob, carol, room, id } = await pair();
    const bobCloses = closes(bob);
    const seen = collect(carol, room);
    const told: UserUpdatedPush[] = [];
    carol.on("userUpdated", (u) => told.push(u));
    await bob.send(room, "my words stay");
    const res = await call(server, "POST", `/users/${id}/delete`, root, { messages: "keep" });
    expect(res.body).toMatchObject({
      user: { username: `deleted-${id}`, deletedAt: expect.any(Number), sessions: 0 },
      removedMessages: 0,
    });
    await until(() => bobCloses.includes(CloseCode.AccountClosed), 5000, "the close");
    await until(
      () => seen.some((e) => e.t === EventType.MemberLeft && e.a === id),
      5000,
      "the member left",
    );
    await until(
      () => told.some((u) => u.i === id && u.n === `deleted-${id}`),
      5000,
      "the new name",
    );
    const history = await carol.history(room);
    expect(history.e.find((e) => e.t === EventType.MessagePosted && e.a === id)).toMatchObject({
      x: "my words stay",
      an: `deleted-${id}`,
    });
    expect((await login(server, "bob")).status).toBe(401);
    // The name is free again; the deleted account is listed only as deleted.
    await server.register("bob");
    expect((await call(server, "GET", "/users?kind=deleted", root)).body.users).toMatchObject([
      { id, username: `deleted-${id}` },
    ]);
    for (const path of ["sign-out", "ban", "rename", "deactivate"]) {
      const refused = await call(
        server,
        "POST",
        `/users/${id}/${path}`,
        root,
        path === "rename" ? { username: "xavier" } : {},
      );
      expect([path, refused.status]).toEqual([path, 403]);
    }
  });

  it("deletes removing the messages: gone from history, search, the database file and the file store", async () => {
    const { bob, carol, room, id } = await pair();
    const bobToken = bob.token!;
    const marker = "quixotically-unmistakable";
    const up = await fetch(`${server.url}/api/v1/files?name=${marker}.txt`, {
      method: "POST",
      headers: { authorization: `Bearer ${bobToken}`, "content-type": "application/octet-stream" },
      body: `file bytes ${marker}`,
    });
    const file = (await up.json()) as UploadReply;
    await bob.send(room, `first ${marker}`, { files: [file.id] });
    const edited = await bob.send(room, "second draft");
    await bob.editMessage(room, edited.i, 1, `second ${marker}`);
    const { ch: own } = await bob.createChannel("bobs");
    await bob.send(own.i, `third ${marker}`);
    await carol.send(room, "carol stays");
    const filePath = join(server.dir, "files", file.id.slice(0, 2), file.id);
    expect(existsSync(filePath)).toBe(true);
    expect((await carol.search(marker)).r).toHaveLength(2);
    const seen = collect(carol, room);

    const res = await call(server, "POST", `/users/${id}/delete`, root, { messages: "remove" });
    expect(res.body.removedMessages).toBe(3);
    await until(
      () => seen.filter((e) => e.t === EventType.MessageDeleted).length === 2,
      5000,
      "both deletions live",
    );
    const history = await carol.history(room);
    const posts = history.e.filter((e) => e.t === EventType.MessagePosted);
    expect(posts.map((e) => (e as { x: string }).x)).toEqual(["", "", "carol stays"]);
    expect((await carol.search(marker)).r).toEqual([]);
    await until(() => !existsSync(filePath), 5000, "the file's bytes swept");
    // Neither the database file nor its log holds the words any more.
    expectNotInDatabaseFile(server.dir, marker);
    // Again with `remove` finishes nothing more; the admin audit has the deletion once.
    const again = await call(server, "POST", `/users/${id}/delete`, root, { messages: "remove" });
    expect(again.body.removedMessages).toBe(0);
    const audit = (await call(server, "GET", "/audit?action=delete", root)).body as AdminAuditReply;
    expect(audit.entries.map((e) => e.after)).toEqual([{ messages: "remove" }]);
  });

  it("removes guests idle for the days asked, not online ones, in batches", async () => {
    const idle = await server.connect();
    const online = await server.connect();
    const idleId = idle.user!.i;
    const seenAt = async () =>
      (await call(server, "GET", `/users/${idleId}`, root)).body.user.lastActiveAt as number;
    const created = await seenAt();
    await new Promise((r) => setTimeout(r, 5));
    await idle.close();
    // The disconnect is recorded as activity: wait for it before making both guests old.
    const later = Date.now() + 5000;
    while ((await seenAt()) === created && Date.now() < later)
      await new Promise((r) => setTimeout(r, 20));
    // Both guests were last active long ago; one is still connected.
    const db = new BetterSqlite3(join(server.dir, "parley.db"));
    db.prepare("update users set last_active_at = 1 where is_guest = 1").run();
    db.close();
    const res = await call(server, "POST", "/guests/remove", root, {
      idleDays: 30,
      messages: "keep",
    });
    expect(res.body).toEqual({ removed: 1, removedMessages: 0, more: false });
    expect(
      (await call(server, "GET", "/users?kind=guests", root)).body.users.map(
        (u: AdminUser) => u.id,
      ),
    ).toEqual([online.user!.i]);
    const none = await call(server, "POST", "/guests/remove", root, {
      idleDays: 30,
      messages: "keep",
    });
    expect(none.body).toEqual({ removed: 0, removedMessages: 0, more: false });
    for (const bad of [{ idleDays: 0, messages: "keep" }, { idleDays: 3, messages: "all" }, {}]) {
      expect((await call(server, "POST", "/guests/remove", root, bad)).status).toBe(400);
    }
  });
});

describe("admin API: channels", () => {
  let server: TestServer;
  let root: string;
  beforeEach(async () => {
    server = await new TestServer().start();
    root = await server.registerAdmin("root");
  });
  afterEach(async () => {
    await server.stop();
  });

  /** Bob owns #room and Carol is a member, both connected. */
  async function room() {
    const bob = await server.connect({ token: await server.register("bob") });
    const carol = await server.connect({ token: await server.register("carol") });
    const { ch } = await bob.createChannel("room");
    await carol.joinChannel(ch.i);
    return { bob, carol, room: ch.i };
  }

  it("lists channels with members, online, owner and activity, by kind and name; never direct messages", async () => {
    const { bob, room: id } = await room();
    await bob.send(id, "hello");
    await bob.createChannel("hideout", "", { private: true });
    const { ch: dm } = await bob.openDm(["carol"]);
    const all = (await call(server, "GET", "/channels", root)).body as AdminChannelsReply;
    const names = all.channels.map((c) => c.name);
    expect(names).toContain("room");
    expect(names).toContain("hideout");
    expect(all.channels.every((c) => !c.name.startsWith("\n"))).toBe(true);
    expect(all.channels.find((c) => c.name === "room")).toMatchObject({
      id,
      members: 2,
      online: 2,
      private: false,
      owner: { id: bob.user!.i, username: "bob" },
      lastActivityAt: expect.any(Number),
    });
    const secret = (await call(server, "GET", "/channels?kind=private", root)).body;
    expect(secret.channels.map((c: AdminChannel) => c.name)).toEqual(["hideout"]);
    const found = (await call(server, "GET", "/channels?q=ROO&limit=1", root)).body;
    expect(found.channels.map((c: AdminChannel) => c.name)).toEqual(["room"]);
    const one = (await call(server, "GET", `/channels/${id}`, root)).body as AdminChannelReply;
    expect(one.members.map((m) => [m.username, m.role, m.online])).toEqual([
      ["bob", Role.Owner, true],
      ["carol", Role.Member, true],
    ]);
    expect(one.membersNext).toBe(undefined);
    // A direct message is not reached by id either.
    expect((await call(server, "GET", `/channels/${dm.i}`, root)).body.error.c).toBe(
      ERRORS.NO_SUCH_CHANNEL.code,
    );
    const bad = await call(server, "GET", "/channels?kind=dm", root);
    expect(bad.status).toBe(400);
    expect((await call(server, "GET", "/channels/999999", root)).body.error.c).toBe(
      ERRORS.NO_SUCH_CHANNEL.code,
    );
  });

  it("changes the owner: both members see the RoleChanged live, the owner until now moderates; guests refused; audited", async () => {
    const { bob, carol, room: id } = await room();
    const guest = await server.connect();
    await guest.joinChannel(id);
    const seen = collect(bob, id);
    const res = await call(server, "POST", `/channels/${id}/owner`, root, { username: "carol" });
    expect(res.status).toBe(200);
    expect(res.body.channel.owner).toEqual({ id: carol.user!.i, username: "carol" });
    await until(
      () => seen.filter((e) => e.t === EventType.RoleChanged).length === 2,
      5000,
      "both role changes live",
    );
    const roles = seen.filter((e) => e.t === EventType.RoleChanged);
    expect(roles.map((e) => [(e as { un?: string }).un, (e as { rl?: number }).rl])).toEqual([
      ["bob", Role.Moderator],
      ["carol", Role.Owner],
    ]);
    // The new owner has the owner's rights at once: it sets a retention.
    await until(async () => {
      try {
        await carol.command(id, "/retention 30");
        return true;
      } catch {
        return false;
      }
    }, 5000);
    const refused = await call(server, "POST", `/channels/${id}/owner`, root, {
      username: guest.user!.n,
    });
    expect(refused.body.error?.c).toBe(ERRORS.FORBIDDEN.code);
    const outsider = await server.register("dave");
    expect(outsider).toBeTruthy();
    const notMember = await call(server, "POST", `/channels/${id}/owner`, root, {
      username: "dave",
    });
    expect(notMember.body.error?.c).toBe(ERRORS.TARGET_NOT_MEMBER.code);
    const audit = (await call(server, "GET", "/audit?action=channelowner", root))
      .body as AdminAuditReply;
    expect(audit.entries.map((e) => [e.target, e.before, e.after])).toEqual([
      [{ kind: "channel", id, username: "room" }, { owner: "bob" }, { owner: "carol" }],
    ]);
  });

  it("archives: the event reaches members live, sends, edits, reactions and the topic are refused with CHANNEL_ARCHIVED, history stays; unarchive opens it", async () => {
    const { bob, carol, room: id } = await room();
    const before = await bob.send(id, "kept");
    const seen = collect(carol, id);
    const res = await call(server, "POST", `/channels/${id}/archive`, root, {});
    expect(res.body.channel.archivedAt).toEqual(expect.any(Number));
    await until(() => seen.some((e) => e.t === EventType.ChannelArchived), 5000, "archived live");
    expect(seen.find((e) => e.t === EventType.ChannelArchived)).toMatchObject({ ar: true });
    const code = ERRORS.CHANNEL_ARCHIVED.code;
    await expect(carol.send(id, "no")).rejects.toMatchObject({ code });
    await expect(bob.editMessage(id, before.i, 1, "changed")).rejects.toMatchObject({ code });
    await expect(carol.react(id, before.i, "👍")).rejects.toMatchObject({ code });
    await expect(bob.command(id, "/topic new")).rejects.toMatchObject({ code });
    const summary = (await carol.channelInfo(id)).ch;
    expect(summary.ar).toBe(true);
    const history = await carol.history(id);
    expect(history.e.some((e) => (e as { x?: string }).x === "kept")).toBe(true);
    // Archived is listed as such; archiving twice stores nothing more.
    const archived = (await call(server, "GET", "/channels?kind=archived", root)).body;
    expect(archived.channels.map((c: AdminChannel) => c.id)).toEqual([id]);
    await call(server, "POST", `/channels/${id}/archive`, root, {});
    expect(seen.filter((e) => e.t === EventType.ChannelArchived)).toHaveLength(1);
    const reopened = await call(server, "POST", `/channels/${id}/unarchive`, root, {});
    expect(reopened.body.channel.archivedAt).toBe(undefined);
    await until(() => seen.filter((e) => e.t === EventType.ChannelArchived).length === 2, 5000);
    expect((await carol.send(id, "back")).i).toBeGreaterThan(before.i);
    const audit = (await call(server, "GET", "/audit", root)).body as AdminAuditReply;
    expect(audit.entries.map((e) => e.action)).toEqual(["unarchive", "archive"]);
  });

  it("deletes a channel: members told at once, its name free, its messages gone from search, the database file and the file store", async () => {
    const { bob, carol, room: id } = await room();
    const marker = "preposterously-distinctive";
    const up = await fetch(`${server.url}/api/v1/files?name=${marker}.txt`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${bob.token!}`,
        "content-type": "application/octet-stream",
      },
      body: `file bytes ${marker}`,
    });
    const file = (await up.json()) as UploadReply;
    await bob.send(id, `first ${marker}`, { files: [file.id] });
    for (let i = 0; i < 3; i++) await carol.send(id, `more ${marker} ${i}`);
    const filePath = join(server.dir, "files", file.id.slice(0, 2), file.id);
    expect(existsSync(filePath)).toBe(true);
    expect((await carol.search(marker)).r).toHaveLength(4);
    const removed: { c: number; why: string }[] = [];
    carol.on("channelRemoved", (d) => removed.push(d));
    bob.on("channelRemoved", (d) => removed.push(d));

    const res = await call(server, "POST", `/channels/${id}/delete`, root, {});
    expect(res.body).toEqual({ removedMessages: 4 });
    await until(() => removed.length === 2, 5000, "both members told");
    expect(removed).toEqual([
      { c: id, why: "deleted" },
      { c: id, why: "deleted" },
    ]);
    await expect(carol.send(id, "late")).rejects.toMatchObject({
      code: ERRORS.NOT_A_MEMBER.code,
    });
    await expect(carol.joinChannel(id)).rejects.toMatchObject({
      code: ERRORS.NO_SUCH_CHANNEL.code,
    });
    expect((await carol.search(marker)).r).toEqual([]);
    await until(() => !existsSync(filePath), 5000, "the file's bytes swept");
    expectNotInDatabaseFile(server.dir, marker);
    // The name is free again, and the deletion is in the admin audit once.
    const { ch } = await carol.createChannel("room");
    expect(ch.i).not.toBe(id);
    expect((await call(server, "POST", `/channels/${id}/delete`, root, {})).body.error.c).toBe(
      ERRORS.NO_SUCH_CHANNEL.code,
    );
    const audit = (await call(server, "GET", "/audit?action=channeldelete", root))
      .body as AdminAuditReply;
    expect(audit.entries.map((e) => [e.target, e.before])).toEqual([
      [
        { kind: "channel", id, username: "room" },
        { name: "room", members: 2, lastSeq: 6 },
      ],
    ]);
  });
});

async function idOfUser(server: TestServer, token: string, name: string): Promise<number> {
  return (await call(server, "GET", `/users?q=${name}`, token)).body.users.find(
    (u: AdminUser) => u.username === name,
  ).id as number;
}

describe("admin API live figures", () => {
  let server: TestServer;
  afterEach(async () => {
    await server.stop();
  });

  it("shows this node's connections and messages per second, the stored messages and the database size", async () => {
    server = await new TestServer({}, { nodeStats: { intervalMs: 50 } }).start();
    const root = await server.registerAdmin("root");
    const a = await server.connect({ token: root });
    await server.connect();
    const { ch } = await a.createChannel("busy");
    let best = 0;
    let stats: Awaited<ReturnType<typeof read>> | undefined;
    const read = async () =>
      (await call(server, "GET", "/stats", root))
        .body as import("@parley/protocol").AdminStatsReply;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      await a.send(ch.i, `tick ${best}`);
      stats = await read();
      best = Math.max(best, stats.nodes[0]?.messagesPerSecond ?? 0);
      if (best > 0 && stats.nodes[0]?.connections === 2) break;
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(stats!.nodes).toHaveLength(1);
    expect(stats!.nodes[0]!.connections).toBe(2);
    expect(best).toBeGreaterThan(0);
    expect(stats!.nodes[0]!.lagMs).toBeGreaterThanOrEqual(0);
    expect(stats!.storedMessages).toBeGreaterThanOrEqual(1);
    expect(stats!.databaseBytes).toBeGreaterThan(0);
    expect(stats!.history.length).toBeGreaterThanOrEqual(1);
    expect(stats!.history.at(-1)!.connections).toBe(2);
  });
});

describe("admin API rate limit", () => {
  let server: TestServer;
  afterEach(async () => {
    await server.stop();
  });

  it("takes a token of the admin's bucket per request and refuses with 429 when it is empty", async () => {
    server = await new TestServer({ PARLEY_RATE_LIMITS: "admin=3/0.01" }).start();
    const root = await server.registerAdmin("root");
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(server, "GET", "/users", root)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

describe("server bans with an end", () => {
  it("end by themselves: the user is no longer listed or shown as banned once the time passes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-ban-"));
    const storage = await openSqliteStorage(join(dir, "parley.db"));
    try {
      let now = Date.now();
      const admin = new AdminService(
        storage,
        () => {},
        async (p) => `hash-of-${p}`,
        () => now,
      );
      const root = await createUser(storage, {
        username: "root",
        passwordHash: "h",
        isGuest: false,
      });
      await storage.setAdmin(root.id, true);
      const bob = await createUser(storage, { username: "bob", passwordHash: "h", isGuest: false });
      const by = { id: root.id, name: "root", isAdmin: true };
      expect((await admin.ban(by, bob.id, { minutes: 1 })).ban?.until).toBe(now + 60_000);
      expect((await admin.users({ kind: "banned" })).users.map((u) => u.username)).toEqual(["bob"]);
      now += 61_000;
      expect((await admin.users({ kind: "banned" })).users).toEqual([]);
      expect((await admin.user(bob.id)).user.ban).toBe(undefined);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("admin API: registration by invitation", () => {
  let server: TestServer;
  let root: string;
  beforeEach(async () => {
    server = await new TestServer().start();
    root = await server.registerAdmin("root");
  });
  afterEach(async () => {
    await server.stop();
  });

  const register = (body: unknown, token?: string) =>
    post(`${server.url}/api/v1/auth/register`, body, token);
  const options = async () => (await fetch(`${server.url}/api/v1/auth/options`)).json();
  const invite = async (body: unknown = {}) => {
    const res = await call(server, "POST", "/invites", root, body);
    expect(res.status).toBe(200);
    return res.body as AdminCreateInviteReply;
  };
  const setRegistration = async (registration: string) =>
    expect((await call(server, "POST", "/settings", root, { registration })).status).toBe(200);

  it("takes new accounts and guests' upgrades only with an invite, as many as it allows, while invite-only", async () => {
    expect(await options()).toEqual({ registration: "open", guests: true });
    await setRegistration("invite");
    expect(await options()).toEqual({ registration: "invite", guests: true });
    const password = "correct horse battery";

    const none = await register({ username: "ann", password });
    expect([none.status, none.body.error.c]).toEqual([403, ERRORS.INVITE_REQUIRED.code]);
    const wrong = await register({ username: "ann", password, invite: "A".repeat(22) });
    expect([wrong.status, wrong.body.error.c]).toEqual([404, ERRORS.INVITE_INVALID.code]);
    expect((await register({ username: "ann", password, invite: "short" })).status).toBe(400);

    const before = Date.now();
    const made = await invite({ maxUses: 2, days: 7, note: "for the team" });
    expect(made.code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(made.invite).toMatchObject({
      createdBy: { username: "root" },
      maxUses: 2,
      uses: 0,
      note: "for the team",
      live: true,
    });
    expect(made.invite.expiresAt).toBeGreaterThanOrEqual(before + 7 * 86_400_000);
    expect(made.invite.expiresAt).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);

    expect((await register({ username: "ann", password, invite: made.code })).status).toBe(201);
    // A name that is taken is refused before the invite's use is counted.
    const taken = await register({ username: "ANN", password, invite: made.code });
    expect([taken.status, taken.body.error.c]).toEqual([409, ERRORS.USERNAME_TAKEN.code]);
    // A guest's upgrade needs an invite too, and takes the second use.
    const guest = await server.connect();
    const bare = await register({ password }, guest.token!);
    expect(bare.body.error.c).toBe(ERRORS.INVITE_REQUIRED.code);
    const upgraded = await register({ password, username: "gus", invite: made.code }, guest.token!);
    expect([upgraded.status, upgraded.body.user.n]).toEqual([200, "gus"]);
    const late = await register({ username: "cid", password, invite: made.code });
    expect([late.status, late.body.error.c]).toEqual([404, ERRORS.INVITE_INVALID.code]);

    const all = (await call(server, "GET", "/invites?status=all", root)).body as AdminInvitesReply;
    expect(all.invites).toEqual([{ ...made.invite, uses: 2, live: false }]);
    expect((await call(server, "GET", "/invites", root)).body.invites).toEqual([]);
    // The code is stored as its hash only.
    expectNotInDatabaseFile(server.dir, made.code);

    // Open again: no invite needed, and one given is not used.
    const spare = await invite({ maxUses: 1 });
    await setRegistration("open");
    expect((await register({ username: "dee", password, invite: spare.code })).status).toBe(201);
    expect((await register({ username: "eve", password })).status).toBe(201);
    expect((await call(server, "GET", "/invites", root)).body.invites).toMatchObject([
      { id: spare.invite.id, uses: 0, live: true },
    ]);
    // Closed: not even with an invite.
    await setRegistration("closed");
    expect((await register({ username: "fay", password, invite: spare.code })).body.error.c).toBe(
      ERRORS.REGISTRATION_CLOSED.code,
    );
  });

  it("revokes an invite once, audits making and revoking it, and refuses bad requests", async () => {
    await setRegistration("invite");
    const made = await invite({ note: "for bob" });
    expect(made.invite).not.toHaveProperty("maxUses");
    expect(made.invite).not.toHaveProperty("expiresAt");
    const revoked = await call(server, "POST", `/invites/${made.invite.id}/revoke`, root, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body.invite).toMatchObject({ live: false, revokedAt: expect.any(Number) });
    const again = await call(server, "POST", `/invites/${made.invite.id}/revoke`, root, {});
    expect(again.body).toEqual(revoked.body);
    const missing = await call(server, "POST", "/invites/99999/revoke", root, {});
    expect([missing.status, missing.body.error.c]).toEqual([404, ERRORS.INVITE_INVALID.code]);
    const refused = await register({
      username: "bob",
      password: "correct horse battery",
      invite: made.code,
    });
    expect(refused.body.error.c).toBe(ERRORS.INVITE_INVALID.code);

    const audit = (await call(server, "GET", "/audit", root)).body as AdminAuditReply;
    expect(
      audit.entries
        .filter((e) => e.action.startsWith("invite"))
        .map((e) => ({ action: e.action, target: e.target, after: e.after })),
    ).toEqual([
      {
        action: "inviterevoke",
        target: { kind: "invite", id: made.invite.id, username: "for bob" },
        after: { revoked: true },
      },
      {
        action: "invitecreate",
        target: { kind: "invite", id: made.invite.id, username: "for bob" },
        after: { maxUses: null, expiresAt: null, note: "for bob" },
      },
    ]);
    for (const bad of [
      { maxUses: 0 },
      { maxUses: 1001 },
      { days: 366 },
      { days: 1.5 },
      { note: "two\nlines" },
      { note: "x".repeat(101) },
      { extra: 1 },
    ]) {
      const res = await call(server, "POST", "/invites", root, bad);
      expect([JSON.stringify(bad), res.status]).toEqual([JSON.stringify(bad), 400]);
    }
    for (const bad of ["?status=dead", "?limit=0", "?before=x"])
      expect((await call(server, "GET", `/invites${bad}`, root)).status).toBe(400);
  });
});
