import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClientOptions, ParleyClient } from "@parley/client";
import { EventType } from "@parley/protocol";
import BetterSqlite3 from "better-sqlite3";
import { pino } from "pino";
import { expect } from "vitest";
import WebSocket from "ws";
import { type Config, loadConfig } from "../src/config";
import { createParley, openStorage, type Parley, type Tuning } from "../src/main";
import { runAdminCommand } from "../src/ops/admin";
import { DEFAULT_RATE_RULES } from "../src/rate-limit/rate-limiter";

/**
 * The configuration of a test node with its SQLite file in `dir`: a free port, quiet logs, no
 * default channels, rate limits out of the way (their own tests set them), then `env`.
 */
export function testConfig(dir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    PARLEY_PORT: "0",
    PARLEY_LOG_LEVEL: "silent",
    PARLEY_DATABASE_URL: `sqlite:${join(dir, "parley.db")}`,
    // Tests send in bursts from one address; rate-limits.test.ts tests the limits themselves.
    PARLEY_RATE_LIMITS: Object.keys(DEFAULT_RATE_RULES)
      .map((name) => `${name}=100000/100000`)
      .join(","),
    // Likewise for the error replies a connection may get; rate-limits.test.ts tests the limit.
    PARLEY_MAX_REFUSALS: "1000000",
    // Tests make their own channels; users-and-channels.test.ts tests the default ones.
    PARLEY_DEFAULT_CHANNELS: "",
    // Tests never reach the internet; link-previews.test.ts turns previews on for a local page.
    PARLEY_LINK_PREVIEWS: "off",
    ...env,
  });
}

/**
 * Makes an account of the database `config` names a server admin, as `npm run admin -- grant`
 * does: through a connection of its own, beside the running node. Applies from the account's
 * next hello.
 */
export async function grantAdmin(config: Config, name: string): Promise<void> {
  const storage = await openStorage(config, pino({ level: "silent" }));
  try {
    await runAdminCommand(storage, ["grant", name], {
      out: () => {},
      hash: () => Promise.reject(new Error("grant sets no password")),
    });
  } finally {
    await storage.close();
  }
}

/** A real Parley node on a free port with its own SQLite file, restartable on the same file. */
export class TestServer {
  parley!: Parley;
  readonly dir = mkdtempSync(join(tmpdir(), "parley-test-"));
  readonly clients: ParleyClient[] = [];

  constructor(
    private readonly env: Record<string, string> = {},
    private readonly tuning: Tuning = {},
  ) {}

  get config(): Config {
    return testConfig(this.dir, this.env);
  }

  async start(): Promise<this> {
    this.parley = await createParley(this.config, undefined, this.tuning);
    return this;
  }

  /** Stops the server and starts it again on the same port and database. */
  async restart(): Promise<void> {
    const port = new URL(this.parley.url).port;
    await this.parley.close();
    this.parley = await createParley(
      { ...this.config, port: Number(port) },
      undefined,
      this.tuning,
    );
  }

  get url(): string {
    return this.parley.url;
  }

  get wsUrl(): string {
    return `${this.parley.url.replace(/^http/, "ws")}/ws`;
  }

  /** A client (not yet connected) that is closed with the server. */
  client(options: Partial<ClientOptions> = {}): ParleyClient {
    const client = new ParleyClient({
      url: this.wsUrl,
      WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
      backoffMinMs: 20,
      backoffMaxMs: 200,
      ...options,
    });
    this.clients.push(client);
    return client;
  }

  /** A connected client: a new guest, or the user of `token`. */
  async connect(options: Partial<ClientOptions> = {}): Promise<ParleyClient> {
    const client = this.client(options);
    await client.connect();
    return client;
  }

  /** Registers an account over HTTP; resolves to its token. */
  async register(username: string, password = "correct horse battery"): Promise<string> {
    const res = await fetch(`${this.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 201)
      throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** Registers an account and makes it a server admin; resolves to its token. */
  async registerAdmin(username: string): Promise<string> {
    const token = await this.register(username);
    await grantAdmin(this.config, username);
    return token;
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    await this.parley?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Collects a client's channel events, in arrival order. */
export function collect(client: ParleyClient, channelId: number) {
  const events: import("@parley/protocol").ChannelEvent[] = [];
  client.on("events", (c, e) => {
    if (c === channelId) events.push(...e);
  });
  return events;
}

/** The MessagePosted event of message `id` among `events`. */
export function posted(
  events: readonly import("@parley/protocol").ChannelEvent[],
  id: number,
): import("@parley/protocol").MessageEvent | undefined {
  return events.find(
    (e): e is import("@parley/protocol").MessageEvent =>
      e.t === EventType.MessagePosted && e.i === id,
  );
}

/** The MessagePosted event of message `id` in the latest history page (100 events). */
export async function inHistory(client: ParleyClient, channelId: number, id: number) {
  return posted((await client.history(channelId, { limit: 100 })).e, id);
}

/**
 * Waits until `predicate` holds (a synchronous one polled each turn of the event loop, an
 * asynchronous one after each answer), or fails after `timeoutMs`.
 */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until the server has `n` open WebSocket connections (closes are processed). */
export async function untilConnections(
  server: TestServer,
  n: number,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${server.url}/healthz`);
    const { connections } = (await res.json()) as { connections: number };
    if (connections === n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} connections, have ${connections}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A sample's value from the server's /metrics, or undefined when it has none. */
export async function metric(server: TestServer, sample: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/** How many sockets the server has closed with `code`. */
export async function serverCloses(server: TestServer, code: number): Promise<number> {
  return (await metric(server, `parley_server_closes_total{code="${code}"}`)) ?? 0;
}

/** POSTs a JSON body (with a Bearer token when given); resolves to the status and parsed body. */
export async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Fails unless neither the SQLite database file of `dir` nor its write-ahead log holds `text`,
 * after a checkpoint (so that what the log held is in the file or gone).
 */
export function expectNotInDatabaseFile(dir: string, text: string): void {
  const db = new BetterSqlite3(join(dir, "parley.db"));
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  for (const suffix of ["", "-wal"]) {
    const path = join(dir, `parley.db${suffix}`);
    if (existsSync(path)) expect(readFileSync(path).includes(text), path).toBe(false);
  }
}
