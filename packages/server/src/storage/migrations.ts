import { nameKey } from "@parley/protocol";
import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  sql,
} from "kysely";

export type SqlDialect = "sqlite" | "postgres";

/**
 * Schema migrations, in order. Each runs in a transaction; the same code builds the SQLite and
 * the PostgreSQL schema, differing only in how an auto-incrementing id is declared.
 */
export function migrations(dialect: SqlDialect): Record<string, Migration> {
  const idColumn = (t: CreateTableBuilder<string, never>) =>
    dialect === "sqlite"
      ? t.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
      : t.addColumn("id", "bigserial", (c) => c.primaryKey());
  const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
  return {
    "0001_core": {
      async up(db: Kysely<unknown>) {
        await idColumn(db.schema.createTable("users"))
          .addColumn("username", "text", notNull)
          .addColumn("username_lower", "text", (c) => c.notNull().unique())
          .addColumn("password_hash", "text")
          .addColumn("is_guest", "integer", notNull)
          .addColumn("created_at", "bigint", notNull)
          .execute();
        await idColumn(db.schema.createTable("sessions"))
          .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("created_at", "bigint", notNull)
          .addColumn("revoked_at", "bigint")
          .execute();
        await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();
        await idColumn(db.schema.createTable("channels"))
          .addColumn("name", "text", notNull)
          .addColumn("name_lower", "text", (c) => c.notNull().unique())
          .addColumn("topic", "text", notNull)
          .addColumn("created_by", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("created_at", "bigint", notNull)
          .addColumn("last_seq", "bigint", notNull)
          .addColumn("slow_mode", "integer", notNull)
          .execute();
        await db.schema
          .createTable("memberships")
          .addColumn("channel_id", "bigint", (c) => c.notNull().references("channels.id"))
          .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("role", "integer", notNull)
          .addColumn("joined_at", "bigint", notNull)
          .addPrimaryKeyConstraint("memberships_pk", ["channel_id", "user_id"])
          .execute();
        await db.schema
          .createIndex("memberships_user")
          .on("memberships")
          .column("user_id")
          .execute();
        await db.schema
          .createTable("events")
          .addColumn("channel_id", "bigint", (c) => c.notNull().references("channels.id"))
          .addColumn("seq", "bigint", notNull)
          .addColumn("type", "integer", notNull)
          .addColumn("actor_id", "bigint", notNull)
          .addColumn("actor_name", "text", notNull)
          .addColumn("created_at", "bigint", notNull)
          .addColumn("message_id", "bigint")
          .addColumn("data", "text", notNull)
          .addPrimaryKeyConstraint("events_pk", ["channel_id", "seq"])
          .execute();
        await idColumn(db.schema.createTable("messages"))
          .addColumn("channel_id", "bigint", (c) => c.notNull().references("channels.id"))
          .addColumn("seq", "bigint", notNull)
          .addColumn("author_id", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("nonce", "text", notNull)
          .addColumn("content", "text", notNull)
          .addColumn("kind", "integer", notNull)
          .addColumn("created_at", "bigint", notNull)
          .execute();
        await db.schema
          .createIndex("messages_channel_author_nonce")
          .unique()
          .on("messages")
          .columns(["channel_id", "author_id", "nonce"])
          .execute();
        await db.schema
          .createTable("reactions")
          .addColumn("message_id", "bigint", (c) => c.notNull().references("messages.id"))
          .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("emoji", "text", notNull)
          .addColumn("created_at", "bigint", notNull)
          .addPrimaryKeyConstraint("reactions_pk", ["message_id", "emoji", "user_id"])
          .execute();
      },
    },
    "0002_moderation": {
      async up(db: Kysely<unknown>) {
        for (const table of ["mutes", "bans"]) {
          await db.schema
            .createTable(table)
            .addColumn("channel_id", "bigint", (c) => c.notNull().references("channels.id"))
            .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
            .addColumn("until", "bigint")
            .addColumn("reason", "text")
            .addColumn("actor_id", "bigint", notNull)
            .addColumn("created_at", "bigint", notNull)
            .addPrimaryKeyConstraint(`${table}_pk`, ["channel_id", "user_id"])
            .execute();
          await db.schema.createIndex(`${table}_until`).on(table).column("until").execute();
        }
        await idColumn(db.schema.createTable("audit_log"))
          .addColumn("channel_id", "bigint", (c) => c.notNull().references("channels.id"))
          .addColumn("actor_id", "bigint", notNull)
          .addColumn("actor_name", "text", notNull)
          .addColumn("target_id", "bigint")
          .addColumn("target_name", "text")
          .addColumn("action", "text", notNull)
          .addColumn("reason", "text")
          .addColumn("until", "bigint")
          .addColumn("created_at", "bigint", notNull)
          .execute();
        await db.schema
          .createIndex("audit_log_channel")
          .on("audit_log")
          .columns(["channel_id", "id"])
          .execute();
      },
    },
    "0003_server_bans": {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("users").addColumn("banned_at", "bigint").execute();
      },
    },
    "0004_name_keys": {
      // `name_lower` and `username_lower` (unique) now hold `nameKey` of the name: NFKC and
      // case folded, not only lower-cased.
      async up(db: Kysely<unknown>) {
        await rekey(db, "channels", "name", "name_lower");
        await rekey(db, "users", "username", "username_lower");
      },
    },
    "0005_guest_activity": {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("users").addColumn("last_active_at", "bigint").execute();
        // Guests from before have never been seen: their creation stands for it.
        await sql`update users set last_active_at = created_at where is_guest = 1`.execute(db);
        await db.schema
          .createIndex("users_guest_activity")
          .on("users")
          .columns(["is_guest", "last_active_at"])
          .execute();
      },
    },
    "0006_message_edits": {
      // Edits and deletes: the current state on the message row (read by the join every
      // history and replay read already makes), the earlier versions in their own table, and
      // the nonces of changes for idempotent retries.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable("messages")
          .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
          .execute();
        for (const column of ["edited_at", "edit_seq", "deleted_at", "deleted_by"])
          await db.schema.alterTable("messages").addColumn(column, "bigint").execute();
        await db.schema.alterTable("messages").addColumn("deleted_by_name", "text").execute();
        await db.schema.alterTable("messages").addColumn("deleted_by_mod", "integer").execute();
        await db.schema
          .createTable("message_versions")
          .addColumn("message_id", "bigint", (c) => c.notNull().references("messages.id"))
          .addColumn("version", "integer", notNull)
          .addColumn("content", "text", notNull)
          .addColumn("created_at", "bigint", notNull)
          .addColumn("seq", "bigint", notNull)
          .addPrimaryKeyConstraint("message_versions_pk", ["message_id", "version"])
          .execute();
        await db.schema
          .createTable("message_changes")
          .addColumn("channel_id", "bigint", (c) => c.notNull().references("channels.id"))
          .addColumn("actor_id", "bigint", notNull)
          .addColumn("op", "integer", notNull)
          .addColumn("nonce", "text", notNull)
          .addColumn("message_id", "bigint", notNull)
          .addColumn("seq", "bigint", notNull)
          .addColumn("version", "integer", notNull)
          .addPrimaryKeyConstraint("message_changes_pk", ["channel_id", "actor_id", "op", "nonce"])
          .execute();
      },
    },
    "0007_pins": {
      // A pin is the state of its message (who pinned it, when), like an edit or a deletion;
      // the pinned list of a channel is read by its own index.
      async up(db: Kysely<unknown>) {
        for (const column of ["pinned_at", "pinned_by"])
          await db.schema.alterTable("messages").addColumn(column, "bigint").execute();
        await db.schema.alterTable("messages").addColumn("pinned_by_name", "text").execute();
        await db.schema
          .createIndex("messages_pinned")
          .on("messages")
          .columns(["channel_id", "pinned_at"])
          .execute();
      },
    },
    "0008_replies": {
      // The message a reply answers (same channel; the quote is read from its current row).
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("messages").addColumn("reply_to", "bigint").execute();
      },
    },
    "0009_mentions": {
      // The resolved mentions of a message's current content: as the event shows them (JSON on
      // the message row, read by the readers' join), and one row per mentioned user (0 for a
      // group mention) for counting a user's mentions after a seq. Both are rewritten by an
      // edit and removed by a deletion.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("messages").addColumn("mentions", "text").execute();
        await db.schema
          .createTable("mentions")
          .addColumn("channel_id", "bigint", notNull)
          .addColumn("seq", "bigint", notNull)
          .addColumn("user_id", "bigint", notNull)
          .addColumn("author_id", "bigint", notNull)
          .addPrimaryKeyConstraint("mentions_pk", ["channel_id", "seq", "user_id"])
          .execute();
        await db.schema
          .createIndex("mentions_user")
          .on("mentions")
          .columns(["user_id", "channel_id", "seq"])
          .execute();
      },
    },
    "0010_private_channels": {
      // A channel's visibility, and its invite links. A link's code is stored only as its
      // sha-256 (hex), like a session token: a copy of the database redeems nothing. Uses are
      // counted on the row, by the conditional update that also takes its lock.
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable("channels")
          .addColumn("private", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
        await idColumn(db.schema.createTable("invites"))
          .addColumn("channel_id", "bigint", (c) => c.notNull().references("channels.id"))
          .addColumn("code_hash", "text", (c) => c.notNull().unique())
          .addColumn("created_by", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("created_by_name", "text", notNull)
          .addColumn("created_at", "bigint", notNull)
          .addColumn("expires_at", "bigint")
          .addColumn("max_uses", "integer")
          .addColumn("uses", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createIndex("invites_channel")
          .on("invites")
          .columns(["channel_id", "id"])
          .execute();
      },
    },
    "0011_member_state": {
      // Each member's read marker and notification level. Memberships from before start read
      // up to their channel's last seq (nothing already sent becomes unread), notified of
      // mentions. The live messages of a channel by seq, with their author, are the index the
      // unread counts read alone.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex("messages_live_by_seq")
          .on("messages")
          // `deleted_at` too, though always null here: SQLite then reads the index alone.
          .columns(["channel_id", "seq", "author_id", "deleted_at"])
          .where(sql.ref("deleted_at"), "is", null)
          .execute();
        await db.schema
          .alterTable("memberships")
          .addColumn("read_seq", "bigint", (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .alterTable("memberships")
          .addColumn("notify_level", "integer", (c) => c.notNull().defaultTo(2))
          .execute();
        await sql`update memberships set read_seq = (select last_seq from channels where channels.id = memberships.channel_id)`.execute(
          db,
        );
      },
    },
    "0012_web_push": {
      // Web Push: the server's settings (its VAPID key pair, kept so every node and every
      // restart signs with the same key), and each device's subscription, by endpoint (one
      // device, one user: a later subscriber takes it over), read per user in id order.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("server_settings")
          .addColumn("key", "text", (c) => c.primaryKey())
          .addColumn("value", "text", notNull)
          .execute();
        await idColumn(db.schema.createTable("push_subscriptions"))
          .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("endpoint", "text", (c) => c.notNull().unique())
          .addColumn("p256dh", "text", notNull)
          .addColumn("auth", "text", notNull)
          .addColumn("user_agent", "text")
          .addColumn("created_at", "bigint", notNull)
          .execute();
        await db.schema
          .createIndex("push_subscriptions_user")
          .on("push_subscriptions")
          .columns(["user_id", "id"])
          .execute();
      },
    },
    "0013_direct_messages": {
      // A channel's kind: 0 a channel, 1 a direct message. A DM's name (and so its unique
      // `name_lower`) is `\ndm:<sorted member ids>`: no channel name holds a newline, so the
      // key never meets one, and two opens of the same DM at once meet on it. Blocks are per
      // user, read both ways (who blocked me, whom I blocked).
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable("channels")
          .addColumn("kind", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createTable("blocks")
          .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("blocked_id", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("created_at", "bigint", notNull)
          .addPrimaryKeyConstraint("blocks_pk", ["user_id", "blocked_id"])
          .execute();
        await db.schema
          .createIndex("blocks_blocked")
          .on("blocks")
          .columns(["blocked_id", "user_id"])
          .execute();
      },
    },
    "0014_admins": {
      // Server admins are stored, granted by the command line or by another admin; the
      // PARLEY_ADMINS variable only seeds them (see `seedAdmins`).
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable("users")
          .addColumn("is_admin", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    "0015_search": {
      // Full-text search over message content. SQLite: an FTS5 table with the messages as its
      // external content (the text is stored once), folding case and diacritics, with prefix
      // indexes for `wor*`. PostgreSQL: a tsvector per message, of its content folded the same
      // way (`parley_search_vector`: decomposed, combining marks removed, every run of
      // non-alphanumerics a space, then 'simple', which lowercases) so both databases split
      // and fold text as the protocol's `searchTokens` does. The triggers that fill them, the
      // GIN index and the backfill belong to `syncSearchIndex`, run at every start: they follow
      // PARLEY_SEARCH, which may be turned off and on again. A user's messages newest first
      // are an index of their own, for `from:`.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex("messages_author")
          .on("messages")
          .columns(["author_id", "id"])
          .execute();
        if (dialect === "sqlite") {
          await sql`create virtual table messages_fts using fts5(content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')`.execute(
            db,
          );
          return;
        }
        await db.schema.alterTable("messages").addColumn("search", sql`tsvector`).execute();
        await sql`create function parley_search_vector(content text) returns tsvector
          language sql immutable parallel safe as $$
            select to_tsvector('simple', regexp_replace(regexp_replace(normalize(content, nfd),
              '[\u0300-\u036f]', '', 'g'), '[^[:alnum:]]+', ' ', 'g'))
          $$`.execute(db);
      },
    },
    "0016_files": {
      // Uploads: one row per file, by a random id, with its uploader; `message_id` (and the
      // channel) set in the send's transaction that attaches it. `deleted_at` marks a row whose
      // bytes are to go (its message was deleted, or it stayed unattached too long): nobody can
      // attach or read it from then on, and a sweep deletes the bytes, then the row. A message
      // keeps its files' descriptions (JSON) in its own row, so history reads no join.
      // `file_chunks` holds the bytes for the PostgreSQL file store (SQLite's go to disk).
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("files")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("uploader_id", "bigint", (c) => c.notNull().references("users.id"))
          .addColumn("channel_id", "bigint")
          .addColumn("message_id", "bigint")
          .addColumn("name", "text", notNull)
          .addColumn("size", "bigint", notNull)
          .addColumn("type", "text", notNull)
          .addColumn("width", "integer")
          .addColumn("height", "integer")
          .addColumn("thumb", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", "bigint", notNull)
          .addColumn("deleted_at", "bigint")
          .execute();
        await db.schema
          .createIndex("files_uploader")
          .on("files")
          .columns(["uploader_id", "deleted_at"])
          .execute();
        await db.schema.createIndex("files_message").on("files").column("message_id").execute();
        await db.schema
          .createIndex("files_unattached")
          .on("files")
          .columns(["message_id", "created_at"])
          .execute();
        await db.schema.alterTable("messages").addColumn("files", "text").execute();
        await db.schema
          .createTable("file_chunks")
          .addColumn("key", "text", notNull)
          .addColumn("n", "integer", notNull)
          .addColumn("data", dialect === "sqlite" ? "blob" : "bytea", notNull)
          .addPrimaryKeyConstraint("file_chunks_pk", ["key", "n"])
          .execute();
      },
    },
    "0017_search_without_prefix_indexes": {
      // SQLite: the FTS5 table made again without its prefix indexes. They wrote every token
      // three times (the word, its first two and first three characters), a third of what the
      // index cost each send, for `wor*` queries alone; without them `wor*` reads the range of
      // words it starts in the main index. The index is rebuilt by `syncSearchIndex` at the
      // start that follows (its state cleared here), with progress in the log. PostgreSQL's
      // tsvector answers prefixes from its GIN index and does not change.
      async up(db: Kysely<unknown>) {
        if (dialect !== "sqlite") return;
        for (const trigger of ["insert", "update", "delete"])
          await sql.raw(`drop trigger if exists messages_fts_${trigger}`).execute(db);
        await sql`drop table messages_fts`.execute(db);
        await sql`create virtual table messages_fts using fts5(content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`.execute(
          db,
        );
        // Its vocabulary, each word with its number of messages: how a search that names
        // channels or authors chooses its plan (see `checkEachRow`).
        await sql`create virtual table messages_fts_terms using fts5vocab(messages_fts, row)`.execute(
          db,
        );
        await sql`delete from server_settings where key = 'search_index'`.execute(db);
      },
    },
    "0018_link_previews": {
      async up(db) {
        // JSON `LinkPreview[]`, null when none; written by the LinkPreviewsChanged events.
        await db.schema.alterTable("messages").addColumn("link_previews", "text").execute();
      },
    },
    "0019_admin_console": {
      // Server bans with an end and a reason; the admin API's audit log, with what each change
      // changed as JSON (before and after).
      async up(db) {
        await db.schema.alterTable("users").addColumn("banned_until", "bigint").execute();
        await db.schema.alterTable("users").addColumn("ban_reason", "text").execute();
        await idColumn(db.schema.createTable("admin_audit"))
          .addColumn("actor_id", "integer", notNull)
          .addColumn("actor_name", "text", notNull)
          .addColumn("action", "text", notNull)
          .addColumn("target_kind", "text", notNull)
          .addColumn("target_id", "integer", notNull)
          .addColumn("target_name", "text", notNull)
          .addColumn("before", "text")
          .addColumn("after", "text")
          .addColumn("created_at", "bigint", notNull)
          .execute();
      },
    },
    "0020_node_stats": {
      // Each node's figures every few seconds over the last hour, for the admin console: one
      // table every node writes, so any node can show them all.
      async up(db) {
        await db.schema
          .createTable("node_stats")
          .addColumn("node", "text", notNull)
          .addColumn("at", "bigint", notNull)
          .addColumn("connections", "integer", notNull)
          .addColumn("messages", "bigint", notNull)
          .addColumn("lag_ms", "real", notNull)
          .addPrimaryKeyConstraint("node_stats_pk", ["node", "at"])
          .execute();
      },
    },
    "0021_search_word_pairs": {
      // PostgreSQL: each message's tsvector also holds its adjacent word pairs. The GIN index
      // keeps no positions, so a phrase's candidates were every message holding all its words,
      // each rechecked: for two common words, a tenth of all messages. A pair of them is far
      // rarer than either word, and a phrase's pairs now find its candidates (see `tsTerm`).
      // A pair is one lexeme: `~`, the two words, a space between. No word holds a `~` or a
      // space, so no word or prefix (`rel*`) ever matches a pair, and a pair, which has no
      // position, never enters a phrase's positions. The text is folded and split once
      // (`parley_search_fold`) for the words and the pairs; a query's pairs go through the same
      // functions, so both sides split alike. The vectors are rebuilt by `syncSearchIndex` at
      // the start that follows (its state cleared here), with progress in the log. SQLite's
      // FTS5 index keeps positions and does not change.
      async up(db: Kysely<unknown>) {
        if (dialect !== "postgres") return;
        await sql`create function parley_search_fold(content text) returns text
          language sql immutable parallel safe as $$
            select lower(regexp_replace(regexp_replace(normalize(content, nfd),
              '[\u0300-\u036f]', '', 'g'), '[^[:alnum:]]+', ' ', 'g'))
          $$`.execute(db);
        // Only pairs of two words of at most 4 characters: the words every language uses most
        // are short (`it for`, `de la`, `и в`), and a phrase with a longer, rarer word finds
        // few candidates by its words alone. Pairs of every word made the index 3.2 times the
        // size. PL/pgSQL, the text folded once: the vector costs 1.2 times what it did without
        // pairs, where SQL functions over sets (never inlined) cost three times.
        await sql`create function parley_search_pairs(folded text) returns text[]
          language plpgsql immutable parallel safe as $$
            declare
              w text[] := string_to_array(btrim(folded), ' ');
              pairs text[] := '{}';
            begin
              for i in 1 .. coalesce(cardinality(w), 0) - 1 loop
                if length(w[i]) <= 4 and length(w[i + 1]) <= 4 then
                  pairs := pairs || ('~' || w[i] || ' ' || w[i + 1]);
                end if;
              end loop;
              return pairs;
            end $$`.execute(db);
        await sql`create or replace function parley_search_vector(content text) returns tsvector
          language plpgsql immutable parallel safe as $$
            declare
              f text := parley_search_fold(content);
            begin
              return to_tsvector('simple', f) || array_to_tsvector(parley_search_pairs(f));
            end $$`.execute(db);
        // A phrase's pairs, all required; null when it has none.
        await sql`create function parley_search_pair_query(phrase text) returns tsquery
          language sql immutable parallel safe as $$
            select string_agg(quote_literal(p), ' & ')::tsquery
            from unnest(parley_search_pairs(parley_search_fold(phrase))) as p
          $$`.execute(db);
        // Ten times the default statistics: with pairs the vectors hold more distinct lexemes,
        // and at the default the planner took a rare word for ten times as many messages (766
        // for 80) and read the searcher's channels one by one instead of the word's matches.
        await sql`alter table messages alter column search set statistics 1000`.execute(db);
        await sql`delete from server_settings where key = 'search_index'`.execute(db);
      },
    },
    "0022_reports": {
      // Reports of messages: the message as it was when reported (its text is copied: an edit
      // or a deletion since does not change what the moderators judge), the reporter and why,
      // and who closed it. One report per message and reporter.
      async up(db) {
        await idColumn(db.schema.createTable("reports"))
          .addColumn("channel_id", "bigint", notNull)
          .addColumn("message_id", "bigint", notNull)
          .addColumn("seq", "bigint", notNull)
          .addColumn("author_id", "bigint", notNull)
          .addColumn("author_name", "text", notNull)
          .addColumn("content", "text", notNull)
          .addColumn("reporter_id", "bigint", notNull)
          .addColumn("reporter_name", "text", notNull)
          .addColumn("reason", "text", notNull)
          .addColumn("created_at", "bigint", notNull)
          .addColumn("status", "integer", notNull)
          .addColumn("closed_by", "bigint")
          .addColumn("closed_by_name", "text")
          .addColumn("closed_at", "bigint")
          .execute();
        await db.schema
          .createIndex("reports_message_reporter")
          .on("reports")
          .columns(["message_id", "reporter_id"])
          .unique()
          .execute();
        await db.schema
          .createIndex("reports_channel")
          .on("reports")
          .columns(["channel_id", "id"])
          .execute();
      },
    },
    "0023_account_lifecycle": {
      // Accounts an admin deactivated (no sign-in until reactivated) or deleted (for good: the
      // row stays, under a `deleted-<id>` name, so that kept messages keep an author).
      async up(db) {
        await db.schema.alterTable("users").addColumn("deactivated_at", "bigint").execute();
        await db.schema.alterTable("users").addColumn("deleted_at", "bigint").execute();
      },
    },
    "0024_retention": {
      // A channel's own retention in days (0: none of its own, the server's applies).
      async up(db) {
        await db.schema
          .alterTable("channels")
          .addColumn("retention_days", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    "0025_channel_archive_and_delete": {
      // A channel an admin archived (read-only until unarchived), and one an admin deleted:
      // hidden from then on and purged in batches, after which its row goes too.
      async up(db) {
        await db.schema.alterTable("channels").addColumn("archived_at", "bigint").execute();
        await db.schema.alterTable("channels").addColumn("deleted_at", "bigint").execute();
      },
    },
    "0026_server_invites": {
      // Invites an admin makes for registering while registration is invite-only; a code is
      // stored only as its sha-256.
      async up(db) {
        await idColumn(db.schema.createTable("server_invites"))
          .addColumn("code_hash", "text", (c) => c.notNull().unique())
          .addColumn("created_by", "bigint", notNull)
          .addColumn("created_by_name", "text", notNull)
          .addColumn("created_at", "bigint", notNull)
          .addColumn("expires_at", "bigint")
          .addColumn("max_uses", "integer")
          .addColumn("uses", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("revoked_at", "bigint")
          .addColumn("note", "text")
          .execute();
      },
    },
    "0027_profiles": {
      // What an account shows of itself: a display name, a status text and an avatar (the
      // file store's key of its 256 px WebP); null for none.
      async up(db) {
        for (const column of ["display_name", "status_text", "avatar"])
          await db.schema.alterTable("users").addColumn(column, "text").execute();
      },
    },
    "0028_channel_blocked_words": {
      // A channel's own blocked words (auto-moderation), as a JSON array of entries.
      async up(db) {
        await db.schema
          .alterTable("channels")
          .addColumn("blocked_words", "text", (c) => c.notNull().defaultTo("[]"))
          .execute();
      },
    },
    "0029_held_messages": {
      // Auto-moderation's held messages: a channel's own entries that hold rather than block
      // (JSON, as `blocked_words`), and held messages as reports (`held` 1) with what posting
      // them needs: the sender's nonce (one hold per send, however often it is retried) and a
      // JSON draft of the rest (kind, reply target, files). Until approved a held report has no
      // message: its `message_id` is a random negative number, unique, so the index of one
      // report per message and reporter stays as it is (and nodes not upgraded yet keep using it).
      async up(db) {
        await db.schema
          .alterTable("channels")
          .addColumn("held_words", "text", (c) => c.notNull().defaultTo("[]"))
          .execute();
        await db.schema
          .alterTable("reports")
          .addColumn("held", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable("reports").addColumn("nonce", "text").execute();
        await db.schema.alterTable("reports").addColumn("draft", "text").execute();
        await db.schema
          .createIndex("reports_held_nonce")
          .on("reports")
          .columns(["channel_id", "author_id", "nonce"])
          .unique()
          .execute();
      },
    },
    "0030_member_names": {
      // Each membership keeps its member's name key (as `users.username_lower`, kept in step
      // by renames), indexed by channel: a page of a big channel's members in name order is a
      // range of that index instead of a sort of every member.
      async up(db) {
        await db.schema
          .alterTable("memberships")
          .addColumn("name_key", "text", (c) => c.notNull().defaultTo(""))
          .execute();
        await sql`update memberships set name_key = (select username_lower from users where users.id = memberships.user_id)`.execute(
          db,
        );
        await db.schema
          .createIndex("memberships_name")
          .on("memberships")
          .columns(["channel_id", "name_key"])
          .execute();
      },
    },
  };
}

/**
 * Sets a table's unique key column to `nameKey` of its name column, row by row (NFKC needs
 * JavaScript: SQLite has no normalization). Names that already exist may now share a key
 * (`Lobby` and `Ｌｏｂｂｙ`): the oldest row keeps the key, and each later one gets the key with
 * a newline and its id appended, which no name can produce (names are one line). Such a row
 * keeps its name and id and stays usable, but its name can no longer be taken again, by it or
 * by anyone; nothing is renamed or deleted. Only rows whose key changes are written.
 */
async function rekey(db: Kysely<unknown>, table: string, name: string, key: string) {
  // biome-ignore lint/suspicious/noExplicitAny: the migration runs on tables by name
  const k = db as Kysely<any>;
  const rows: { id: number; name: string; key: string }[] = await k
    .selectFrom(table)
    .select(["id", `${name} as name`, `${key} as key`])
    .orderBy("id")
    .execute();
  const taken = new Set<string>();
  const changed: { id: number; key: string }[] = [];
  for (const row of rows) {
    let next = nameKey(row.name);
    if (taken.has(next)) next = `${next}\n${row.id}`;
    taken.add(next);
    if (next !== row.key) changed.push({ id: row.id, key: next });
  }
  // Two passes: until every row is rewritten, a row's new key may still be another's old one.
  for (const pass of ["parked", "final"]) {
    for (const { id, key: next } of changed) {
      await k
        .updateTable(table)
        .set({ [key]: pass === "parked" ? `\n${id}` : next })
        .where("id", "=", id)
        .execute();
    }
  }
}

/** Serves the migrations above to Kysely's Migrator. */
export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}
