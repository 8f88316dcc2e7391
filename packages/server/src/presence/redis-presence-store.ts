import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { PresenceChange, PresenceStore } from "./presence-store";

export interface RedisPresenceOptions {
  /** `redis://[user:pass@]host:port[/db]`. */
  url: string;
  /** Key prefix, so several deployments (or tests) can share one Redis. Default `parley:`. */
  prefix?: string;
  /**
   * How long a node's entries live without renewal (ms). Default 20000: a crashed node's users
   * go offline between `leaseMs` and `leaseMs + heartbeatMs` after its last renewal.
   */
  leaseMs?: number;
  /** How often this node renews its lease and looks for expired ones (ms). Default leaseMs / 4. */
  heartbeatMs?: number;
  /** Called when a heartbeat fails (Redis unreachable); the next one tries again. */
  onError?: (err: Error) => void;
}

// Keys (P = prefix):
//   P nodes          sorted set: node id → lease deadline (Redis TIME, ms)
//   P pc:<user>      hash: "<node>|<connection>" → 1, one field per live connection of the user
//   P nc:<node>      set: "<user>|<connection>", the node's entries, so a reaper can find them
// A user is online while its hash exists. Every change is one Lua script, so it is atomic
// across nodes: the 0 → 1 and 1 → 0 transitions are each seen by exactly one caller.

const CONNECT = `
local added = redis.call('HSET', KEYS[1], ARGV[1], '1')
redis.call('SADD', KEYS[2], ARGV[2])
if added == 1 and redis.call('HLEN', KEYS[1]) == 1 then return 1 end
return 0`;

const DISCONNECT = `
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
if removed == 1 and redis.call('HLEN', KEYS[1]) == 0 then return 1 end
return 0`;

// Renews this node's lease (ARGV[1] node, ARGV[2] lease ms, ARGV[3] prefix) and reaps every
// lease that passed: removes the dead node's entries and returns the users that thereby went
// offline. Answers {renewed, offline users}: renewed = 0 when this node had no lease (first beat,
// or it was itself reaped, or Redis lost its data), so it must register its connections again.
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prefix = ARGV[3]
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
local offline = {}
for _, node in ipairs(dead) do
  if node ~= ARGV[1] then
    redis.call('ZREM', KEYS[1], node)
    local setKey = prefix .. 'nc:' .. node
    for _, entry in ipairs(redis.call('SMEMBERS', setKey)) do
      local sep = string.find(entry, '|', 1, true)
      local user = string.sub(entry, 1, sep - 1)
      local hkey = prefix .. 'pc:' .. user
      if redis.call('HDEL', hkey, node .. '|' .. string.sub(entry, sep + 1)) == 1
        and redis.call('HLEN', hkey) == 0 then
        table.insert(offline, user)
      end
    end
    redis.call('DEL', setKey)
  end
end
local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return {1 - added, offline}`;

type PresenceRedis = Redis & {
  parleyConnect(userKey: string, nodeKey: string, field: string, entry: string): Promise<number>;
  parleyDisconnect(userKey: string, nodeKey: string, field: string, entry: string): Promise<number>;
  parleyHeartbeat(
    nodesKey: string,
    node: string,
    leaseMs: number,
    prefix: string,
  ): Promise<[number, string[]]>;
};

/**
 * The cluster {@link PresenceStore} on Redis, with leases. Each node has an id and a lease in
 * Redis, renewed by its heartbeat; its connections are entries under that id. The heartbeat also
 * reaps: a node whose lease passed (it crashed, or lost Redis for longer than the lease) has its
 * entries removed by whichever node's heartbeat sees it first, inside one script, and the users
 * who thereby went offline are reported to that node's {@link onChange} listeners, which
 * announce them. So each crash-caused offline is announced once, by one node.
 *
 * A node that finds it has no lease (Redis restarted empty, or it was reaped while paused)
 * registers its live connections again and reports the users who came back online.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly nodeId = randomUUID();
  private readonly redis: PresenceRedis;
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  /** This node's live connections: connection id → user id. */
  private readonly local = new Map<string, number>();
  private readonly listeners: ((changes: PresenceChange[]) => void)[] = [];
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private closed = false;

  private constructor(private readonly options: RedisPresenceOptions) {
    this.prefix = options.prefix ?? "parley:";
    this.leaseMs = options.leaseMs ?? 20_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(this.leaseMs / 4));
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      autoResendUnfulfilledCommands: true,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2000),
    }) as PresenceRedis;
    this.redis.on("error", (err: Error) => options.onError?.(err));
    this.redis.defineCommand("parleyConnect", { numberOfKeys: 2, lua: CONNECT });
    this.redis.defineCommand("parleyDisconnect", { numberOfKeys: 2, lua: DISCONNECT });
    this.redis.defineCommand("parleyHeartbeat", { numberOfKeys: 1, lua: HEARTBEAT });
  }

  /** Connects, takes this node's first lease, and starts the heartbeat. */
  static async connect(options: RedisPresenceOptions): Promise<RedisPresenceStore> {
    const store = new RedisPresenceStore(options);
    try {
      await store.redis.connect();
      await store.heartbeat();
    } catch (err) {
      store.closed = true;
      store.redis.disconnect();
      throw err;
    }
    store.schedule();
    return store;
  }

  async connect(userId: number, connectionId: string): Promise<boolean> {
    this.local.set(connectionId, userId);
    return (await this.redis.parleyConnect(...this.keys(userId, connectionId))) === 1;
  }

  async disconnect(userId: number, connectionId: string): Promise<boolean> {
    if (this.local.get(connectionId) === userId) this.local.delete(connectionId);
    return (await this.redis.parleyDisconnect(...this.keys(userId, connectionId))) === 1;
  }

  async online(userIds: readonly number[]): Promise<Set<number>> {
    if (userIds.length === 0) return new Set();
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.exists(`${this.prefix}pc:${id}`);
    const results = (await pipeline.exec()) ?? [];
    return new Set(userIds.filter((_, i) => results[i]?.[1] === 1));
  }

  onChange(listener: (changes: PresenceChange[]) => void): void {
    this.listeners.push(listener);
  }

  /** Renews the lease and reaps expired ones now (tests; the timer does it in production). */
  beat(): Promise<void> {
    return this.heartbeat();
  }

  /** Stops renewing without removing anything, as a crash would (tests). */
  abandonForTest(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.redis.disconnect();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (this.redis.status !== "ready") {
      // Redis is away: leave the entries to expire with the lease rather than wait for it.
      this.redis.disconnect();
      this.local.clear();
      return;
    }
    await this.beating;
    try {
      // Connections were closed before the store; drop what is left and the lease.
      for (const [connectionId, userId] of this.local)
        await this.redis.parleyDisconnect(...this.keys(userId, connectionId));
      await this.redis
        .multi()
        .zrem(`${this.prefix}nodes`, this.nodeId)
        .del(`${this.prefix}nc:${this.nodeId}`)
        .exec();
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
    this.local.clear();
  }

  private keys(userId: number, connectionId: string): [string, string, string, string] {
    return [
      `${this.prefix}pc:${userId}`,
      `${this.prefix}nc:${this.nodeId}`,
      `${this.nodeId}|${connectionId}`,
      `${userId}|${connectionId}`,
    ];
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.beating = this.heartbeat()
        .catch((err: Error) => this.options.onError?.(err))
        .finally(() => this.schedule());
    }, this.heartbeatMs);
    this.timer.unref();
  }

  private async heartbeat(): Promise<void> {
    const [renewed, offline] = await this.redis.parleyHeartbeat(
      `${this.prefix}nodes`,
      this.nodeId,
      this.leaseMs,
      this.prefix,
    );
    const changes: PresenceChange[] = offline.map((u) => ({ userId: Number(u), online: false }));
    if (renewed === 0 && this.local.size > 0) {
      // Our entries are gone (reaped, or Redis restarted empty): register them again.
      const entries = [...this.local];
      const results = await Promise.all(
        entries.map(([connectionId, userId]) =>
          this.redis.parleyConnect(...this.keys(userId, connectionId)),
        ),
      );
      entries.forEach(([, userId], i) => {
        if (results[i] === 1) changes.push({ userId, online: true });
      });
    }
    if (changes.length > 0) for (const listener of this.listeners) listener(changes);
  }
}
