import type { SearchReply } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "./harness";

/** `GET /api/v1/search`: the Search op over HTTP, with its bearer token. */
describe("search over HTTP", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  const get = async (path: string, token?: string) => {
    const res = await fetch(`${server.url}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return {
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      body: await res.json(),
    };
  };

  it("answers a member with the same results and cursor as the op", async () => {
    server = await new TestServer().start();
    const token = await server.register("alice");
    const alice = await server.connect({ token });
    const { ch } = await alice.createChannel("general");
    for (let i = 1; i <= 3; i++) await alice.send(ch.i, `status report ${i}`);
    const first = await get("/api/v1/search?q=report&limit=2", token);
    expect(first.status).toBe(200);
    expect(first.body).toEqual(await alice.search("report", { limit: 2 }));
    const body = first.body as SearchReply;
    expect(body.r.map((h) => h.x)).toEqual(["status report 3", "status report 2"]);
    const next = await get(`/api/v1/search?q=report&limit=2&cursor=${body.nx}`, token);
    expect((next.body as SearchReply).r.map((h) => h.x)).toEqual(["status report 1"]);
    expect((next.body as SearchReply).nx).toBeUndefined();
    const quoted = await get(
      `/api/v1/search?q=${encodeURIComponent('"status report" from:@alice')}`,
      token,
    );
    expect((quoted.body as SearchReply).r).toHaveLength(3);
  });

  it("requires a valid bearer token: none or a forged one is 401 UNAUTHENTICATED", async () => {
    server = await new TestServer().start();
    for (const token of [undefined, "forged-token-that-was-never-issued"]) {
      expect(await get("/api/v1/search?q=anything", token)).toMatchObject({
        status: 401,
        body: { error: { c: 1100, name: "UNAUTHENTICATED" } },
      });
    }
  });

  it("refuses a bad query string with 400 INVALID_PAYLOAD", async () => {
    server = await new TestServer().start();
    const token = await server.register("alice");
    for (const query of [
      "",
      "q=",
      "q=ok&limit=51",
      "q=ok&cursor=!!",
      "q=ok&other=1",
      `q=${"x".repeat(501)}`,
    ]) {
      expect(await get(`/api/v1/search?${query}`, token), query).toMatchObject({
        status: 400,
        body: { error: { c: 1002, name: "INVALID_PAYLOAD" } },
      });
    }
  });

  it("shares the search bucket with the op: 429 with Retry-After past it", async () => {
    server = await new TestServer({ PARLEY_RATE_LIMITS: "search=2/0.01" }).start();
    const token = await server.register("alice");
    const alice = await server.connect({ token });
    await alice.search("one");
    expect((await get("/api/v1/search?q=two", token)).status).toBe(200);
    const refused = await get("/api/v1/search?q=three", token);
    expect(refused).toMatchObject({ status: 429, body: { error: { name: "RATE_LIMITED" } } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  });

  it("answers 501 SEARCH_DISABLED when search is off", async () => {
    server = await new TestServer({ PARLEY_SEARCH: "off" }).start();
    const token = await server.register("alice");
    expect(await get("/api/v1/search?q=anything", token)).toMatchObject({
      status: 501,
      body: { error: { c: 1403, name: "SEARCH_DISABLED" } },
    });
  });
});
