import type { Kysely } from "kysely";
import type { SqlDialect } from "../migrations";
import type { Database } from "../schema";
import type { Storage } from "../storage";
import { sqlAccountStore } from "./accounts";
import { sqlChannelStore } from "./channels";
import { SqlContext } from "./context";
import { sqlEventLog } from "./event-log";
import { sqlMessageStore } from "./message-store";
import { sqlModerationStore } from "./moderation";
import { sqlSendPath } from "./send-path";

/**
 * {@link Storage} over Kysely, for SQLite and PostgreSQL: one object made of the slices, which
 * share one {@link SqlContext} (the database, its writes and its statement cache). `durability`
 * (SQLite) makes commits durable off the event loop and is closed with the storage.
 */
export function sqlStorage(
  db: Kysely<Database>,
  dialect: SqlDialect,
  durability?: { sync: () => Promise<void>; close: () => void },
): Storage {
  const sql = new SqlContext(db, dialect, durability);
  return {
    ...sqlAccountStore(sql),
    ...sqlChannelStore(sql),
    ...sqlModerationStore(sql),
    ...sqlSendPath(sql),
    ...sqlEventLog(sql),
    ...sqlMessageStore(sql),
    close: () => sql.close(),
  };
}
