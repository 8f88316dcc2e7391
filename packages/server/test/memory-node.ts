import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClientOptions, ParleyClient } from "@parley/client";
import { type Encoding, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK } from "@parley/protocol";
import { pino } from "pino";
import { Gateway } from "../src/gateway/gateway";
import { type MemoryClientSocket, memorySocketPair } from "../src/gateway/memory-socket";
import { buildNode, type Node, openEngines, type Tuning } from "../src/main";
import { grantAdmin, testConfig } from "./harness";
import { RawClient } from "./raw-client";

/**
 * A Parley node without HTTP: the real services on a real SQLite file, the real router and
 * gateway, reached through in-memory socket pairs instead of ports. For fast tests of the
 * router, guards and handlers; what needs the network (upgrade, origin, TCP) keeps TestServer.
 */
export class MemoryNode {
  readonly dir = mkdtempSync(join(tmpdir(), "parley-memory-"));
  node!: Node;
  private readonly clients: ParleyClient[] = [];
  private readonly raws: RawClient[] = [];

  private constructor(
    private readonly env: Record<string, string>,
    private readonly tuning: Tuning,
  ) {}

  static async start(env: Record<string, string> = {}, tuning: Tuning = {}): Promise<MemoryNode> {
    const m = new MemoryNode(env, tuning);
    const config = testConfig(m.dir, m.env);
    const logger = pino({ level: process.env.PARLEY_TEST_LOG ?? "silent" });
    m.node = await buildNode(config, await openEngines(config, logger), logger, m.tuning);
    m.node.start();
    return m;
  }

  /** Opens an in-memory socket to this node's gateway, offering `protocols`. */
  socket(protocols: string[], options: { autoPong?: boolean } = {}): MemoryClientSocket {
    const protocol = Gateway.selectProtocol(new Set(protocols)) || "";
    const { client, server } = memorySocketPair(protocol, options);
    this.node.gateway.accept(server, "127.0.0.1");
    return client;
  }

  /** A WebSocket constructor for `@parley/client` whose sockets reach this node in memory. */
  get WebSocket(): ClientOptions["WebSocket"] {
    const node = this;
    return class {
      constructor(_url: string, protocols: string[]) {
        // biome-ignore lint/correctness/noConstructorReturn: the socket is the pair's client side
        return node.socket(protocols);
      }
    } as unknown as ClientOptions["WebSocket"];
  }

  /** A connected client: a new guest, or the user of `options.token`. */
  async connect(options: Partial<ClientOptions> = {}): Promise<ParleyClient> {
    const client = new ParleyClient({
      url: "memory://parley",
      WebSocket: this.WebSocket,
      backoffMinMs: 5,
      backoffMaxMs: 50,
      ...options,
    });
    this.clients.push(client);
    await client.connect();
    return client;
  }

  /** Registers an account through the auth service (no HTTP here); resolves to its token. */
  async register(username: string, password = "correct horse battery"): Promise<string> {
    return (await this.node.services.auth.register(username, password)).token;
  }

  /** Registers an account and makes it a server admin; resolves to its token. */
  async registerAdmin(username: string): Promise<string> {
    const token = await this.register(username);
    await grantAdmin(testConfig(this.dir, this.env), username);
    return token;
  }

  /** A raw client speaking frames by hand. */
  async raw(encoding: Encoding = "json", protocols?: string[]): Promise<RawClient> {
    const socket = this.socket(
      protocols ?? [encoding === "json" ? SUBPROTOCOL_JSON : SUBPROTOCOL_MSGPACK],
    );
    const raw = await RawClient.over(socket, encoding);
    this.raws.push(raw);
    return raw;
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    for (const raw of this.raws) raw.close();
    await this.node.drain();
    await this.node.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
