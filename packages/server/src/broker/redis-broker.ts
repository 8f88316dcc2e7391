import { Redis } from "ioredis";
import { Packr } from "msgpackr";
import {
  type BrokerHandler,
  type BrokerMessage,
  type MessageBroker,
  type Subscription,
  type Topic,
  topicKey,
} from "./message-broker";

export interface RedisBrokerOptions {
  /** `redis://[user:pass@]host:port[/db]`. */
  url: string;
  /**
   * Prefix of the Redis channel names, so several deployments (or tests) can share one Redis.
   * Default `parley:`.
   */
  prefix?: string;
  /** Called when a connection reports an error (it reconnects by itself). */
  onError?: (err: Error) => void;
}

/**
 * The cluster {@link MessageBroker} over Redis pub/sub: every node publishes to and subscribes
 * on the same Redis, one Redis channel per topic (`parley:c:42`, `parley:u:7`), messages in
 * MessagePack.
 *
 * Two connections: a subscriber connection is in subscribe mode and can send nothing else. Redis
 * delivers one connection's publishes to a subscriber in order, which gives the contract's
 * per-node order. Delivery is at most once: publishes made while Redis is unreachable wait in the
 * publisher's offline queue and go out after it reconnects, but a subscriber that was
 * disconnected misses what was published meanwhile. So when the subscriber connection is back
 * and its subscriptions are acknowledged again, the broker calls its `onReconnect` listeners:
 * the hub then reads what it missed from storage. Commands are never resent after a break
 * (a PUBLISH whose reply was lost may have been executed), which keeps delivery at most once.
 */
export class RedisBroker implements MessageBroker {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly handlers = new Map<string, BrokerHandler>();
  private readonly reconnectListeners: (() => void)[] = [];
  private readonly packr = new Packr({ useRecords: false });
  private lostLink = false;
  private closed = false;

  private constructor(private readonly options: RedisBrokerOptions) {
    this.prefix = options.prefix ?? "parley:";
    const common = {
      lazyConnect: true,
      autoResendUnfulfilledCommands: false,
      // Reconnect quickly at first, then every 2 s at most, for as long as it takes.
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2000),
    };
    // A publish waits (in order) while Redis is away instead of failing after a few retries.
    this.pub = new Redis(options.url, { ...common, maxRetriesPerRequest: null });
    this.sub = new Redis(options.url, { ...common, autoResubscribe: true });
    const onError = (err: Error) => options.onError?.(err);
    this.pub.on("error", onError);
    this.sub.on("error", onError);
    this.sub.on("messageBuffer", (channel: Buffer, payload: Buffer) =>
      this.deliver(channel.toString("utf8"), payload),
    );
    this.sub.on("close", () => {
      if (!this.closed) this.lostLink = true;
    });
    this.sub.on("ready", () => void this.resumed());
  }

  /** Connects both connections; rejects when Redis cannot be reached. */
  static async connect(options: RedisBrokerOptions): Promise<RedisBroker> {
    const broker = new RedisBroker(options);
    try {
      await Promise.all([broker.pub.connect(), broker.sub.connect()]);
    } catch (err) {
      broker.closed = true;
      broker.pub.disconnect();
      broker.sub.disconnect();
      throw err;
    }
    return broker;
  }

  publish(topic: Topic, message: BrokerMessage): void {
    if (this.closed) return;
    this.pub
      .publish(this.prefix + topicKey(topic), this.packr.pack(message))
      .catch((err: Error) => this.options.onError?.(err));
  }

  async subscribe(subscriptions: readonly Subscription[]): Promise<void> {
    if (subscriptions.length === 0) return;
    const names = subscriptions.map(({ topic, handler }) => {
      const name = this.prefix + topicKey(topic);
      this.handlers.set(name, handler);
      return name;
    });
    // One SUBSCRIBE for them all (a welcome's 500 channels are one command, not 500); resolves
    // when Redis acknowledged every one: later publishes reach us.
    await this.sub.subscribe(...names);
  }

  async unsubscribe(topic: Topic): Promise<void> {
    const name = this.prefix + topicKey(topic);
    this.handlers.delete(name);
    if (this.closed) return;
    await this.sub.unsubscribe(name);
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  /**
   * Has Redis drop the subscriber connection, as a failed link would (tests); it reconnects by
   * itself and the `onReconnect` listeners run.
   */
  async breakLinkForTest(): Promise<void> {
    const { localAddress, localPort } = this.sub.stream;
    await this.pub.client("KILL", "ADDR", `${localAddress}:${localPort}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    await Promise.all([quit(this.sub), quit(this.pub)]);
  }

  private deliver(channel: string, payload: Buffer): void {
    const handler = this.handlers.get(channel);
    if (!handler) return;
    let message: BrokerMessage;
    try {
      message = this.packr.unpack(payload) as BrokerMessage;
    } catch (err) {
      this.options.onError?.(err as Error);
      return;
    }
    handler(message);
  }

  /** After a break: once the resubscriptions are acknowledged, tell the listeners. */
  private async resumed(): Promise<void> {
    if (!this.lostLink || this.closed) return;
    this.lostLink = false;
    try {
      // ioredis sent the SUBSCRIBEs before emitting ready; a PING answered after them proves
      // they are acknowledged, so events published from here on reach us.
      await this.sub.ping();
    } catch {
      // Lost again already: the next ready tries again.
      this.lostLink = true;
      return;
    }
    for (const listener of this.reconnectListeners) listener();
  }
}

async function quit(redis: Redis): Promise<void> {
  try {
    if (redis.status === "ready") await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}
