import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";

export type SqlDialect = "sqlite" | "postgres";

/**
 * Schema migrations, in order. Each runs in a transaction; the same code builds the SQLite and
 * the PostgreSQL schema, differing only in how an auto-incrementing id is declared.
 */
export function migrations(dialect: SqlDialect): Record<string, Migration> {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  const idColumn = (t: any) =>
    dialect === "sqlite"
      ? t.addColumn("id", "integer", (c: any) => c.primaryKey().autoIncrement())
      : t.addColumn("id", "bigserial", (c: any) => c.primaryKey());
  return {
    "0001_core": {
      // biome-ignore lint/suspicious/noExplicitAny: untyped during migration
      async up(db: Kysely<any>) {
        await idColumn(db.schema.createTable("users"))
          .addColumn("username", "text", (c: any) => c.notNull())
          .addColumn("username_lower", "text", (c: any) => c.notNull().unique())
          .addColumn("password_hash", "text")
          .addColumn("is_guest", "integer", (c: any) => c.notNull())
          .addColumn("created_at", "bigint", (c: any) => c.notNull())
          .execute();
        await idColumn(db.schema.createTable("sessions"))
          .addColumn("user_id", "bigint", (c: any) => c.notNull().references("users.id"))
          .addColumn("token_hash", "text", (c: any) => c.notNull().unique())
          .addColumn("created_at", "bigint", (c: any) => c.notNull())
          .addColumn("revoked_at", "bigint")
          .execute();
        await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();
        await idColumn(db.schema.createTable("channels"))
          .addColumn("name", "text", (c: any) => c.notNull())
          .addColumn("name_lower", "text", (c: any) => c.notNull().unique())
          .addColumn("topic", "text", (c: any) => c.notNull())
          .addColumn("created_by", "bigint", (c: any) => c.notNull().references("users.id"))
          .addColumn("created_at", "bigint", (c: any) => c.notNull())
          .addColumn("last_seq", "bigint", (c: any) => c.notNull())
          .addColumn("slow_mode", "integer", (c: any) => c.notNull())
          .execute();
        await db.schema
          .createTable("memberships")
          .addColumn("channel_id", "bigint", (c: any) => c.notNull().references("channels.id"))
          .addColumn("user_id", "bigint", (c: any) => c.notNull().references("users.id"))
          .addColumn("role", "integer", (c: any) => c.notNull())
          .addColumn("joined_at", "bigint", (c: any) => c.notNull())
          .addPrimaryKeyConstraint("memberships_pk", ["channel_id", "user_id"])
          .execute();
        await db.schema.createIndex("memberships_user").on("memberships").column("user_id").execute();
        await db.schema
          .createTable("events")
          .addColumn("channel_id", "bigint", (c: any) => c.notNull().references("channels.id"))
          .addColumn("seq", "bigint", (c: any) => c.notNull())
          .addColumn("type", "integer", (c: any) => c.notNull())
          .addColumn("actor_id", "bigint", (c: any) => c.notNull())
          .addColumn("actor_name", "text", (c: any) => c.notNull())
          .addColumn("created_at", "bigint", (c: any) => c.notNull())
          .addColumn("message_id", "bigint")
          .addColumn("data", "text", (c: any) => c.notNull())
          .addPrimaryKeyConstraint("events_pk", ["channel_id", "seq"])
          .execute();
        await idColumn(db.schema.createTable("messages"))
          .addColumn("channel_id", "bigint", (c: any) => c.notNull().references("channels.id"))
          .addColumn("seq", "bigint", (c: any) => c.notNull())
          .addColumn("author_id", "bigint", (c: any) => c.notNull().references("users.id"))
          .addColumn("nonce", "text", (c: any) => c.notNull())
          .addColumn("content", "text", (c: any) => c.notNull())
          .addColumn("kind", "integer", (c: any) => c.notNull())
          .addColumn("created_at", "bigint", (c: any) => c.notNull())
          .execute();
        await db.schema
          .createIndex("messages_author_nonce")
          .unique()
          .on("messages")
          .columns(["author_id", "nonce"])
          .execute();
        await db.schema
          .createTable("reactions")
          .addColumn("message_id", "bigint", (c: any) => c.notNull().references("messages.id"))
          .addColumn("user_id", "bigint", (c: any) => c.notNull().references("users.id"))
          .addColumn("emoji", "text", (c: any) => c.notNull())
          .addColumn("created_at", "bigint", (c: any) => c.notNull())
          .addPrimaryKeyConstraint("reactions_pk", ["message_id", "emoji", "user_id"])
          .execute();
        await sql`select 1`.execute(db);
      },
    },
  };
}

/** Serves the migrations above to Kysely's Migrator. */
export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}
