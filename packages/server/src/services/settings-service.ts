import {
  type AdminSettingsChange,
  type AdminSettingsReply,
  adminSettingsSchema,
  SERVER_SETTING_KEYS,
  type ServerSettings,
} from "@parley/protocol";
import type { ServerTopic } from "../broker/server-topic";
import type { AdminStore } from "../storage/admin-store";
import type { AdminActor } from "./admin-service";

const KEYS = SERVER_SETTING_KEYS;

/** How often a node re-reads the settings anyway, should it miss a change's message. */
const RELOAD_MS = 30_000;

/**
 * The server settings admins change live. Each starts as the node's configuration says
 * (`defaults`); the values admins set are stored (`AdminStore.saveSettingsAudited`, with the
 * audit entry) and win over it. A change is applied on the node that made it at once and
 * announced on the server topic, on which every node re-reads the stored values; each node
 * also re-reads them every 30 s, so one that missed the message (a broker reconnect) follows
 * within that. Readers take {@link current} at each use.
 */
export class SettingsService {
  private stored: Partial<ServerSettings> = {};
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: Pick<AdminStore, "storedSettings" | "saveSettingsAudited">,
    private readonly server: ServerTopic,
    private readonly defaults: ServerSettings,
    /** Called after the settings in force changed (on any node's change). */
    private readonly changed: (settings: ServerSettings, before: ServerSettings) => void = () => {},
  ) {
    this.current = { ...defaults };
  }

  /** The settings in force on this node. */
  current: ServerSettings;

  /** Reads the stored settings, then follows changes. */
  async start(): Promise<void> {
    await this.reload();
    await this.server.listen((m) => {
      if (m.k === "settings") void this.reload().catch(() => {});
    });
    this.timer = setInterval(() => void this.reload().catch(() => {}), RELOAD_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  reply(): AdminSettingsReply {
    return { settings: this.current, stored: KEYS.filter((k) => this.stored[k] !== undefined) };
  }

  /** Applies an admin's change (values set, `reset` ones back to the configuration's). */
  async change(by: AdminActor, change: AdminSettingsChange): Promise<AdminSettingsReply> {
    await this.reload();
    const next: Partial<ServerSettings> = { ...this.stored };
    for (const key of KEYS) {
      if (change[key] !== undefined) (next as Record<string, unknown>)[key] = change[key];
    }
    for (const key of change.reset ?? []) delete next[key];
    const before = this.current;
    const after = this.merge(next);
    const changedKeys = KEYS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    await this.store.saveSettingsAudited(JSON.stringify(next), {
      actor: { id: by.id, name: by.name },
      action: "settings",
      targetKind: "server",
      target: { id: 0, name: "server" },
      before: Object.fromEntries(changedKeys.map((k) => [k, before[k]])),
      after: Object.fromEntries(changedKeys.map((k) => [k, after[k]])),
    });
    this.apply(next);
    this.server.publish({ k: "settings" });
    return this.reply();
  }

  private merge(stored: Partial<ServerSettings>): ServerSettings {
    return { ...this.defaults, ...stored };
  }

  private apply(stored: Partial<ServerSettings>): void {
    const before = this.current;
    this.stored = stored;
    this.current = this.merge(stored);
    if (JSON.stringify(before) !== JSON.stringify(this.current)) this.changed(this.current, before);
  }

  private async reload(): Promise<void> {
    const json = await this.store.storedSettings();
    this.apply(json === undefined ? {} : parseStored(json));
  }
}

/** Stored settings, keeping only the valid ones (a value stored by another version may not be). */
function parseStored(json: string): Partial<ServerSettings> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return {};
  }
  const out: Partial<ServerSettings> = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const key of KEYS) {
    const value = (raw as Record<string, unknown>)[key];
    const parsed = adminSettingsSchema.shape[key].safeParse(value);
    if (value !== undefined && parsed.success && parsed.data !== undefined)
      (out as Record<string, unknown>)[key] = parsed.data;
  }
  return out;
}
