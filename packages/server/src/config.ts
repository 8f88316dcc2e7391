import { channelNameSchema } from "@parley/protocol";
import { z } from "zod";
import { parseRateRules, type RateRules } from "./rate-limit/rate-limiter";

/** Parley's settings. Each comes from the environment variable named in {@link ENV}. */
export interface Config {
  /** Address to listen on. Default 127.0.0.1. */
  host: string;
  /** Port to listen on (0 = any free port). Default 8080. */
  port: number;
  /** `sqlite:<path>` (or `sqlite::memory:`) or `postgres://…`. Default `sqlite:./data/parley.db`. */
  databaseUrl: string;
  /** PostgreSQL connections per node. Default 10. */
  databasePoolSize: number;
  /**
   * `redis://…`: run as a node of a cluster, with the Redis broker, presence and rate limiter.
   * Needs a PostgreSQL database shared by the nodes. Default none (one node, in-process engines).
   */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel, so deployments can share a Redis. Default `parley:`. */
  redisPrefix: string;
  /** How long a node's presence entries outlive its last heartbeat in Redis (ms). Default 20000. */
  presenceLeaseMs: number;
  /** Origins allowed to open a WebSocket; null = same origin only (Origin host = Host). */
  origins: string[] | null;
  /** pino level. Default info. */
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /**
   * Heartbeat interval (ms), announced in the welcome as `hb`: the server pings every socket
   * this often and closes one from which nothing (pong or frame) came since the previous ping;
   * the SDK sends a Ping op this often and reconnects when nothing came back. A dead link is
   * noticed by both ends within 2× this. Default 10000.
   */
  heartbeatMs: number;
  /** Time allowed for the hello frame. Default 10000. */
  helloTimeoutMs: number;
  /** Per-socket outbound buffer bound in bytes. Default 4 MiB. */
  maxBufferedBytes: number;
  /**
   * Bound on all sockets' outbound buffers together, in bytes: above it the sockets with the
   * largest buffers are closed (4002) until the rest fit. Default 64 MiB (16 sockets a whole
   * per-socket bound behind).
   */
  maxBufferedTotal: number;
  /** Most events replayed per channel on resume before answering "resync". Default 1000. */
  resumeMax: number;
  /**
   * Which proxies to trust for the client address (X-Forwarded-For): false (default), true
   * (any), a hop count, or comma-separated addresses/CIDRs. Per-address limits use that address.
   */
  trustProxy: boolean | number | string;
  /** Open WebSockets per user (tabs, devices). Default 20. */
  maxConnectionsPerUser: number;
  /** Open WebSockets per client address. Default 1000. */
  maxConnectionsPerIp: number;
  /** Channels one user may be a member of. Default 500. */
  maxChannelsPerUser: number;
  /** Members one channel may have. Default 10000. */
  maxMembersPerChannel: number;
  /** Members one direct message may have, its opener included (2 or more). Default 10. */
  dmMaxMembers: number;
  /** Rate limits: the defaults with `name=burst/perSecond` overrides. */
  rateLimits: RateRules;
  /** Error replies a connection may get within 10 s; one more closes it (4003). Default 50. */
  maxRefusals: number;
  /** Password hashes (argon2) running at once, each on a low-priority worker thread. Default 2. */
  hashConcurrency: number;
  /** Password hashes that may wait for a slot before logins are refused (503). Default 64. */
  hashQueue: number;
  /** Bearer token `GET /metrics` requires; null (default) = none. */
  metricsToken: string | null;
  /** Address of the metrics' own listener (with `metricsPort`). Default 127.0.0.1. */
  metricsHost: string;
  /** Port of the metrics' own listener; null (default) = /metrics on the main port. */
  metricsPort: number | null;
  /**
   * Host names (optionally with a port) HTTP requests and upgrades may name in Host; others are
   * refused (421). Null (default) = any.
   */
  allowedHosts: string[] | null;
  /** Usernames of server-wide admins (case-insensitive). Default none. */
  admins: string[];
  /** Directory of the built web client to serve at `/` (none when absent). */
  webRoot: string | null;
  /** Channels created at start if missing, which every new user joins. Default `general`. */
  defaultChannels: string[];
  /** Days without activity after which a guest's memberships are removed; 0 = never. Default 30. */
  guestMembershipDays: number;
  /** How long after its send a message may be edited, in seconds; 0 = always. Default 0. */
  editWindowSeconds: number;
  /** Messages older than this many days are deleted (0: kept for ever); admins may change it. */
  retentionDays: number;
  /**
   * Message search (op 42, `GET /api/v1/search`) and the index behind it, kept in step with
   * every write. Off: no index is maintained and searches are refused (SEARCH_DISABLED); on
   * again, the index is rebuilt at start. Default on.
   */
  search: boolean;
  /** Web Push notifications for members with no live connection. Default on. */
  webPush: boolean;
  /**
   * The VAPID key pair (base64url: a 65-byte P-256 public key, a 32-byte private key). Both or
   * neither; when neither, a pair is generated at first start and kept in the database.
   */
  vapidPublicKey: string | null;
  vapidPrivateKey: string | null;
  /** The VAPID contact push services may write to. Default `mailto:admin@localhost`. */
  vapidSubject: string;
  /** Tests and development only: push to `http://127.0.0.1:PORT/…` endpoints. Default off. */
  pushAllowInsecureLocal: boolean;
  /**
   * Previews of the first links of messages, fetched by the server (off the send path) under
   * the outgoing address policy. Default on.
   */
  linkPreviews: boolean;
  /** Domains (each with its subdomains) never previewed. Default none. */
  linkPreviewBlock: string[];
  /** When not empty, only these domains (each with its subdomains) are previewed. Default none. */
  linkPreviewAllow: string[];
  /**
   * Tests and development only: `127.0.0.1:PORT`-style origins on loopback that previews may
   * fetch (a local test page). Default none.
   */
  linkPreviewLocalOrigins: string[];
  /**
   * Where uploaded files' bytes live: `disk` (one node) or `postgres` (the database, shared by
   * a cluster's nodes). Default: postgres on a PostgreSQL database, disk on SQLite.
   */
  fileStore: "disk" | "postgres";
  /**
   * The disk store's directory. Default: `files` beside the SQLite database (a temporary
   * directory, removed at shutdown, for `sqlite::memory:`).
   */
  filesDir: string | null;
  /** Largest upload, in bytes. Default 25 MiB. */
  uploadMaxBytes: number;
  /** Bytes of live files one user may hold. Default 1 GiB. */
  uploadQuotaBytes: number;
  /** Minutes an upload may stay unattached to a message before it is removed. Default 60. */
  uploadOrphanMinutes: number;
  /** Seconds a signed file link works. Default 300. */
  fileLinkSeconds: number;
}

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: "expected a whole number" })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected at least ${min}` })
        .max(max, { error: `expected at most ${max}` }),
    );

/** Unpadded base64url of exactly `bytes` bytes. */
const base64urlKey = (bytes: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`), {
    error: `expected ${bytes} bytes as unpadded base64url`,
  });

const onOff = z.enum(["on", "off"]).transform((s) => s === "on");
const flag = z.enum(["0", "1"], { error: "expected 0 or 1" }).transform((s) => s === "1");

/** A comma-separated list, each item trimmed, empty items dropped. */
const commaList = z.string().transform((s) =>
  s
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

/** Domain names, comma-separated (`example.com, .example.org`), lower-cased. */
const domainList = commaList.pipe(
  z.array(
    z
      .string()
      .transform((d) => d.toLowerCase().replace(/^\*?\./, ""))
      .pipe(
        z
          .string()
          .regex(
            /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
            {
              error: "expected domain names (example.com)",
            },
          ),
      ),
  ),
);

/** Environment variables, their parsers and defaults. The README's table mirrors this. */
export const ENV = {
  PARLEY_HOST: { key: "host", schema: z.string().min(1), default: "127.0.0.1" },
  PARLEY_PORT: { key: "port", schema: int(0, 65535), default: "8080" },
  PARLEY_DATABASE_URL: {
    key: "databaseUrl",
    schema: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
      error: "expected sqlite:<path> or postgres://…",
    }),
    default: "sqlite:./data/parley.db",
  },
  PARLEY_DATABASE_POOL: { key: "databasePoolSize", schema: int(1, 1000), default: "10" },
  PARLEY_REDIS_URL: {
    key: "redisUrl",
    schema: z.string().regex(/^rediss?:\/\/.+/, { error: "expected redis://host:port" }),
    default: undefined,
  },
  PARLEY_REDIS_PREFIX: {
    key: "redisPrefix",
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: "expected letters, digits, _ . : -" }),
    default: "parley:",
  },
  PARLEY_PRESENCE_LEASE_MS: {
    key: "presenceLeaseMs",
    schema: int(1000, 300_000),
    default: "20000",
  },
  PARLEY_ORIGINS: {
    key: "origins",
    schema: commaList.pipe(
      z.array(z.url({ error: "expected comma-separated origins like https://chat.example.com" })),
    ),
    default: undefined,
  },
  PARLEY_LOG_LEVEL: {
    key: "logLevel",
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    default: "info",
  },
  PARLEY_HEARTBEAT_MS: { key: "heartbeatMs", schema: int(1000, 600_000), default: "10000" },
  PARLEY_HELLO_TIMEOUT_MS: { key: "helloTimeoutMs", schema: int(100, 600_000), default: "10000" },
  PARLEY_MAX_BUFFERED_BYTES: {
    key: "maxBufferedBytes",
    schema: int(64 * 1024, 1 << 30),
    default: String(4 << 20),
  },
  PARLEY_MAX_BUFFERED_TOTAL: {
    key: "maxBufferedTotal",
    schema: int(64 * 1024, 2 ** 40),
    default: String(64 << 20),
  },
  PARLEY_RESUME_MAX: { key: "resumeMax", schema: int(0, 100_000), default: "1000" },
  PARLEY_TRUST_PROXY: {
    key: "trustProxy",
    schema: z.string().transform((s) => {
      if (s === "true") return true;
      if (s === "false" || s === "") return false;
      if (/^\d+$/.test(s)) return Number(s);
      return s;
    }),
    default: "false",
  },
  PARLEY_MAX_CONNECTIONS_PER_USER: {
    key: "maxConnectionsPerUser",
    schema: int(1, 10_000),
    default: "20",
  },
  PARLEY_MAX_CONNECTIONS_PER_IP: {
    key: "maxConnectionsPerIp",
    schema: int(1, 1_000_000),
    default: "1000",
  },
  PARLEY_MAX_CHANNELS_PER_USER: {
    key: "maxChannelsPerUser",
    schema: int(1, 1_000_000),
    default: "500",
  },
  PARLEY_MAX_MEMBERS_PER_CHANNEL: {
    key: "maxMembersPerChannel",
    schema: int(1, 10_000_000),
    default: "10000",
  },
  PARLEY_DM_MAX_MEMBERS: {
    key: "dmMaxMembers",
    schema: int(2, 100),
    default: "10",
  },
  PARLEY_RATE_LIMITS: {
    key: "rateLimits",
    schema: z.string().transform((s, ctx) => {
      try {
        return parseRateRules(s);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
    default: "",
  },
  PARLEY_MAX_REFUSALS: { key: "maxRefusals", schema: int(1, 1_000_000), default: "50" },
  PARLEY_HASH_CONCURRENCY: { key: "hashConcurrency", schema: int(1, 64), default: "2" },
  PARLEY_HASH_QUEUE: { key: "hashQueue", schema: int(0, 100_000), default: "64" },
  PARLEY_METRICS_TOKEN: {
    key: "metricsToken",
    schema: z
      .string()
      .regex(/^[\x21-\x7e]{16,256}$/, { error: "expected 16–256 printable characters, no spaces" }),
    default: undefined,
  },
  PARLEY_METRICS_HOST: { key: "metricsHost", schema: z.string().min(1), default: "127.0.0.1" },
  PARLEY_METRICS_PORT: { key: "metricsPort", schema: int(0, 65535), default: undefined },
  PARLEY_ALLOWED_HOSTS: {
    key: "allowedHosts",
    schema: commaList.pipe(
      z
        .array(
          z.string().regex(/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/, {
            error: "expected comma-separated host names, each with an optional :port",
          }),
        )
        .min(1, { error: "expected at least one host name" }),
    ),
    default: undefined,
  },
  PARLEY_ADMINS: {
    key: "admins",
    schema: commaList.pipe(
      z.array(
        z.string().regex(/^[A-Za-z0-9_-]{3,32}$/, { error: "expected comma-separated usernames" }),
      ),
    ),
    default: "",
  },
  PARLEY_WEB_ROOT: { key: "webRoot", schema: z.string().min(1), default: undefined },
  PARLEY_DEFAULT_CHANNELS: {
    key: "defaultChannels",
    schema: commaList.pipe(z.array(channelNameSchema)),
    default: "general",
  },
  PARLEY_GUEST_MEMBERSHIP_DAYS: {
    key: "guestMembershipDays",
    schema: int(0, 36_500),
    default: "30",
  },
  PARLEY_RETENTION_DAYS: {
    key: "retentionDays",
    schema: int(0, 36_500),
    default: "0",
  },
  PARLEY_EDIT_WINDOW_SECONDS: {
    key: "editWindowSeconds",
    schema: int(0, 315_360_000),
    default: "0",
  },
  PARLEY_SEARCH: { key: "search", schema: onOff, default: "on" },
  PARLEY_WEB_PUSH: { key: "webPush", schema: onOff, default: "on" },
  PARLEY_VAPID_PUBLIC_KEY: { key: "vapidPublicKey", schema: base64urlKey(65), default: undefined },
  PARLEY_VAPID_PRIVATE_KEY: {
    key: "vapidPrivateKey",
    schema: base64urlKey(32),
    default: undefined,
  },
  PARLEY_VAPID_SUBJECT: {
    key: "vapidSubject",
    schema: z.string().regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, {
      error: "expected mailto:someone@example.com or an https:// URL",
    }),
    default: "mailto:admin@localhost",
  },
  PARLEY_PUSH_ALLOW_INSECURE_LOCAL: { key: "pushAllowInsecureLocal", schema: flag, default: "0" },
  PARLEY_LINK_PREVIEWS: { key: "linkPreviews", schema: onOff, default: "on" },
  PARLEY_LINK_PREVIEW_BLOCK: { key: "linkPreviewBlock", schema: domainList, default: "" },
  PARLEY_LINK_PREVIEW_ALLOW: { key: "linkPreviewAllow", schema: domainList, default: "" },
  PARLEY_LINK_PREVIEW_LOCAL_ORIGINS: {
    key: "linkPreviewLocalOrigins",
    schema: commaList.pipe(
      z.array(
        z.string().regex(/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost):\d{1,5}$/, {
          error: "expected loopback origins as host:port (127.0.0.1:8080)",
        }),
      ),
    ),
    default: "",
  },
  PARLEY_FILE_STORE: {
    key: "fileStore",
    schema: z.enum(["disk", "postgres"]),
    default: undefined,
  },
  PARLEY_FILES_DIR: { key: "filesDir", schema: z.string().min(1), default: undefined },
  PARLEY_UPLOAD_MAX_BYTES: {
    key: "uploadMaxBytes",
    schema: int(1, 2 ** 40),
    default: String(25 << 20),
  },
  PARLEY_UPLOAD_QUOTA_BYTES: {
    key: "uploadQuotaBytes",
    schema: int(1, 2 ** 50),
    default: String(2 ** 30),
  },
  PARLEY_UPLOAD_ORPHAN_MINUTES: {
    key: "uploadOrphanMinutes",
    schema: int(1, 525_600),
    default: "60",
  },
  PARLEY_FILE_LINK_SECONDS: { key: "fileLinkSeconds", schema: int(10, 86_400), default: "300" },
} as const;

/** Thrown for an invalid setting; the message names the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads the configuration from an environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {
    origins: null,
    webRoot: null,
    redisUrl: null,
    metricsToken: null,
    metricsPort: null,
    allowedHosts: null,
    vapidPublicKey: null,
    vapidPrivateKey: null,
    filesDir: null,
  };
  for (const [name, spec] of Object.entries(ENV)) {
    const raw = env[name] ?? spec.default;
    if (raw === undefined) continue;
    const parsed = (spec.schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(
        `${name}=${JSON.stringify(raw)} is invalid: ${parsed.error.issues[0]?.message ?? "bad value"}`,
      );
    }
    out[spec.key] = parsed.data;
  }
  const config = out as unknown as Config;
  // A cluster's nodes need one shared store: PostgreSQL's when the database is PostgreSQL.
  config.fileStore ??= config.databaseUrl.startsWith("sqlite:") ? "disk" : "postgres";
  checkCombinations(config, env);
  return config;
}

/** Settings that are valid alone but not together. */
function checkCombinations(config: Config, env: Record<string, string | undefined>): void {
  const sqlite = config.databaseUrl.startsWith("sqlite:");
  if (config.redisUrl && sqlite) {
    throw new ConfigError(
      "PARLEY_REDIS_URL is set, so this node joins a cluster, but PARLEY_DATABASE_URL is SQLite: " +
        "the nodes of a cluster must share one PostgreSQL database (postgres://…)",
    );
  }
  if (env.PARLEY_DATABASE_POOL !== undefined && sqlite) {
    throw new ConfigError(
      "PARLEY_DATABASE_POOL applies to PostgreSQL only; PARLEY_DATABASE_URL is SQLite",
    );
  }
  if (config.maxBufferedTotal < config.maxBufferedBytes) {
    throw new ConfigError(
      `PARLEY_MAX_BUFFERED_TOTAL (${config.maxBufferedTotal}) is below PARLEY_MAX_BUFFERED_BYTES ` +
        `(${config.maxBufferedBytes}): the bound on all sockets must hold at least one socket's`,
    );
  }
  if (env.PARLEY_METRICS_HOST !== undefined && config.metricsPort === null) {
    throw new ConfigError(
      "PARLEY_METRICS_HOST is the address of the metrics' own listener; set PARLEY_METRICS_PORT too",
    );
  }
  if (
    config.metricsPort !== null &&
    config.metricsPort !== 0 &&
    config.metricsPort === config.port
  ) {
    throw new ConfigError("PARLEY_METRICS_PORT must differ from PARLEY_PORT");
  }
  if ((config.vapidPublicKey === null) !== (config.vapidPrivateKey === null)) {
    throw new ConfigError(
      "PARLEY_VAPID_PUBLIC_KEY and PARLEY_VAPID_PRIVATE_KEY are a pair: set both, or neither " +
        "(then a pair is generated once and kept in the database)",
    );
  }
  if (config.fileStore === "postgres" && sqlite) {
    throw new ConfigError(
      "PARLEY_FILE_STORE=postgres keeps files in the PostgreSQL database, but PARLEY_DATABASE_URL is SQLite",
    );
  }
  if (config.fileStore === "disk" && config.redisUrl) {
    throw new ConfigError(
      "PARLEY_FILE_STORE=disk keeps files on this node's disk, but PARLEY_REDIS_URL makes it a " +
        "node of a cluster, whose nodes must share the files: use PARLEY_FILE_STORE=postgres",
    );
  }
  if (env.PARLEY_FILES_DIR !== undefined && config.fileStore !== "disk") {
    throw new ConfigError("PARLEY_FILES_DIR applies to PARLEY_FILE_STORE=disk only");
  }
  for (const name of ["PARLEY_REDIS_PREFIX", "PARLEY_PRESENCE_LEASE_MS"] as const) {
    if (env[name] !== undefined && !config.redisUrl)
      throw new ConfigError(`${name} applies to a cluster only; set PARLEY_REDIS_URL too`);
  }
}
