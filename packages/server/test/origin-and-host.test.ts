import { request } from "node:http";
import { Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "./harness";
import { RawClient } from "./raw-client";

/** A GET with the given headers (Host included, which fetch will not send as asked). */
function get(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const upgrade = (server: TestServer, headers: Record<string, string>) =>
  RawClient.open(server.wsUrl, "json", undefined, headers).then((c) => {
    c.close();
    return "open";
  });

describe("the same-origin check of upgrades", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("compares scheme, host and port, not the host alone", async () => {
    server = await new TestServer().start();
    const { host, port } = new URL(server.url);
    expect(await upgrade(server, { origin: server.url })).toBe("open");
    await expect(upgrade(server, { origin: `https://${host}` })).rejects.toThrow(/403/);
    await expect(upgrade(server, { origin: `ws://${host}` })).rejects.toThrow(/403/);
    await expect(
      upgrade(server, { origin: `http://127.0.0.1:${Number(port) + 1}` }),
    ).rejects.toThrow(/403/);
    await expect(upgrade(server, { origin: "null" })).rejects.toThrow(/403/);
  });

  it("takes the scheme from X-Forwarded-Proto only behind a trusted proxy", async () => {
    server = await new TestServer({ PARLEY_TRUST_PROXY: "true" }).start();
    const { host } = new URL(server.url);
    expect(await upgrade(server, { origin: `https://${host}`, "x-forwarded-proto": "https" })).toBe(
      "open",
    );
    await expect(
      upgrade(server, { origin: `http://${host}`, "x-forwarded-proto": "https" }),
    ).rejects.toThrow(/403/);
    await server.stop();
    server = await new TestServer().start();
    await expect(
      upgrade(server, {
        origin: `https://${new URL(server.url).host}`,
        "x-forwarded-proto": "https",
      }),
    ).rejects.toThrow(/403/);
  });
});

describe("PARLEY_ALLOWED_HOSTS", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("refuses a DNS-rebinding Host/Origin pair on HTTP and on upgrade with 421 HOST_NOT_ALLOWED", async () => {
    server = await new TestServer({ PARLEY_ALLOWED_HOSTS: "127.0.0.1, chat.example" }).start();
    const port = new URL(server.url).port;
    const rebound = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };
    const refused = await get(`${server.url}/api/v1/me`, rebound);
    expect(refused.status).toBe(421);
    expect(JSON.parse(refused.body)).toMatchObject({
      error: { c: 1105, name: "HOST_NOT_ALLOWED" },
    });
    expect((await get(`${server.url}/metrics`, rebound)).status).toBe(421);
    await expect(upgrade(server, rebound)).rejects.toThrow(/421/);

    expect(await upgrade(server, { origin: server.url })).toBe("open");
    const named = { host: "Chat.Example", origin: "http://chat.example" };
    expect(await upgrade(server, named)).toBe("open");
    expect((await get(`${server.url}/api/v1/me`, { host: "chat.example" })).status).toBe(401);
    // Load balancers probe by address.
    expect((await get(`${server.url}/healthz`, rebound)).status).toBe(200);
  });

  it("accepts that same pair when no list is set (the default), which is what the list is for", async () => {
    server = await new TestServer().start();
    const port = new URL(server.url).port;
    const raw = await RawClient.open(server.wsUrl, "json", undefined, {
      host: `evil.example:${port}`,
      origin: `http://evil.example:${port}`,
    });
    expect((await raw.request(Op.Hello, {})).o).not.toBe(Op.Error);
    raw.close();
  });
});
