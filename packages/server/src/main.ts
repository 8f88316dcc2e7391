import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import fastifyWebsocket from "@fastify/websocket";
import { LIMITS } from "@parley/protocol";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { type Logger, pino } from "pino";
import { LocalBroker } from "./broker/local-broker";
import type { MessageBroker } from "./broker/message-broker";
import { RedisBroker } from "./broker/redis-broker";
import { ServerTopic } from "./broker/server-topic";
import { type Config, ConfigError, loadConfig } from "./config";
import { ChannelHub } from "./delivery/channel-hub";
import { UserTopic } from "./delivery/user-topic";
import { ExportService } from "./export/export-service";
import { DiskFileStore } from "./files/disk-file-store";
import type { FileStore } from "./files/file-store";
import { PostgresFileStore } from "./files/postgres-file-store";
import { Gateway } from "./gateway/gateway";
import { releaseUpgrade } from "./gateway/upgrade";
import { registerAllowedHosts } from "./http/allowed-hosts";
import { registerApiRoutes } from "./http/api-routes";
import { httpError } from "./http/error-body";
import { serveMetrics } from "./http/metrics-endpoint";
import { registerSecurityHeaders } from "./http/security-headers";
import { type LinkPreviewOptions, LinkPreviewService } from "./link-previews/link-preview-service";
import { Metrics } from "./metrics";
import { MemoryPresenceStore } from "./presence/memory-presence-store";
import type { PresenceStore } from "./presence/presence-store";
import { RedisPresenceStore } from "./presence/redis-presence-store";
import { resolveVapidKeys } from "./push/vapid-keys";
import { WebPushSender } from "./push/web-push-sender";
import { addressKey } from "./rate-limit/address-key";
import { MemoryRateLimiter } from "./rate-limit/memory-rate-limiter";
import type { RateLimiter } from "./rate-limit/rate-limiter";
import { RedisRateLimiter } from "./rate-limit/redis-rate-limiter";
import { Router } from "./router/router";
import { AdminService } from "./services/admin-service";
import { seedAdmins } from "./services/admins";
import { AuthService } from "./services/auth-service";
import { AutoModeration } from "./services/auto-moderation";
import { ChannelAdmin, purgeDeletedChannels } from "./services/channel-admin";
import { ChannelService } from "./services/channel-service";
import { CommandService } from "./services/command-service";
import { DirectService } from "./services/direct-service";
import { FileService } from "./services/file-service";
import { FileSweep, type FileSweepOptions } from "./services/file-sweep";
import { GuestSweep, type GuestSweepOptions } from "./services/guest-sweep";
import { InviteService } from "./services/invite-service";
import { MemberStateService } from "./services/member-state-service";
import { MessageService } from "./services/message-service";
import { ModerationService } from "./services/moderation-service";
import { type NodeStatsOptions, NodeStatsSampler } from "./services/node-stats";
import { PasswordHasher } from "./services/password-hasher";
import type { SweepOptions } from "./services/periodic-sweep";
import { PresenceService } from "./services/presence-service";
import { ProfileService } from "./services/profile-service";
import { PushService } from "./services/push-service";
import { ReportService } from "./services/report-service";
import { RetentionSweep } from "./services/retention-sweep";
import { SearchService } from "./services/search-service";
import { ServerInvites } from "./services/server-invites";
import type { Services } from "./services/services";
import { SettingsService } from "./services/settings-service";
import { type TypingOptions, TypingService } from "./services/typing-service";
import { UserLifecycle } from "./services/user-lifecycle";
import { openPostgresStorage } from "./storage/postgres/open-postgres";
import { openSqliteStorage } from "./storage/sqlite/open-sqlite";
import type { Storage } from "./storage/storage";

/** Internal timings that tests may shorten; production uses the defaults. */

/** Connections waiting to be accepted, at most (see the listen call). */
const LISTEN_BACKLOG = 4096;
export interface Tuning {
  typing?: TypingOptions;
  /** How long a removed member keeps the channel's stream for the removing event (2 s). */
  removalGraceMs?: number;
  /** The guest membership sweep's interval and clock. */
  guestSweep?: Pick<GuestSweepOptions, "intervalMs" | "now" | "onSwept">;
  retentionSweep?: Pick<SweepOptions, "intervalMs" | "now" | "onSwept">;
  /** The file sweep's interval, clock and orphan age (ms, overriding the minutes setting). */
  fileSweep?: Partial<Pick<FileSweepOptions, "intervalMs" | "now" | "onSwept" | "orphanMs">>;
  /** Link previews' limits and resolver (tests: a resolver that answers what DNS would). */
  linkPreviews?: Pick<
    LinkPreviewOptions,
    "resolve" | "timeoutMs" | "maxHtmlBytes" | "maxImageBytes"
  >;
  /** The interval of this node's samples for the admin console (10 s). */
  nodeStats?: Pick<NodeStatsOptions, "intervalMs">;
}

/** A running Parley node. */
export interface Parley {
  app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** The metrics' own listener (`PARLEY_METRICS_PORT`), e.g. http://127.0.0.1:9090/metrics. */
  metricsUrl: string | null;
  config: Config;
  /** Stops accepting, closes sockets with 1001, drains pending writes, then closes the engines. */
  close(): Promise<void>;
}

/** The configured database (SQLite file or PostgreSQL), migrated. */
export async function openStorage(config: Config, logger: Logger): Promise<Storage> {
  const url = config.databaseUrl;
  const search = { search: config.search, log: logger.info.bind(logger) };
  if (url.startsWith("sqlite:")) return openSqliteStorage(url.slice("sqlite:".length), search);
  return openPostgresStorage(url, { poolSize: config.databasePoolSize, ...search });
}

/**
 * The file store the configuration names: PostgreSQL's table (its own small pool), or a
 * directory (for `sqlite::memory:` without PARLEY_FILES_DIR, a temporary one removed on close).
 */
function openFileStore(config: Config): FileStore {
  if (config.fileStore === "postgres") return PostgresFileStore.open(config.databaseUrl);
  const database = config.databaseUrl.slice("sqlite:".length);
  if (config.filesDir !== null) return new DiskFileStore(config.filesDir);
  if (database !== ":memory:") return new DiskFileStore(join(dirname(database), "files"));
  const dir = mkdtempSync(join(tmpdir(), "parley-files-"));
  const store = new DiskFileStore(dir);
  return Object.assign(store, {
    close: async () => rmSync(dir, { recursive: true, force: true }),
  });
}

export interface Engines {
  storage: Storage;
  files: FileStore;
  broker: MessageBroker;
  presenceStore: PresenceStore;
  limiter: RateLimiter;
}

/**
 * The engines: in-process ones for a single node, or, with PARLEY_REDIS_URL, the Redis broker,
 * presence and rate limiter of a cluster (whose nodes share PostgreSQL; the configuration
 * refuses Redis with SQLite). What was opened is closed again when a later engine fails.
 */
export async function openEngines(config: Config, logger: Logger): Promise<Engines> {
  const opened: { close(): Promise<void> }[] = [];
  const open = async <T extends { close(): Promise<void> }>(engine: Promise<T>): Promise<T> => {
    const e = await engine;
    opened.push(e);
    return e;
  };
  try {
    const storage = await open(openStorage(config, logger));
    // After the storage, whose migrations make the PostgreSQL store's table.
    const files = await open(Promise.resolve(openFileStore(config)));
    const redisUrl = config.redisUrl;
    if (!redisUrl) {
      return {
        storage,
        files,
        broker: new LocalBroker(),
        presenceStore: new MemoryPresenceStore(),
        limiter: new MemoryRateLimiter(),
      };
    }
    const redis = (engine: string) => ({
      url: redisUrl,
      prefix: config.redisPrefix,
      onError: (err: Error) => logger.warn({ err: err.message, engine }, "redis"),
    });
    const broker = await open(RedisBroker.connect(redis("broker")));
    const presenceStore = await open(
      RedisPresenceStore.connect({ ...redis("presence"), leaseMs: config.presenceLeaseMs }),
    );
    const limiter = await open(RedisRateLimiter.connect(redis("rate-limit")));
    return { storage, files, broker, presenceStore, limiter };
  } catch (err) {
    for (const e of opened.reverse()) await e.close().catch(() => {});
    throw err;
  }
}

/** A node without its HTTP server: the services, the delivery, the router and the gateway. */
export interface Node {
  services: Services;
  hub: ChannelHub;
  users: UserTopic;
  router: Router;
  gateway: Gateway;
  metrics: Metrics;
  /** Starts the timers (moderation expiry, guest sweep); run once the node listens. */
  start(): void;
  /** Closes every socket (1001) and waits for pending writes, so nothing acked is lost. */
  drain(): Promise<void>;
  /** Closes the rest, in the reverse order of creation, the engines last. */
  close(): Promise<void>;
}

/**
 * Builds a node on opened engines, each part on the ones below it, in one pass: services on
 * the engines, the delivery (hub, user topics) on the broker, the router on both, the gateway
 * on the router.
 */
export async function buildNode(
  config: Config,
  engines: Engines,
  logger: Logger,
  tuning: Tuning = {},
): Promise<Node> {
  const { storage, broker, presenceStore, limiter } = engines;
  const metrics = new Metrics();
  await seedAdmins(storage, config.admins, logger);

  const presence = new PresenceService(
    presenceStore,
    broker,
    async (userId) => {
      const [user, channels] = await Promise.all([
        storage.getUser(userId),
        storage.userChannels(userId),
      ]);
      return user && { user, channelIds: channels.map((c) => c.id) };
    },
    (err) => logger.warn({ err }, "presence announcement failed"),
  );
  const channels = new ChannelService(storage, broker, presenceStore, config);
  // The settings admins change live, over the configuration's values; read before serving.
  const serverTopic = new ServerTopic(broker);
  const settings = new SettingsService(
    storage,
    serverTopic,
    {
      registration: "open",
      guests: true,
      linkPreviews: config.linkPreviews,
      editWindowSeconds: config.editWindowSeconds,
      uploadMaxBytes: config.uploadMaxBytes,
      defaultChannels: config.defaultChannels,
      retentionDays: config.retentionDays,
      blockedWords: [],
      heldWords: [],
      linkMinAccountHours: 0,
      maxMentions: 0,
    },
    (next, before) => {
      if (JSON.stringify(next.defaultChannels) !== JSON.stringify(before.defaultChannels))
        void channels
          .createDefaults(next.defaultChannels)
          .catch((err) => logger.warn({ err }, "default channels failed"));
    },
  );
  await settings.start();
  await channels.createDefaults(settings.current.defaultChannels);
  const typing = new TypingService(broker, tuning.typing);
  const pushPolicy = { allowInsecureLocal: config.pushAllowInsecureLocal };
  const vapid = config.webPush
    ? await resolveVapidKeys(
        {
          publicKey: config.vapidPublicKey,
          privateKey: config.vapidPrivateKey,
          subject: config.vapidSubject,
        },
        storage,
      )
    : null;
  const push = new PushService({
    store: storage,
    presence: presenceStore,
    sender: vapid && new WebPushSender(vapid, pushPolicy),
    publicKey: vapid?.publicKey ?? null,
    policy: pushPolicy,
    counters: {
      sent: () => metrics.pushesSent.inc(),
      failed: () => metrics.pushesFailed.inc(),
      removed: () => metrics.pushesRemoved.inc(),
      dropped: () => metrics.pushesDropped.inc(),
      decided: () => metrics.pushDecisions.inc(),
    },
    logger,
  });
  const files = await FileService.create(engines.files, storage, {
    get maxBytes() {
      return settings.current.uploadMaxBytes;
    },
    quotaBytes: config.uploadQuotaBytes,
    linkTtlMs: config.fileLinkSeconds * 1000,
    ...(tuning.fileSweep?.now ? { now: tuning.fileSweep.now } : {}),
  });
  const fileSweep = new FileSweep(storage, files, {
    orphanMs: config.uploadOrphanMinutes * 60_000,
    ...tuning.fileSweep,
    onError: (err) => logger.warn({ err }, "file sweep failed"),
  });
  const automod = new AutoModeration(() => settings.current, storage, serverTopic);
  await automod.start();
  const reports = new ReportService(storage, broker, (channelId, event) =>
    messages.storedElsewhere(channelId, event),
  );
  const messages = new MessageService(storage, channels, typing, (n) => metrics.messagesIn.inc(n), {
    get editWindowMs() {
      return settings.current.editWindowSeconds * 1000;
    },
    automod: (author, channelId, content, exempt, edit) =>
      automod.check(author, channelId, content, exempt, edit),
    hold: (author, send) => reports.hold(author, send),
    posted: (posted) => {
      push.posted(posted);
      if (!settings.current.linkPreviews) return;
      for (const { channelId, event } of posted) {
        linkPreviews.enqueue({
          channelId,
          messageId: event.i,
          version: event.v ?? 1,
          authorId: event.a,
          content: event.x,
        });
      }
    },
    edited: (channelId, event) =>
      settings.current.linkPreviews &&
      linkPreviews.enqueue({
        channelId,
        messageId: event.m,
        version: event.v,
        authorId: event.a,
        content: event.x,
        edit: true,
      }),
    deleted: () => void fileSweep.sweep(),
  });
  // Only the node that stored a message fetches its previews (the hooks above run there), and
  // only while the setting is on.
  const linkPreviews = new LinkPreviewService(
    {
      attach: (attachment) => messages.attachLinkPreviews(attachment),
      storeImage: (authorId, bytes) => files.storeFetchedImage(authorId, bytes),
      logger,
    },
    {
      block: config.linkPreviewBlock,
      allow: config.linkPreviewAllow,
      localOrigins: config.linkPreviewLocalOrigins,
      ...tuning.linkPreviews,
    },
  );
  const hasher = new PasswordHasher({
    concurrency: config.hashConcurrency,
    queue: config.hashQueue,
  });
  const auth = new AuthService(
    storage,
    (userId, message) => broker.publish({ kind: "user", id: userId }, message),
    hasher,
    { limiter, rules: config.rateLimits },
    {
      created: (user) => channels.joinDefaults(user),
      changed: (user) => channels.announceUser(user),
    },
    () => settings.current,
  );
  const retentionSweep = new RetentionSweep(
    storage,
    channels,
    () => settings.current.retentionDays,
    () => void fileSweep.sweep(),
    {
      ...tuning.retentionSweep,
      onError: (err) => logger.warn({ err }, "retention sweep failed"),
    },
    (stop) => purgeDeletedChannels(storage, stop),
  );
  const guestSweep = new GuestSweep(channels, {
    days: config.guestMembershipDays,
    ...tuning.guestSweep,
    onError: (err) => logger.warn({ err }, "guest membership sweep failed"),
  });
  const admin = new AdminService(
    storage,
    (userId, message) => broker.publish({ kind: "user", id: userId }, message),
    (password) => hasher.hash(password),
  );
  const moderation = new ModerationService(
    storage,
    channels,
    (by, target, ban) => admin.setBan(by, target, ban),
    (channelId) => automod.channelChanged(channelId),
  );
  const invites = new InviteService(storage, channels);
  const commands = new CommandService(messages, moderation, invites);
  const channelAdmin = new ChannelAdmin(
    admin,
    storage,
    channels,
    presenceStore,
    () => void fileSweep.sweep(),
  );
  const services: Services = {
    auth,
    channels,
    invites,
    messages,
    typing,
    presence,
    commands,
    moderation,
    memberState: new MemberStateService(storage, broker),
    push,
    direct: new DirectService(storage, channels, broker, config),
    files,
    search: new SearchService(storage),
    reports,
    admin,
    accounts: new UserLifecycle(
      admin,
      storage,
      channels,
      presenceStore,
      (userId, message) => broker.publish({ kind: "user", id: userId }, message),
      () => void fileSweep.sweep(),
      Date.now,
      (avatar) => files.deleteAvatar(avatar),
    ),
    channelAdmin,
    exports: new ExportService(storage, files, channelAdmin),
    profiles: new ProfileService(storage, files, channels, (userId, message) =>
      broker.publish({ kind: "user", id: userId }, message),
    ),
    serverInvites: new ServerInvites(admin, storage),
    serverSettings: settings,
    rate: { limiter, rules: config.rateLimits },
    settings: {
      heartbeatMs: config.heartbeatMs,
      resumeMax: config.resumeMax,
      limits: { ...LIMITS },
      maxConnectionsPerUser: config.maxConnectionsPerUser,
    },
  };

  const hub = new ChannelHub({
    broker,
    storage,
    onDeliveries: (n) => metrics.deliveries.inc(n),
    // In a cluster a node can die between a commit and its publish; the check delivers those.
    ...(config.redisUrl ? { recheckMs: 5000 } : {}),
  });
  const users = new UserTopic({
    broker,
    hub,
    summary: (channelId, userId) => channels.summary(channelId, userId),
    logger,
    ...(tuning.removalGraceMs !== undefined ? { removalGraceMs: tuning.removalGraceMs } : {}),
  });
  const router = new Router({
    services,
    hub,
    users,
    logger,
    maxRefusals: config.maxRefusals,
    onError: (code) => metrics.errors.inc({ code: String(code) }),
  });
  const gateway = new Gateway({
    router,
    metrics,
    logger,
    helloTimeoutMs: config.helloTimeoutMs,
    heartbeatMs: config.heartbeatMs,
    maxBufferedBytes: config.maxBufferedBytes,
    maxBufferedTotal: config.maxBufferedTotal,
    origins: config.origins,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
  });
  const nodeStats = new NodeStatsSampler(
    storage,
    {
      connections: () => gateway.size,
      messages: async () => (await metrics.messagesIn.get()).values[0]?.value ?? 0,
    },
    { ...tuning.nodeStats, onError: (err) => logger.warn({ err }, "node figures failed") },
  );

  return {
    services,
    hub,
    users,
    router,
    gateway,
    metrics,
    start() {
      nodeStats.start();
      moderation.start();
      guestSweep.start();
      retentionSweep.start();
      fileSweep.start();
    },
    async drain() {
      await gateway.close();
      await messages.drain();
    },
    async close() {
      settings.close();
      await linkPreviews.close();
      await push.close();
      await hasher.close();
      moderation.close();
      await guestSweep.close();
      await retentionSweep.close();
      await nodeStats.close();
      await fileSweep.close();
      typing.close();
      users.close();
      await hub.close();
      await limiter.close();
      await presenceStore.close();
      await broker.close();
      await engines.files.close();
      await storage.close();
      metrics.close();
    },
  };
}

/** The composition root: builds the engines, the node and the HTTP server, and listens. */
export async function createParley(
  config: Config,
  logger = pino({ level: config.logLevel }),
  tuning: Tuning = {},
): Promise<Parley> {
  const node = await buildNode(config, await openEngines(config, logger), logger, tuning);
  const { services, metrics } = node;

  const trustProxy = config.trustProxy;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: LIMITS.maxFrameBytes,
    trustProxy:
      typeof trustProxy === "number"
        ? (_address: string, hop: number) => hop < trustProxy
        : trustProxy,
  });
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: LIMITS.maxFrameBytes,
      perMessageDeflate: false,
      // The gateway tracks its sockets and closes them on shutdown; a second registry in `ws`
      // would cost every socket a set entry and a close listener.
      clientTracking: false,
      handleProtocols: (offered: Set<string>) => Gateway.selectProtocol(offered),
    },
  });
  let closing = false;
  const ws = node.gateway;
  // The HTTP response @fastify/websocket makes for each upgrade, by request, so that the
  // handler can release it once the socket is a WebSocket (see `releaseUpgrade`).
  const upgrades = new WeakMap<IncomingMessage, ServerResponse>();
  app.get(
    "/ws",
    {
      websocket: true,
      preValidation: async (req, reply) => {
        upgrades.set(req.raw, reply.raw);
        if (!ws.ipAllowed(addressKey(req.ip))) {
          const { status, body } = httpError(
            "LIMIT_REACHED",
            "Too many connections from this address",
          );
          await reply.code(status).send(body);
          return;
        }
        // The scheme is the request's own (or, behind a trusted proxy, X-Forwarded-Proto).
        if (!ws.originAllowed(req.headers.origin, `${req.protocol}://${req.host}`)) {
          const { status, body } = httpError("FORBIDDEN", "Origin not allowed");
          await reply.code(status).send(body);
        }
      },
    },
    (socket, req) => {
      const res = upgrades.get(req.raw);
      upgrades.delete(req.raw);
      if (closing) {
        socket.close(1001, "server shutting down");
        return;
      }
      releaseUpgrade(socket, req.raw, res);
      // Every per-address limit (connections, hellos) counts an IPv6 client by its /64.
      ws.accept(socket, addressKey(req.ip));
    },
  );
  app.get("/healthz", async () => ({ ok: true, connections: ws.size }));
  const metricsEndpoint = await serveMetrics(app, metrics, {
    token: config.metricsToken,
    listen:
      config.metricsPort === null ? null : { host: config.metricsHost, port: config.metricsPort },
  });
  if (config.allowedHosts) registerAllowedHosts(app, config.allowedHosts);
  registerSecurityHeaders(app);
  registerApiRoutes(app, services);
  if (config.webRoot && existsSync(config.webRoot)) {
    await app.register(fastifyStatic, {
      root: resolve(config.webRoot),
      wildcard: false,
      index: "index.html",
    });
    // The admin console is a view of the same page.
    app.get("/admin", (_req, reply) => reply.sendFile("index.html"));
  }

  // A reconnect storm opens thousands of connections at once: Node's default accept queue (511)
  // overflows and the kernel resets the rest. The kernel caps this at net.core.somaxconn.
  await app.listen({ host: config.host, port: config.port, backlog: LISTEN_BACKLOG });
  node.start();
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  return {
    app,
    url: `http://${host}:${port}`,
    metricsUrl: metricsEndpoint.url,
    config,
    async close() {
      closing = true;
      await node.drain();
      await app.close();
      await metricsEndpoint.close();
      await node.close();
    },
  };
}

/** A database or Redis URL fit for a log line. */
function withoutPassword(url: string): string {
  if (url.startsWith("sqlite:")) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable url)";
  }
}

async function run(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`parley: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  if (!config.webRoot) {
    const built = fileURLToPath(new URL("../../web/dist", import.meta.url));
    if (existsSync(built)) config.webRoot = built;
  }
  const logger = pino({ level: config.logLevel });
  const parley = await createParley(config, logger);
  logger.info(
    {
      url: parley.url,
      database: withoutPassword(config.databaseUrl),
      ...(config.redisUrl ? { redis: withoutPassword(config.redisUrl) } : {}),
    },
    "parley listening",
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    parley.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
