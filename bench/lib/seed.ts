import { createHash, randomBytes } from "node:crypto";
import BetterSqlite3 from "better-sqlite3";
import { openSqliteStorage } from "../../packages/server/src/storage/sqlite/open-sqlite";

export interface SeededUser {
  id: number;
  name: string;
  token: string;
}

/**
 * Fills a Parley SQLite database directly, before the server starts: users with session tokens,
 * channels with their members, and message history. The schema comes from the server's own
 * migrations (run by openSqliteStorage); rows are written in large transactions, so a million
 * messages take seconds instead of the hours of one acked send each.
 */
export class Seeder {
  private constructor(private readonly db: BetterSqlite3.Database) {}

  static async open(path: string): Promise<Seeder> {
    const storage = await openSqliteStorage(path);
    await storage.close();
    const db = new BetterSqlite3(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    return new Seeder(db);
  }

  /** Creates `count` guest users, each with a live session; returns their tokens. */
  users(count: number, prefix = "b"): SeededUser[] {
    const now = Date.now();
    const insertUser = this.db.prepare(
      "INSERT INTO users (username, username_lower, password_hash, is_guest, created_at) VALUES (?, ?, NULL, 1, ?)",
    );
    const insertSession = this.db.prepare(
      "INSERT INTO sessions (user_id, token_hash, created_at) VALUES (?, ?, ?)",
    );
    const out: SeededUser[] = [];
    this.db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const name = `${prefix}${i.toString(36)}-${randomBytes(3).toString("hex")}`;
        const id = Number(insertUser.run(name, name.toLowerCase(), now).lastInsertRowid);
        const token = randomBytes(32).toString("base64url");
        insertSession.run(id, createHash("sha256").update(token).digest("hex"), now);
        out.push({ id, name, token });
      }
    })();
    return out;
  }

  /** Creates a channel owned by the first member, with every user given as a member. */
  channel(name: string, memberIds: readonly number[]): number {
    const now = Date.now();
    const owner = memberIds[0];
    if (owner === undefined) throw new Error("a channel needs a member");
    let channelId = 0;
    // The member's name key where the schema has it (a baseline's older one may not).
    const keyed = (
      this.db.prepare("PRAGMA table_info(memberships)").all() as { name: string }[]
    ).some((c) => c.name === "name_key");
    const insertMember = this.db.prepare(
      keyed
        ? "INSERT INTO memberships (channel_id, user_id, role, joined_at, name_key) VALUES (?, ?, ?, ?, (SELECT username_lower FROM users WHERE id = ?))"
        : "INSERT INTO memberships (channel_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      channelId = Number(
        this.db
          .prepare(
            "INSERT INTO channels (name, name_lower, topic, created_by, created_at, last_seq, slow_mode) VALUES (?, ?, '', ?, ?, 0, 0)",
          )
          .run(name, name.toLowerCase(), owner, now).lastInsertRowid,
      );
      memberIds.forEach((userId, i) => {
        if (keyed) insertMember.run(channelId, userId, i === 0 ? 3 : 1, now, userId);
        else insertMember.run(channelId, userId, i === 0 ? 3 : 1, now);
      });
    })();
    return channelId;
  }

  /** Appends `count` MessagePosted events (with their messages) to a channel. */
  messages(channelId: number, author: SeededUser, count: number, contentBytes: number): void {
    const row = this.db.prepare("SELECT last_seq FROM channels WHERE id = ?").get(channelId) as {
      last_seq: number;
    };
    let seq = Number(row.last_seq);
    const insertMessage = this.db.prepare(
      "INSERT INTO messages (channel_id, seq, author_id, nonce, content, kind, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
    );
    const insertEvent = this.db.prepare(
      "INSERT INTO events (channel_id, seq, type, actor_id, actor_name, created_at, message_id, data) VALUES (?, ?, 1, ?, ?, ?, ?, '{}')",
    );
    const start = Date.now() - count;
    const chunk = 50_000;
    for (let done = 0; done < count; done += chunk) {
      this.db.transaction(() => {
        for (let k = done; k < Math.min(count, done + chunk); k++) {
          seq++;
          const content = `message ${seq} `.padEnd(contentBytes, "lorem ipsum ");
          const ts = start + k;
          const id = Number(
            insertMessage.run(channelId, seq, author.id, `seed-${seq}`, content, ts)
              .lastInsertRowid,
          );
          insertEvent.run(channelId, seq, author.id, author.name, ts, id);
        }
      })();
    }
    this.db.prepare("UPDATE channels SET last_seq = ? WHERE id = ?").run(seq, channelId);
  }

  close(): void {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    this.db.close();
  }
}
