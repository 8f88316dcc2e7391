import { CloseCode, isReservedUsername } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { post, TestServer, until } from "./harness";

describe("accounts and sessions", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(() => server.stop());

  it("refuses to register a name with the guest prefix, in any case, with USERNAME_RESERVED", async () => {
    for (const username of ["guest-abc123", "GUEST-abc123", "Guest_abc123"]) {
      const res = await post(`${server.url}/api/v1/auth/register`, {
        username,
        password: "hunter2hunter2",
      });
      expect(res, username).toMatchObject({
        status: 409,
        body: { error: { c: 1104, name: "USERNAME_RESERVED" } },
      });
    }
    const guest = await server.connect();
    expect(isReservedUsername(guest.user!.n)).toBe(true);
    const near = await post(`${server.url}/api/v1/auth/register`, {
      username: "guestbook",
      password: "hunter2hunter2",
    });
    expect(near.status).toBe(201);
  });

  it("registers, logs in, answers /me, and refuses a wrong password or a taken name", async () => {
    const reg = await post(`${server.url}/api/v1/auth/register`, {
      username: "Alice",
      password: "hunter2hunter2",
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ n: "Alice" });
    const taken = await post(`${server.url}/api/v1/auth/register`, {
      username: "alice",
      password: "whatever123",
    });
    expect(taken).toMatchObject({ status: 409, body: { error: { name: "USERNAME_TAKEN" } } });
    const wrong = await post(`${server.url}/api/v1/auth/login`, {
      username: "alice",
      password: "nope-nope-nope",
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: { name: "INVALID_CREDENTIALS" } } });
    const nobody = await post(`${server.url}/api/v1/auth/login`, {
      username: "nobody",
      password: "nope-nope-nope",
    });
    expect(nobody).toMatchObject({ status: 401, body: { error: { name: "INVALID_CREDENTIALS" } } });
    const login = await post(`${server.url}/api/v1/auth/login`, {
      username: "ALICE",
      password: "hunter2hunter2",
    });
    expect(login.status).toBe(200);
    const me = await fetch(`${server.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${login.body.token}` },
    });
    expect(await me.json()).toMatchObject({ user: { n: "Alice" }, channels: [] });
    const bad = await post(`${server.url}/api/v1/auth/register`, {
      username: "x",
      password: "short",
    });
    expect(bad).toMatchObject({ status: 400, body: { error: { name: "INVALID_PAYLOAD" } } });
  });

  it("gives 200 concurrent guest hellos 200 distinct names", async () => {
    const guests = await Promise.all(Array.from({ length: 200 }, () => server.connect()));
    const names = new Set(guests.map((g) => g.user!.n));
    expect(names.size).toBe(200);
    for (const g of guests) {
      expect(g.user!.g).toBe(true);
      expect(g.user!.n).toMatch(/^guest-[0-9a-z]{6}$/);
    }
  });

  it("lets a guest register, keeping its name and memberships", async () => {
    const guest = await server.connect();
    const { ch } = await guest.createChannel("guest-made");
    const name = guest.user!.n;
    const up = await post(
      `${server.url}/api/v1/auth/register`,
      { password: "now-a-member" },
      guest.token,
    );
    expect(up).toMatchObject({ status: 200, body: { user: { n: name } } });
    expect(up.body.user.g).toBeUndefined();
    const login = await post(`${server.url}/api/v1/auth/login`, {
      username: name,
      password: "now-a-member",
    });
    const again = await server.connect({ token: login.body.token });
    expect(again.user).toMatchObject({ n: name });
    expect(again.user!.g).toBeUndefined();
    expect(again.welcome!.ch.map((c) => c.i)).toEqual([ch.i]);
    // The guest's open connection now acts as an account: its joins carry no guest flag.
    const owner = await server.connect();
    const { ch: other } = await owner.createChannel("after-upgrade");
    const joined = await guest.joinChannel(other.i);
    expect(joined.h.e.at(-1)).toMatchObject({ t: 10, an: name });
    expect(joined.h.e.at(-1)).not.toHaveProperty("g");
    const twice = await post(
      `${server.url}/api/v1/auth/register`,
      { password: "again-and-again" },
      login.body.token,
    );
    expect(twice).toMatchObject({ status: 409, body: { error: { name: "NOT_A_GUEST" } } });
  });

  it("logout revokes the session: its live socket closes and a hello with it is refused", async () => {
    const token = await server.register("leaving");
    const live = await server.connect({ token, reconnect: false });
    const closed = live.waitFor("disconnect");
    const out = await post(`${server.url}/api/v1/auth/logout`, {}, token);
    expect(out.status).toBe(204);
    expect((await closed)[0]).toMatchObject({ code: CloseCode.AuthRevoked, willReconnect: false });

    const retry = server.client({ token, reconnect: false });
    const refused = retry.waitFor("disconnect");
    await expect(retry.connect()).rejects.toMatchObject({ errorName: "UNAUTHENTICATED" });
    expect((await refused)[0].code).toBe(CloseCode.AuthRevoked);
    const me = await fetch(`${server.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(401);
  });

  it("refuses a forged token", async () => {
    const forged = server.client({ token: "A".repeat(43), reconnect: false });
    await expect(forged.connect()).rejects.toMatchObject({ errorName: "UNAUTHENTICATED" });
    await until(() => !forged.connected);
  });
});
