import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resolver } from "../http/address-policy";
import { FetchRefusedError, type SafeFetchOptions, safeFetch } from "./safe-fetch";

let server: Server;
let origin: string;
let host: string;
const slow = new Set<import("node:http").ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path === "/page") {
      res.setHeader("Content-Type", "text/html");
      res.setHeader("X-Cookie-Seen", req.headers.cookie ?? "none");
      res.setHeader("X-UA", req.headers["user-agent"] ?? "");
      res.setHeader("Set-Cookie", "a=b");
      res.end("<head><title>Hi</title></head>");
    } else if (path.startsWith("/redirect?to=")) {
      res.statusCode = 302;
      res.setHeader("Location", decodeURIComponent(path.slice("/redirect?to=".length)));
      res.end();
    } else if (path === "/loop") {
      res.statusCode = 301;
      res.setHeader("Location", "/loop");
      res.end();
    } else if (path === "/big") {
      res.setHeader("Content-Type", "text/html");
      res.end("x".repeat(10_000));
    } else if (path === "/big-chunked") {
      res.setHeader("Content-Type", "text/html");
      for (let i = 0; i < 10; i++) res.write("y".repeat(1000));
      res.end();
    } else if (path === "/slow") {
      slow.add(res);
      res.write("<head>");
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  origin = `http://${host}`;
});

afterAll(async () => {
  for (const res of slow) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function options(extra: Partial<SafeFetchOptions> = {}): SafeFetchOptions {
  return {
    maxBytes: 4096,
    accept: "text/html",
    userAgent: "Parley-LinkPreview/1 (test)",
    localOrigins: [host],
    timeoutMs: 2000,
    ...extra,
  };
}

async function refusal(url: string, extra: Partial<SafeFetchOptions> = {}): Promise<string> {
  try {
    await safeFetch(url, options(extra));
  } catch (err) {
    if (err instanceof FetchRefusedError) return err.code;
    throw err;
  }
  throw new Error(`fetched ${url}`);
}

/** A resolver that answers every name with `address` (a stand-in for hostile DNS). */
const resolvesTo =
  (address: string): Resolver =>
  (_name, _opts, cb) =>
    cb(null, [{ address, family: address.includes(":") ? 6 : 4 }]);

describe("safeFetch", () => {
  it("fetches an allowed local page with Parley's User-Agent and no cookies", async () => {
    const got = await safeFetch(`${origin}/page`, options());
    expect(got.body.toString()).toContain("<title>Hi</title>");
    expect(got.contentType).toBe("text/html");
    const again = await safeFetch(`${origin}/page`, options());
    expect(again.body.toString()).toContain("Hi");
  });

  it("refuses loopback outside the explicit local origins", async () => {
    const port = (server.address() as AddressInfo).port;
    expect(await refusal(`http://127.0.0.1:${port}/page`, { localOrigins: [] })).toBe(
      "REFUSED_ADDRESS",
    );
    expect(await refusal(`http://127.0.0.2:${port}/page`)).toBe("REFUSED_ADDRESS");
    expect(await refusal(`http://[::1]:${port}/page`)).toBe("REFUSED_ADDRESS");
  });

  it("refuses 10/8, the metadata address and IPv4-mapped loopback", async () => {
    expect(await refusal("http://10.1.2.3/")).toBe("REFUSED_ADDRESS");
    expect(await refusal("http://169.254.169.254/latest/meta-data/")).toBe("REFUSED_ADDRESS");
    expect(await refusal("http://[::ffff:127.0.0.1]/")).toBe("REFUSED_ADDRESS");
    expect(await refusal("http://[::ffff:a00:1]/")).toBe("REFUSED_ADDRESS");
  });

  it("refuses a redirect to a refused address", async () => {
    for (const to of ["http://169.254.169.254/", "http://10.0.0.1/", "http://127.0.0.1:1/"]) {
      expect(await refusal(`${origin}/redirect?to=${encodeURIComponent(to)}`)).toBe(
        "REFUSED_ADDRESS",
      );
    }
  });

  it("refuses a redirect to another scheme", async () => {
    expect(await refusal(`${origin}/redirect?to=${encodeURIComponent("file:///etc/passwd")}`)).toBe(
      "SCHEME",
    );
  });

  it("refuses a host name that resolves to a refused address, at connect time", async () => {
    for (const address of ["127.0.0.1", "10.0.0.5", "169.254.169.254", "::ffff:127.0.0.1"]) {
      expect(await refusal("http://innocent.example/", { resolve: resolvesTo(address) })).toBe(
        "REFUSED_ADDRESS",
      );
    }
  });

  it("stops after the redirect limit", async () => {
    expect(await refusal(`${origin}/loop`)).toBe("TOO_MANY_REDIRECTS");
  });

  it("refuses a body over the size limit, declared or streamed", async () => {
    expect(await refusal(`${origin}/big`)).toBe("TOO_BIG");
    expect(await refusal(`${origin}/big-chunked`)).toBe("TOO_BIG");
  });

  it("keeps the first bytes when asked to truncate", async () => {
    const got = await safeFetch(`${origin}/big`, options({ truncate: true }));
    expect(got.body.length).toBe(4096);
  });

  it("gives up on a slow server", async () => {
    const started = Date.now();
    expect(await refusal(`${origin}/slow`, { timeoutMs: 300 })).toBe("TIMEOUT");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses non-http schemes, credentials and blocked domains", async () => {
    expect(await refusal("ftp://example.org/")).toBe("SCHEME");
    expect(await refusal("javascript:alert(1)")).toBe("SCHEME");
    expect(await refusal("http://user:pw@example.org/")).toBe("CREDENTIALS");
    expect(await refusal("http://a.bad.example/", { block: ["bad.example"] })).toBe(
      "BLOCKED_DOMAIN",
    );
    expect(await refusal("http://other.example/", { allow: ["good.example"] })).toBe(
      "BLOCKED_DOMAIN",
    );
  });

  it("reports an HTTP error status", async () => {
    expect(await refusal(`${origin}/missing`)).toBe("HTTP_STATUS");
  });
});
