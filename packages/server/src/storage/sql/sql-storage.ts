import type { Kysely } from "kysely";
import type { SqlDialect } from "../migrations";
import type { Database } from "../schema";
import type { Storage } from "../storage";
import { sqlAccountStore } from "./accounts";
import { sqlAdminStore } from "./admin";
import { sqlAdminChannelStore } from "./admin-channels";
import { sqlBlockStore } from "./blocks";
import { sqlChannelStore } from "./channels";
import { SqlContext, type SqliteDurability } from "./context";
import { sqlEventLog } from "./event-log";
import { sqlFileRowStore } from "./files";
import { sqlInviteStore } from "./invites";
import { sqlMemberStateStore } from "./member-state";
import { sqlMessageStore } from "./message-store";
import { sqlModerationStore } from "./moderation";
import { sqlPushStore } from "./push-store";
import { sqlReportStore } from "./reports";
import { sqlSearchStore } from "./search";
import { sqlSendPath } from "./send-path";
import { sqlServerInviteStore } from "./server-invites";

/**
 * {@link Storage} over Kysely, for SQLite and PostgreSQL: one object made of the slices, which
 * share one {@link SqlContext} (the database, its writes and its statement cache). `durability`
 * (SQLite) makes commits durable off the event loop and is closed with the storage; `search`
 * says whether the search index is maintained (see `syncSearchIndex`). A method
 * that two slices both define would be taken from one of them silently, so that is refused.
 */
export function sqlStorage(
  db: Kysely<Database>,
  dialect: SqlDialect,
  durability?: SqliteDurability,
  options: { search: boolean; sendLanes?: number } = { search: true },
): Storage {
  const sql = new SqlContext(db, dialect, durability);
  const accounts = sqlAccountStore(sql);
  const channels = sqlChannelStore(sql);
  const moderation = sqlModerationStore(sql);
  const { postWithin, ...sendPath } = sqlSendPath(sql, options.sendLanes ?? 1);
  const eventLog = sqlEventLog(sql);
  const messages = sqlMessageStore(sql);
  const memberState = sqlMemberStateStore(sql);
  const invites = sqlInviteStore(sql);
  const push = sqlPushStore(sql);
  const blocks = sqlBlockStore(sql);
  const files = sqlFileRowStore(sql);
  const search = sqlSearchStore(sql, options.search);
  const admin = sqlAdminStore(sql);
  const adminChannels = sqlAdminChannelStore(sql);
  const reports = sqlReportStore(sql, postWithin);
  const serverInvites = sqlServerInviteStore(sql);
  assertDisjoint([
    accounts,
    channels,
    moderation,
    sendPath,
    eventLog,
    messages,
    memberState,
    invites,
    push,
    blocks,
    files,
    search,
    admin,
    adminChannels,
    reports,
    serverInvites,
  ]);
  return {
    ...accounts,
    ...channels,
    ...moderation,
    ...sendPath,
    ...eventLog,
    ...messages,
    ...memberState,
    ...invites,
    ...push,
    ...blocks,
    ...files,
    ...search,
    ...admin,
    ...adminChannels,
    ...reports,
    ...serverInvites,
    close: () => sql.close(),
  };
}

/** Throws when two slices define the same method. */
export function assertDisjoint(slices: readonly object[]): void {
  const seen = new Set<string>();
  for (const slice of slices)
    for (const key of Object.keys(slice)) {
      if (seen.has(key)) throw new Error(`storage method ${key} is defined by two slices`);
      seen.add(key);
    }
}
