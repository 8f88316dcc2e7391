import { describe, expect, it } from "vitest";
import { loadConfig } from "./config";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    expect(loadConfig({})).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      databaseUrl: "sqlite:./data/parley.db",
      origins: null,
      logLevel: "info",
      heartbeatMs: 10000,
      helloTimeoutMs: 10000,
    });
  });

  it("bounds outbound buffers per socket and in total, and refuses a total below one socket's", () => {
    expect(loadConfig({})).toMatchObject({
      maxBufferedBytes: 4 << 20,
      maxBufferedTotal: 64 << 20,
      maxRefusals: 50,
    });
    expect(() =>
      loadConfig({
        PARLEY_MAX_BUFFERED_BYTES: String(8 << 20),
        PARLEY_MAX_BUFFERED_TOTAL: String(4 << 20),
      }),
    ).toThrow(/PARLEY_MAX_BUFFERED_TOTAL .* is below PARLEY_MAX_BUFFERED_BYTES/);
  });

  it("reads every variable", () => {
    const config = loadConfig({
      PARLEY_HOST: "::1",
      PARLEY_PORT: "0",
      PARLEY_ORIGINS: "https://a.example, https://b.example",
      PARLEY_LOG_LEVEL: "warn",
    });
    expect(config).toMatchObject({
      host: "::1",
      port: 0,
      origins: ["https://a.example", "https://b.example"],
      logLevel: "warn",
    });
  });

  it.each([
    ["PARLEY_PORT", "eighty"],
    ["PARLEY_PORT", "70000"],
    ["PARLEY_DATABASE_URL", "mysql://x"],
    ["PARLEY_ORIGINS", "not a url"],
    ["PARLEY_LOG_LEVEL", "loud"],
    ["PARLEY_HEARTBEAT_MS", "5"],
    ["PARLEY_HASH_CONCURRENCY", "0"],
    ["PARLEY_HASH_QUEUE", "-1"],
    ["PARLEY_METRICS_TOKEN", "short"],
    ["PARLEY_METRICS_TOKEN", "has spaces in it, sixteen+"],
    ["PARLEY_METRICS_PORT", "http"],
    ["PARLEY_ALLOWED_HOSTS", "https://chat.example"],
    ["PARLEY_ALLOWED_HOSTS", " , "],
  ])("fails on %s=%s with a message naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}=`));
  });

  it("reads the password-hash bounds", () => {
    expect(loadConfig({})).toMatchObject({ hashConcurrency: 2, hashQueue: 64 });
    expect(loadConfig({ PARLEY_HASH_CONCURRENCY: "1", PARLEY_HASH_QUEUE: "0" })).toMatchObject({
      hashConcurrency: 1,
      hashQueue: 0,
    });
  });

  it("reads the metrics settings, and refuses a metrics host without a port", () => {
    expect(loadConfig({})).toMatchObject({
      metricsToken: null,
      metricsHost: "127.0.0.1",
      metricsPort: null,
    });
    expect(
      loadConfig({
        PARLEY_METRICS_TOKEN: "0123456789abcdef",
        PARLEY_METRICS_HOST: "10.0.0.5",
        PARLEY_METRICS_PORT: "9090",
      }),
    ).toMatchObject({
      metricsToken: "0123456789abcdef",
      metricsHost: "10.0.0.5",
      metricsPort: 9090,
    });
    expect(() => loadConfig({ PARLEY_METRICS_HOST: "10.0.0.5" })).toThrow(/PARLEY_METRICS_PORT/);
    expect(() => loadConfig({ PARLEY_PORT: "9090", PARLEY_METRICS_PORT: "9090" })).toThrow(
      /must differ/,
    );
  });

  it("reads the allowed hosts", () => {
    expect(loadConfig({})).toMatchObject({ allowedHosts: null });
    expect(
      loadConfig({ PARLEY_ALLOWED_HOSTS: "chat.example.com, localhost:8080,[::1]:8080" }),
    ).toMatchObject({ allowedHosts: ["chat.example.com", "localhost:8080", "[::1]:8080"] });
  });

  it("reads the cluster settings", () => {
    expect(
      loadConfig({
        PARLEY_DATABASE_URL: "postgres://u@127.0.0.1:5432/parley",
        PARLEY_DATABASE_POOL: "20",
        PARLEY_REDIS_URL: "redis://127.0.0.1:6379",
        PARLEY_REDIS_PREFIX: "chat:",
        PARLEY_PRESENCE_LEASE_MS: "15000",
      }),
    ).toMatchObject({
      databasePoolSize: 20,
      redisUrl: "redis://127.0.0.1:6379",
      redisPrefix: "chat:",
      presenceLeaseMs: 15000,
    });
    expect(loadConfig({})).toMatchObject({ redisUrl: null, databasePoolSize: 10 });
  });

  it.each([
    [{ PARLEY_REDIS_URL: "redis://127.0.0.1:6379" }, /^PARLEY_REDIS_URL .*PostgreSQL/],
    [{ PARLEY_DATABASE_POOL: "5" }, /^PARLEY_DATABASE_POOL applies to PostgreSQL/],
    [{ PARLEY_PRESENCE_LEASE_MS: "9000" }, /^PARLEY_PRESENCE_LEASE_MS .*PARLEY_REDIS_URL/],
    [{ PARLEY_REDIS_URL: "localhost:6379" }, /^PARLEY_REDIS_URL=/],
  ])("refuses the invalid combination %o, naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("reads the default channels and the guest membership period, and refuses a bad name", () => {
    expect(loadConfig({})).toMatchObject({ defaultChannels: ["general"], guestMembershipDays: 30 });
    expect(
      loadConfig({
        PARLEY_DEFAULT_CHANNELS: " general , Off topic ,",
        PARLEY_GUEST_MEMBERSHIP_DAYS: "0",
      }),
    ).toMatchObject({ defaultChannels: ["general", "Off topic"], guestMembershipDays: 0 });
    expect(loadConfig({ PARLEY_DEFAULT_CHANNELS: "" }).defaultChannels).toEqual([]);
    expect(() => loadConfig({ PARLEY_DEFAULT_CHANNELS: "a,b\u0007" })).toThrow(
      /PARLEY_DEFAULT_CHANNELS/,
    );
    expect(() => loadConfig({ PARLEY_GUEST_MEMBERSHIP_DAYS: "-1" })).toThrow(
      /PARLEY_GUEST_MEMBERSHIP_DAYS/,
    );
  });

  it("takes the VAPID keys as a pair and refuses keys of the wrong size", () => {
    const publicKey = `B${"A".repeat(86)}`;
    const privateKey = "A".repeat(43);
    expect(() => loadConfig({ PARLEY_VAPID_PUBLIC_KEY: publicKey })).toThrow(/are a pair/);
    expect(() =>
      loadConfig({ PARLEY_VAPID_PUBLIC_KEY: "short", PARLEY_VAPID_PRIVATE_KEY: privateKey }),
    ).toThrow(/^PARLEY_VAPID_PUBLIC_KEY=.*65 bytes/);
    const config = loadConfig({
      PARLEY_VAPID_PUBLIC_KEY: publicKey,
      PARLEY_VAPID_PRIVATE_KEY: privateKey,
    });
    expect(config).toMatchObject({
      vapidPublicKey: publicKey,
      vapidPrivateKey: privateKey,
      webPush: true,
    });
    expect(loadConfig({ PARLEY_WEB_PUSH: "off" }).webPush).toBe(false);
    expect(() => loadConfig({ PARLEY_PUSH_ALLOW_INSECURE_LOCAL: "yes" })).toThrow(
      /expected 0 or 1/,
    );
  });

  it("reads the link preview settings: on by default, domain lists and local origins", () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({
      linkPreviews: true,
      linkPreviewBlock: [],
      linkPreviewAllow: [],
      linkPreviewLocalOrigins: [],
    });
    const config = loadConfig({
      PARLEY_LINK_PREVIEWS: "off",
      PARLEY_LINK_PREVIEW_BLOCK: "Bad.Example, *.tracker.example",
      PARLEY_LINK_PREVIEW_ALLOW: ".good.example",
      PARLEY_LINK_PREVIEW_LOCAL_ORIGINS: "127.0.0.1:8080",
    });
    expect(config).toMatchObject({
      linkPreviews: false,
      linkPreviewBlock: ["bad.example", "tracker.example"],
      linkPreviewAllow: ["good.example"],
      linkPreviewLocalOrigins: ["127.0.0.1:8080"],
    });
    expect(() => loadConfig({ PARLEY_LINK_PREVIEW_BLOCK: "not a domain" })).toThrow(
      /PARLEY_LINK_PREVIEW_BLOCK.*expected domain names/s,
    );
    expect(() => loadConfig({ PARLEY_LINK_PREVIEW_LOCAL_ORIGINS: "10.0.0.1:80" })).toThrow(
      /expected loopback origins/,
    );
  });
});
