import {
  GROUP_MENTIONS,
  type MentionGroup,
  may,
  mentionGroup,
  mentionTokens,
  type Role,
  rankOf,
} from "@parley/protocol";
import { sql as raw } from "kysely";
import type { AuthorRights } from "../send-path";
import { columnsOf, type Db, type SqlContext, unnestInsert } from "./context";

/** The resolved mentions of a message, as its events carry them. */
export interface Mentions {
  /** Mentioned user ids, ascending; absent when none. */
  mn?: number[];
  mg?: MentionGroup;
}

/** A message's `@names` still to resolve: its channel and its individual (non-group) names. */
export interface MentionLookup {
  channelId: number;
  names: readonly string[];
}

/** Most rows in one insert into `mentions` on SQLite (4 parameters a row). */
const MENTION_ROWS = 64;

/** The PostgreSQL types of a `mentions` row's columns, in the order of its parameters. */
const MENTION_TYPES = {
  channel_id: "bigint",
  seq: "bigint",
  user_id: "bigint",
  author_id: "bigint",
};

/**
 * Resolution and storage of mentions over SQL, shared by the send path (a batch, one read per
 * chunk) and the edit path (one message). A name resolves against the channel's members at
 * the moment of the write, by the key usernames are unique by (`username_lower`, which for the
 * username alphabet is the lower-cased name).
 */
export function sqlMentions(sql: SqlContext) {
  const { db } = sql;

  /**
   * The read of the members of `rows` (channel, name) pairs, or (`unnest`, PostgreSQL) of two
   * arrays. SQLite's sizes are rounded up to a power of two (the last pair repeated), so few
   * statements are kept.
   */
  function membersQuery(rows: number | "unnest") {
    return db
      .selectFrom("memberships as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .select(["m.channel_id", "u.id", "u.username_lower"])
      .where(({ eb, refTuple, tuple }) =>
        rows === "unnest"
          ? raw<boolean>`(m.channel_id, u.username_lower) in (select * from unnest(${0}::bigint[], ${""}::text[]))`
          : eb(
              refTuple("m.channel_id", "u.username_lower"),
              "in",
              Array.from({ length: rows }, () => tuple(0, "")),
            ),
      );
  }

  function insertSql(rows: number): string {
    return sql.statement(`mentions:insert:${rows}`, () =>
      db
        .insertInto("mentions")
        .values(
          Array.from({ length: rows }, () => ({ channel_id: 0, seq: 0, user_id: 0, author_id: 0 })),
        ),
    );
  }

  return {
    /**
     * The member ids of the names, in one read, keyed `channel:name`. Nothing is read when no
     * lookup has a name.
     */
    async resolve(db: Db, lookups: readonly MentionLookup[]): Promise<Map<string, number>> {
      const pairs = [...new Set(lookups.flatMap((l) => l.names.map((n) => `${l.channelId}:${n}`)))];
      const found = new Map<string, number>();
      if (pairs.length === 0) return found;
      const split = (pair: string): [number, string] => {
        const colon = pair.indexOf(":");
        return [Number(pair.slice(0, colon)), pair.slice(colon + 1)];
      };
      let text: string;
      let parameters: unknown[];
      if (sql.dialect === "postgres") {
        text = sql.statement("mentions:members:unnest", () => membersQuery("unnest"));
        parameters = columnsOf(pairs.map(split));
      } else {
        const rows = 2 ** Math.ceil(Math.log2(pairs.length));
        text = sql.statement(`mentions:members:${rows}`, () => membersQuery(rows));
        parameters = [];
        for (let k = 0; k < rows; k++)
          parameters.push(...split(pairs[Math.min(k, pairs.length - 1)]!));
      }
      const members = await sql.runSql<{ channel_id: number; id: number; username_lower: string }>(
        db,
        text,
        parameters,
      );
      for (const r of members) found.set(`${r.channel_id}:${r.username_lower}`, Number(r.id));
      return found;
    },

    /** Stores the `mentions` rows of messages just written (one multi-row insert per 64). */
    async store(
      db: Db,
      messages: readonly { channelId: number; seq: number; authorId: number; mentions: Mentions }[],
    ): Promise<void> {
      const rows = messages.flatMap(({ channelId, seq, authorId, mentions }) => [
        ...(mentions.mg ? [[channelId, seq, 0, authorId]] : []),
        ...(mentions.mn ?? []).map((u) => [channelId, seq, u, authorId]),
      ]);
      if (rows.length === 0) return;
      if (sql.dialect === "postgres") {
        const text = sql.statement("mentions:insert:unnest", () =>
          unnestInsert("mentions", MENTION_TYPES),
        );
        await sql.runSql(db, text, columnsOf(rows));
        return;
      }
      for (let from = 0; from < rows.length; from += MENTION_ROWS) {
        const chunk = rows.slice(from, from + MENTION_ROWS);
        await sql.runSql(db, insertSql(chunk.length), chunk.flat());
      }
    },
  };
}

/**
 * A message's names to resolve and whether it makes a group mention, before any read: the
 * tokens of its content (none without an `@`), group names apart.
 */
export function mentionRequest(
  channelId: number,
  content: string,
): MentionLookup & { group?: MentionGroup } {
  const tokens = mentionTokens(content);
  const group = mentionGroup(tokens);
  const names = tokens.filter((n) => !Object.hasOwn(GROUP_MENTIONS, n));
  return group ? { channelId, names, group } : { channelId, names };
}

/**
 * The mentions of a message from its request and the resolved members: the author never
 * mentions themself; a group mention needs `mentionChannel` at the role read at commit.
 */
export function resolvedMentions(
  request: MentionLookup & { group?: MentionGroup },
  members: ReadonlyMap<string, number>,
  authorId: number,
  role: number | undefined,
  rights: AuthorRights | undefined,
): Mentions {
  const ids = new Set<number>();
  for (const name of request.names) {
    const id = members.get(`${request.channelId}:${name}`);
    if (id !== undefined && id !== authorId) ids.add(id);
  }
  const mentions: Mentions = {};
  if (ids.size > 0) mentions.mn = [...ids].sort((a, b) => a - b);
  const rank = rankOf(
    role === undefined ? undefined : (Number(role) as Role),
    rights ?? { isGuest: false, isAdmin: false },
  );
  if (request.group && may("mentionChannel", rank)) mentions.mg = request.group;
  return mentions;
}

/** The `messages.mentions` column of resolved mentions: JSON, or null when none. */
export function mentionsColumn(mentions: Mentions): string | null {
  return mentions.mn || mentions.mg ? JSON.stringify(mentions) : null;
}

/** The mentions stored in a `messages.mentions` column (none for null). */
export function parseMentions(column: string | null | undefined): Mentions {
  return column ? (JSON.parse(column) as Mentions) : {};
}
