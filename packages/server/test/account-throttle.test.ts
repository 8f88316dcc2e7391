import { Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { post, TestServer } from "./harness";
import { RawClient } from "./raw-client";

/** A login from the given client address (the server trusts X-Forwarded-For in these tests). */
async function login(server: TestServer, username: string, password: string, from: string) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": from },
    body: JSON.stringify({ username, password }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    body: (await res.json()) as { error?: { name: string; m: string } },
  };
}

describe("failed logins per account", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("throttles guesses at one account from many addresses, and an unknown name alike", async () => {
    server = await new TestServer({
      PARLEY_TRUST_PROXY: "true",
      PARLEY_RATE_LIMITS: "account=3/0.01",
    }).start();
    await server.register("victim", "the-right-password");
    const statuses = [];
    for (let i = 1; i <= 3; i++)
      statuses.push((await login(server, "Victim", "a-wrong-guess", `10.0.0.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401]);
    // Throttled now, from a fresh address, even with the right password: no oracle.
    const refused = await login(server, "victim", "the-right-password", "10.0.0.4");
    expect(refused.status).toBe(429);
    expect(refused.body.error?.name).toBe("RATE_LIMITED");
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);

    for (let i = 1; i <= 3; i++)
      expect((await login(server, "ghost", "a-wrong-guess", `10.0.1.${i}`)).status).toBe(401);
    const unknown = await login(server, "ghost", "a-wrong-guess", "10.0.1.4");
    expect(unknown.status).toBe(429);
    expect(unknown.body.error?.m.replace(/\d+/g, "N")).toBe(
      refused.body.error?.m.replace(/\d+/g, "N"),
    );

    await server.register("bystander", "another-password");
    expect((await login(server, "bystander", "another-password", "10.0.0.1")).status).toBe(200);
  });

  it("counts only failures: successful logins give their token back", async () => {
    server = await new TestServer({
      PARLEY_TRUST_PROXY: "true",
      PARLEY_RATE_LIMITS: "account=2/0.01",
    }).start();
    await server.register("regular", "the-right-password");
    const outcomes = [];
    for (const password of ["wrong-once", "the-right-password", "the-right-password"])
      outcomes.push((await login(server, "regular", password, "10.0.0.1")).status);
    outcomes.push((await login(server, "regular", "the-right-password", "10.0.0.1")).status);
    outcomes.push((await login(server, "regular", "wrong-twice", "10.0.0.1")).status);
    outcomes.push((await login(server, "regular", "the-right-password", "10.0.0.1")).status);
    expect(outcomes).toEqual([401, 200, 200, 200, 401, 429]);
  });

  it("counts a wrong current password on a password change as a failed login", async () => {
    server = await new TestServer({ PARLEY_RATE_LIMITS: "account=1/0.01" }).start();
    const token = await server.register("changer", "the-right-password");
    const change = (password: string) =>
      post(
        `${server.url}/api/v1/auth/password`,
        { password, newPassword: "a-new-password" },
        token,
      );
    expect((await change("a-wrong-guess")).status).toBe(401);
    expect((await change("the-right-password")).status).toBe(429);
  });
});

describe("per-address limits on IPv6", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("counts the addresses of one /64 as one client for logins", async () => {
    server = await new TestServer({
      PARLEY_TRUST_PROXY: "true",
      PARLEY_RATE_LIMITS: "login=2/0.01",
    }).start();
    expect((await login(server, "name-a", "whatever-it-is", "2001:db8:1:1::1")).status).toBe(401);
    expect((await login(server, "name-b", "whatever-it-is", "2001:db8:1:1::2")).status).toBe(401);
    expect((await login(server, "name-c", "whatever-it-is", "2001:db8:1:1:ff::3")).status).toBe(
      429,
    );
    expect((await login(server, "name-d", "whatever-it-is", "2001:db8:1:2::1")).status).toBe(401);
  });

  it("counts the addresses of one /64 as one client for registrations", async () => {
    server = await new TestServer({
      PARLEY_TRUST_PROXY: "true",
      PARLEY_RATE_LIMITS: "register=1/0.01",
    }).start();
    const register = (username: string, from: string) =>
      fetch(`${server.url}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": from },
        body: JSON.stringify({ username, password: "a-fine-password" }),
      }).then((r) => r.status);
    expect(await register("first-one", "2001:db8:9:9::a")).toBe(201);
    expect(await register("second-one", "2001:db8:9:9::b")).toBe(429);
  });

  it("counts the addresses of one /64 as one client for connections and hellos", async () => {
    server = await new TestServer({
      PARLEY_TRUST_PROXY: "true",
      PARLEY_MAX_CONNECTIONS_PER_IP: "2",
    }).start();
    const open = (from: string) =>
      RawClient.open(server.wsUrl, "json", undefined, { "x-forwarded-for": from });
    const open1 = await open("2001:db8:5:5::1");
    const open2 = await open("2001:db8:5:5::2");
    await expect(open("2001:db8:5:5::3")).rejects.toThrow(/429/);
    const other = await open("2001:db8:5:6::1");
    for (const c of [open1, open2, other]) c.close();
  });

  it("limits hellos per /64", async () => {
    server = await new TestServer({
      PARLEY_TRUST_PROXY: "true",
      PARLEY_RATE_LIMITS: "hello=1/0.01",
    }).start();
    const from = (address: string) =>
      RawClient.open(server.wsUrl, "json", undefined, { "x-forwarded-for": address });
    const first = await from("2001:db8:7:7::1");
    expect((await first.request(Op.Hello, {})).o).not.toBe(Op.Error);
    const second = await from("2001:db8:7:7::2");
    expect(await second.request(Op.Hello, {})).toMatchObject({ o: Op.Error, d: { c: 1400 } });
    const elsewhere = await from("2001:db8:7:8::1");
    expect((await elsewhere.request(Op.Hello, {})).o).not.toBe(Op.Error);
    for (const c of [first, second, elsewhere]) c.close();
  });
});
