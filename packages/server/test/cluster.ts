import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { type ClientOptions, ParleyClient } from "@parley/client";
import WebSocket from "ws";
import { exited, spawnServer } from "./process";
import { freshPostgres } from "./services";

/** A free TCP port on 127.0.0.1 (free when asked; taken by whoever binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server child process of the test's own, on 127.0.0.1 and a free port, without
 * persistence: a restart loses every key, as the restart of a cache-only Redis would.
 */
export class RedisProcess {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port; resolves once it accepts connections. */
  async start(): Promise<void> {
    const binary = process.env.PARLEY_TEST_REDIS_SERVER ?? "redis-server";
    const child = spawn(
      binary,
      [
        "--bind",
        "127.0.0.1",
        "--port",
        String(this.port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--loglevel",
        "notice",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`redis did not start:\n${output}`));
      }, 10_000);
      const onData = (d: Buffer) => {
        output += d;
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis exited with ${code}:\n${output}`));
      });
    });
  }

  /** Kills the server (its data is gone) and waits until it exited. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill("SIGKILL");
    await exited(child);
  }

  stop(): Promise<void> {
    return this.kill();
  }
}

export interface ClusterNode {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  output: () => string;
}

/**
 * Parley nodes as child processes (as `npm start` runs them) on free ports, sharing a fresh
 * PostgreSQL schema and a Redis of the test's own.
 */
export class TestCluster {
  readonly nodes: ClusterNode[] = [];
  private readonly clients: ParleyClient[] = [];
  private dropSchema?: () => Promise<void>;

  private constructor(
    readonly redis: RedisProcess,
    readonly databaseUrl: string,
    readonly env: Record<string, string>,
  ) {}

  static async start(size: number, env: Record<string, string> = {}): Promise<TestCluster> {
    const [pg, redis] = await Promise.all([freshPostgres(), RedisProcess.start()]);
    const cluster = new TestCluster(redis, pg.url, env);
    cluster.dropSchema = pg.drop;
    try {
      // One node first: it migrates the empty schema; the others then start side by side.
      await cluster.addNode();
      await Promise.all(Array.from({ length: size - 1 }, () => cluster.addNode()));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  async addNode(): Promise<ClusterNode> {
    const { child, url, output } = await spawnServer({
      PARLEY_DATABASE_URL: this.databaseUrl,
      PARLEY_REDIS_URL: this.redis.url,
      ...this.env,
    });
    const node = { child, url, wsUrl: `${url.replace(/^http/, "ws")}/ws`, output };
    this.nodes.push(node);
    return node;
  }

  /** Registers an account over HTTP on the first node; resolves to its token. */
  async register(name: string): Promise<string> {
    const res = await fetch(`${this.nodes[0]!.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: name, password: "correct horse battery" }),
    });
    if (res.status !== 201) throw new Error(`register ${name}: ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** A client connected to `node` as the user of `token`, closed with the cluster. */
  async connect(node: ClusterNode, token: string): Promise<ParleyClient> {
    const client = new ParleyClient({
      url: node.wsUrl,
      token,
      WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
      backoffMinMs: 20,
      backoffMaxMs: 300,
    });
    this.clients.push(client);
    await client.connect();
    return client;
  }

  /** Kills a node as a crash would: no goodbye to its sockets, Redis or PostgreSQL. */
  async kill(node: ClusterNode): Promise<void> {
    node.child.kill("SIGKILL");
    await exited(node.child);
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await Promise.all(
      this.nodes.map(async (n) => {
        if (n.child.exitCode !== null || n.child.signalCode !== null) return;
        n.child.kill("SIGTERM");
        const timer = setTimeout(() => n.child.kill("SIGKILL"), 10_000);
        await exited(n.child);
        clearTimeout(timer);
      }),
    );
    await this.redis.stop();
    await this.dropSchema?.();
  }
}
