/**
 * What each part of a stored message costs the send path's storage, one at a time: batches of
 * messages appended through the real SQLite storage (no protocol, no network), for
 *
 * - "as it is": every index and column in place, plain text;
 * - "without the live-messages index": `messages_live_by_seq` (what unread counts read) dropped;
 * - "without the pinned index": `messages_pinned` dropped;
 * - "every message mentions": each message carries an `@name` of a member (resolved, stored);
 * - "with the push read": after each batch, the read a Web Push decision makes (the channel's
 *   members holding subscriptions; none here, as on a server where nobody subscribed);
 * - "without the search index": PARLEY_SEARCH=off (no FTS5 entries written);
 * - "without secure delete": `secure_delete` off, so that what is deleted (the search index's
 *   merged segments, say) is left in free pages rather than overwritten;
 * - "search index with prefix indexes": the FTS5 table made again with `prefix='2 3'`, as it
 *   was before migration 0017 (each token then written three times: the word, its first two
 *   and its first three characters);
 * - "auto-moderation off" / "auto-moderation with rules": each message first checked by the
 *   server's auto-moderation, with no rules (the default) or with 200 blocked words, 100
 *   words held for review, the new-account link rule and a mention limit (what the send path adds before the queue;
 *   the channel's own words, none here, come from the node's copy after the first read).
 *
 * Each variant gets a fresh database with the same channel (`members` members); the variants
 * take turns for `rounds` rounds, and each figure is the median over rounds, printed as a ratio
 * of "as it is" in the same run.
 *
 *   node --import tsx bench/send-path-parts.ts [--messages 20000] [--batch 50] [--members 50] [--rounds 3]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { EventType, MessageKind, Role } from "@parley/protocol";
import BetterSqlite3 from "better-sqlite3";
import { AutoModeration } from "../packages/server/src/services/auto-moderation";
import { openSqliteStorage } from "../packages/server/src/storage/sqlite/open-sqlite";
import type { Storage } from "../packages/server/src/storage/storage";
import { describeRun, runInfo } from "./lib/machine";
import { markdownTable, times } from "./lib/report";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "20000" },
    batch: { type: "string", default: "50" },
    members: { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
  },
});
const MESSAGES = Number(values.messages);
const BATCH = Number(values.batch);
const MEMBERS = Number(values.members);
const ROUNDS = Number(values.rounds);

interface Variant {
  name: string;
  /** Run on the migrated file before the storage opens it. */
  schema?: string;
  mention?: boolean;
  pushRead?: boolean;
  /** PARLEY_SEARCH off for the run. */
  searchOff?: boolean;
  secureDeleteOff?: boolean;
  /** Each message checked by auto-moderation first: without rules, or with some. */
  automod?: "off" | "rules";
}

const VARIANTS: Variant[] = [
  { name: "as it is" },
  { name: "without the live-messages index", schema: "drop index messages_live_by_seq" },
  { name: "without the pinned index", schema: "drop index messages_pinned" },
  { name: "every message mentions", mention: true },
  { name: "with the push read", pushRead: true },
  { name: "without the search index", searchOff: true },
  { name: "without secure delete", secureDeleteOff: true },
  {
    name: "search index with prefix indexes",
    schema:
      "drop table messages_fts; create virtual table messages_fts using fts5(content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
  },
  { name: "auto-moderation off", automod: "off" },
  { name: "auto-moderation with rules", automod: "rules" },
];

/** Two hundred made-up blocked words, none in the benchmark's messages. */
const BLOCKED = Array.from({ length: 200 }, (_, i) => `blocked${i.toString(36)}word`);
const HELD = Array.from({ length: 100 }, (_, i) => `held${i.toString(36)}phrase`);

/** Messages per second appended by one variant on a fresh database. */
async function run(variant: Variant): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-parts-"));
  const path = join(dir, "parley.db");
  try {
    // Migrate, then change the schema with a connection of its own, then open for the run.
    await (await openSqliteStorage(path)).close();
    if (variant.schema) {
      const db = new BetterSqlite3(path);
      db.exec(variant.schema);
      db.close();
    }
    const storage = await openSqliteStorage(path, {
      search: !variant.searchOff,
      secureDelete: !variant.secureDeleteOff,
    });
    try {
      const { channelId, author } = await seed(storage);
      const automod =
        variant.automod &&
        new AutoModeration(
          () =>
            variant.automod === "rules"
              ? { blockedWords: BLOCKED, heldWords: HELD, linkMinAccountHours: 24, maxMentions: 10 }
              : { blockedWords: [], heldWords: [], linkMinAccountHours: 0, maxMentions: 0 },
          storage,
        );
      const writer = { isGuest: false, createdAt: 0 };
      let next = 0;
      const started = performance.now();
      for (let sent = 0; sent < MESSAGES; sent += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, MESSAGES - sent) }, () => {
          const i = next++;
          const content = variant.mention
            ? `@member${i % MEMBERS} the build on main is green again, message ${i}`
            : `the build on main is green again, message ${i}`;
          return { channelId, author, nonce: `n${i}`, content, kind: MessageKind.Text };
        });
        // The channel's own words read once, then from the node's copy, as on a server.
        if (automod)
          for (const m of batch) await automod.check(writer, channelId, m.content, false);
        const results = await storage.appendMessages(batch);
        if (!results.every((r) => r.ok)) throw new Error(`${variant.name}: a send failed`);
        if (variant.pushRead) await storage.pushTargets(channelId, 0);
      }
      return MESSAGES / ((performance.now() - started) / 1000);
    } finally {
      await storage.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function seed(storage: Storage) {
  const user = async (username: string) => {
    const { user } = await storage.createUserWithSession(
      { username, passwordHash: "h", isGuest: false },
      `seed-${username}`,
    );
    return { id: user.id, name: user.username };
  };
  const author = await user("author");
  const { channel } = await storage.createChannel({ name: "parts", topic: "", owner: author });
  for (let i = 0; i < MEMBERS; i++) {
    const member = await user(`member${i}`);
    await storage.addMember(channel.id, member.id, Role.Member, {
      type: EventType.MemberJoined,
      actor: member,
    });
  }
  return { channelId: channel.id, author };
}

const rates = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++)
  for (const variant of VARIANTS) rates.get(variant.name)!.push(await run(variant));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const base = median(rates.get("as it is")!);
console.log(describeRun(runInfo()));
console.log(
  `\n${MESSAGES} messages in batches of ${BATCH}, a channel of ${MEMBERS + 1}, ${ROUNDS} rounds (medians)\n`,
);
console.log(
  markdownTable(
    ["variant", "messages/s", "ratio to as it is"],
    VARIANTS.map((v) => {
      const rate = median(rates.get(v.name)!);
      return [v.name, Math.round(rate), times(rate / base)];
    }),
  ),
);
