import {
  ChannelKind,
  EventType,
  excerpt,
  type FileRef,
  MessageKind,
  type ReplyQuote,
} from "@parley/protocol";
import { type Compilable, sql as raw, type Transaction } from "kysely";
import { ParleyError } from "../../errors";
import { fileRef } from "../file-rows";
import type { Database } from "../schema";
import type { AppendResult, NewMessage, SendPath } from "../send-path";
import {
  columnsOf,
  type Db,
  isUniqueViolation,
  type MessagePostedEvent,
  type SeqRow,
  type SqlContext,
  type StandingRow,
  standingError,
  standingQuery,
  unnestInsert,
} from "./context";
import { toFileRow } from "./files";
import {
  type MentionLookup,
  type Mentions,
  mentionRequest,
  mentionsColumn,
  resolvedMentions,
  sqlMentions,
} from "./mentions";
import type { PostWithin } from "./reports";

/** Most rows in one multi-row insert of the send path (10 parameters a row at most). */
const INSERT_ROWS = 32;

/**
 * A message row of the multi-row insert: channel_id, seq, author_id, nonce, content, kind,
 * created_at, reply_to, mentions, files.
 */
const MESSAGE_ROW = {
  channel_id: 0,
  seq: 0,
  author_id: 0,
  nonce: "",
  content: "",
  kind: 0,
  created_at: 0,
  reply_to: 0 as number | null,
  mentions: "" as string | null,
  files: "" as string | null,
};

/**
 * An event row of the multi-row insert: channel_id, seq, type, actor_id, actor_name,
 * created_at, message_id, data.
 */
const EVENT_ROW = {
  channel_id: 0,
  seq: 0,
  type: 0,
  actor_id: 0,
  actor_name: "",
  created_at: 0,
  message_id: 0,
  data: "",
};

/** The PostgreSQL types of {@link MESSAGE_ROW}'s columns, in its order. */
const MESSAGE_TYPES: Record<keyof typeof MESSAGE_ROW, string> = {
  channel_id: "bigint",
  seq: "bigint",
  author_id: "bigint",
  nonce: "text",
  content: "text",
  kind: "integer",
  created_at: "bigint",
  reply_to: "bigint",
  mentions: "text",
  files: "text",
};

/** The PostgreSQL types of {@link EVENT_ROW}'s columns, in its order. */
const EVENT_TYPES: Record<keyof typeof EVENT_ROW, string> = {
  channel_id: "bigint",
  seq: "bigint",
  type: "integer",
  actor_id: "bigint",
  actor_name: "text",
  created_at: "bigint",
  message_id: "bigint",
  data: "text",
};

/**
 * PostgreSQL: takes the next seqs of several channels in one statement, `$2[k]` of channel
 * `$1[k]`. The rows are locked first in ascending id order (a materialized `for update` read
 * that the update joins), so two nodes' batches over the same channels queue behind each other
 * instead of each holding a row the other waits for.
 */
const PG_NEXT_SEQS = `with locked as materialized (
    select id from channels where id = any($1::bigint[]) order by id for update
  )
  update channels c set last_seq = c.last_seq + k.n
  from unnest($1::bigint[], $2::bigint[]) as k(id, n)
  where c.id = k.id and c.id in (select id from locked)
  returning c.id, c.last_seq, c.slow_mode, c.archived_at, c.deleted_at`;

/**
 * 1 or more when the channel is a DM and a block stands between the author (`m.user_id`) and
 * another of its members, either way; else 0. A channel that is not a DM costs one primary-key
 * read of its row (which the send then updates anyway): the block subquery runs for DMs only,
 * `case` being lazy on both databases.
 */
function directBlock() {
  return raw<number>`case when (select c.kind from channels c where c.id = m.channel_id) = ${raw.lit(ChannelKind.Direct)} then (select count(*) from memberships o inner join blocks b on (b.user_id = o.user_id and b.blocked_id = m.user_id) or (b.user_id = m.user_id and b.blocked_id = o.user_id) where o.channel_id = m.channel_id and o.user_id <> m.user_id) else 0 end`.as(
    "blocked",
  );
}

/**
 * {@link SendPath} over SQL: a batch of messages in one transaction with few statements, each
 * kept as SQL text in the context's statement cache.
 */
export function sqlSendPath(sql: SqlContext, lanes: number): SendPath & { postWithin: PostWithin } {
  const { db } = sql;
  const mentioning = sqlMentions(sql);
  /** PostgreSQL takes a batch's columns as arrays; SQLite a placeholder per value. */
  const arrays = sql.dialect === "postgres";
  /**
   * Messages per lookup and insert statement. SQLite's statements keep a placeholder per value,
   * one statement per row count up to {@link INSERT_ROWS}, and cost no round trip. PostgreSQL's
   * take each column as one array (`unnest`, `any`): one statement, one round trip, one parse
   * and plan for a whole batch, whatever its size.
   */
  const perStatement = arrays ? Number.POSITIVE_INFINITY : INSERT_ROWS;

  /**
   * Runs one of the batch statements over `rows` (each a row's values in column order): on
   * SQLite the statement of `placeholders(rows.length)`; on PostgreSQL `unnested`, with the
   * rows' columns as its parameters.
   */
  function runRows<R>(
    trx: Db,
    name: string,
    rows: readonly (readonly unknown[])[],
    placeholders: (count: number) => Compilable,
    unnested: () => Compilable | string,
  ): Promise<R[]> {
    return arrays
      ? sql.runSql<R>(trx, sql.statement(`${name}:unnest`, unnested), columnsOf(rows))
      : sql.runSql<R>(
          trx,
          sql.statement(`${name}:${rows.length}`, () => placeholders(rows.length)),
          rows.flat(),
        );
  }

  /** Stores message rows ({@link messageRow}); resolves to their ids by channel and seq. */
  function insertMessages(
    trx: Db,
    rows: readonly unknown[][],
  ): Promise<{ id: number; channel_id: number; seq: number }[]> {
    return runRows(
      trx,
      "insert:messages",
      rows,
      (count) =>
        db
          .insertInto("messages")
          .values(Array.from({ length: count }, () => MESSAGE_ROW))
          .returning(["id", "channel_id", "seq"]),
      () => unnestInsert("messages", MESSAGE_TYPES, "id, channel_id, seq"),
    );
  }

  /** Stores message events' rows ({@link messageEventRow}). */
  async function insertEvents(trx: Db, rows: readonly unknown[][]): Promise<void> {
    await runRows(
      trx,
      "insert:events",
      rows,
      (count) => db.insertInto("events").values(Array.from({ length: count }, () => EVENT_ROW)),
      () => unnestInsert("events", EVENT_TYPES),
    );
  }

  /**
   * Takes `n` seqs in a row of each channel (`counts`: channel id to n, in ascending id order);
   * resolves to each channel's row after the update, keyed by id (none for a missing channel).
   */
  async function takeSeqs(
    trx: Db,
    counts: ReadonlyMap<number, number>,
  ): Promise<Map<number, SeqRow>> {
    const rows = new Map<number, SeqRow>();
    if (arrays) {
      const taken = await sql.runSql<SeqRow & { id: number }>(
        trx,
        sql.statement("nextSeqs:unnest", () => PG_NEXT_SEQS),
        [[...counts.keys()], [...counts.values()]],
      );
      for (const row of taken) rows.set(Number(row.id), row);
      return rows;
    }
    for (const [channelId, n] of counts) {
      const [row] = await sql.run<SeqRow>(trx, "nextSeq", [n, channelId]);
      if (row) rows.set(channelId, row);
    }
    return rows;
  }

  /**
   * Stores a batch, falling back to one message at a time when one of them fails it.
   * `checkNonces` false (PostgreSQL's first try) skips the read of used nonces: a message whose
   * nonce is used then fails the insert on the unique index, and the batch is stored again with
   * the read. Retries are rare, and the read was a sixth of the database's time per message.
   */
  async function appendBatch(
    batch: readonly NewMessage[],
    retryConflict: boolean,
    checkNonces = !arrays,
  ): Promise<AppendResult[]> {
    if (batch.length === 0) return [];
    // Channels are locked (by nextSeq) in ascending id order, so two nodes' batches over the same
    // channels queue behind each other instead of each holding a row the other waits for. The
    // sort is stable: a channel's messages keep their order. Results go back in input order.
    const order = batch.map((_, i) => i).sort((a, b) => batch[a]!.channelId - batch[b]!.channelId);
    try {
      return await sql.write((trx) => appendIn(trx, batch, order, checkNonces));
    } catch (err) {
      if (!checkNonces && isUniqueViolation(err)) return appendBatch(batch, retryConflict, true);
      if (batch.length === 1) {
        // Another node stored the same (channel, author, nonce) between our lookup and our
        // insert. Its row is committed now, so the retry's lookup returns it as the duplicate.
        if (retryConflict && isUniqueViolation(err)) return appendBatch(batch, false);
        return [{ ok: false, error: err as Error }];
      }
      // One bad message must not fail its batch: store them one by one instead. SQLite's
      // writes keep them in order and in one commit; PostgreSQL's pool could reorder them, so
      // there they go one after another.
      if (sql.writesInOrder)
        return (await Promise.all(batch.map((m) => appendBatch([m], true)))).flat();
      const results: AppendResult[] = [];
      for (const message of batch) results.push(...(await appendBatch([message], true)));
      return results;
    }
  }

  /**
   * Stores a batch in one transaction with few statements: per message, the nonce lookup and
   * the mute check; per channel, one `last_seq + n` update that takes the n seqs in a row; then
   * the messages and their events as multi-row inserts. A channel in slow mode (the rule reads
   * the author's previous message) goes message by message instead. Throws when the batch must
   * be stored one message at a time (a nonce twice in one batch, a slow-mode refusal).
   */
  async function appendIn(
    trx: Transaction<Database>,
    batch: readonly NewMessage[],
    order: readonly number[],
    checkNonces: boolean,
  ): Promise<AppendResult[]> {
    const results: AppendResult[] = new Array(batch.length);
    const now = sql.now();
    const looked = await lookUp(trx, batch, checkNonces);
    const { existing: used, standing, targets } = looked;
    /** The mentions of a message to store, from the reads of {@link lookUp}. */
    const mentionsOf = (i: number): Mentions => {
      const m = batch[i]!;
      const request = looked.requests[i];
      if (!request) return {};
      const role = standing.get(`${m.channelId}:${m.author.id}`)?.role;
      return resolvedMentions(request, looked.members, m.author.id, role, m.authorRights);
    };
    const byChannel = new Map<number, number[]>();
    /** The files of each message to store, by batch index; `claimed` holds their ids. */
    const refs = new Map<number, FileRef[]>();
    const claimed = new Set<string>();
    for (const i of order) {
      const m = batch[i]!;
      const existing = used.get(`${m.channelId}:${m.author.id}:${m.nonce}`);
      if (existing !== undefined) {
        results[i] = {
          ok: true,
          event: await postedEventOf(trx, existing),
          duplicate: true,
        };
        continue;
      }
      const stand = standing.get(`${m.channelId}:${m.author.id}`);
      const refused =
        standingError(stand, now) ?? (stand?.blocked ? new ParleyError("BLOCKED") : undefined);
      if (refused) {
        results[i] = { ok: false, error: refused };
        continue;
      }
      if (m.replyTo !== undefined && targets.get(m.replyTo)?.channelId !== m.channelId) {
        results[i] = { ok: false, error: new ParleyError("NO_SUCH_MESSAGE") };
        continue;
      }
      if (m.files) {
        const attached = attachable(m, looked.files, claimed);
        if (attached instanceof ParleyError) {
          results[i] = { ok: false, error: attached };
          continue;
        }
        refs.set(i, attached);
      }
      const list = byChannel.get(m.channelId);
      if (list) list.push(i);
      else byChannel.set(m.channelId, [i]);
    }
    const stored: { i: number; seq: number }[] = [];
    const seqs = await takeSeqs(
      trx,
      new Map([...byChannel].map(([channelId, indexes]) => [channelId, indexes.length])),
    );
    for (const [channelId, indexes] of byChannel) {
      const row = seqs.get(channelId);
      if (!row || row.deleted_at !== null || row.archived_at !== null) {
        // Give the seqs back (this transaction holds the row): nothing is stored here.
        if (row) await sql.run(trx, "nextSeq", [-indexes.length, channelId]);
        const code = row?.archived_at != null ? "CHANNEL_ARCHIVED" : "NO_SUCH_CHANNEL";
        for (const i of indexes) results[i] = { ok: false, error: new ParleyError(code) };
        continue;
      }
      if (Number(row.slow_mode) > 0 && indexes.some((i) => !batch[i]!.slowModeExempt)) {
        // Give the seqs back (this transaction holds the row) and go one by one.
        await sql.run(trx, "nextSeq", [-indexes.length, channelId]);
        for (const i of indexes)
          results[i] = {
            ok: true,
            ...(await appendMessage(trx, batch[i]!, targets, mentionsOf(i), refs.get(i))),
          };
        continue;
      }
      const first = Number(row.last_seq) - indexes.length + 1;
      for (const [k, i] of indexes.entries()) stored.push({ i, seq: first + k });
    }
    for (let from = 0; from < stored.length; from += perStatement) {
      const chunk = stored.slice(from, from + perStatement).map((c) => ({
        ...c,
        mentions: mentionsOf(c.i),
      }));
      const rows = await insertMessages(
        trx,
        chunk.map(({ i, seq, mentions }) => messageRow(batch[i]!, seq, now, mentions, refs.get(i))),
      );
      const ids = new Map(rows.map((r) => [`${r.channel_id}:${r.seq}`, Number(r.id)]));
      const eventRows: unknown[][] = [];
      for (const { i, seq, mentions } of chunk) {
        const m = batch[i]!;
        const id = ids.get(`${m.channelId}:${seq}`)!;
        eventRows.push(messageEventRow(m, seq, id, now));
        const files = refs.get(i);
        if (files) await attach(trx, m, id, files);
        results[i] = {
          ok: true,
          event: postedEvent(m, seq, id, now, targets, mentions, files),
          duplicate: false,
        };
      }
      await insertEvents(trx, eventRows);
      await storeMentions(
        trx,
        chunk.map(({ i, seq, mentions }) => ({ m: batch[i]!, seq, mentions })),
      );
    }
    if (!checkNonces) {
      // A refused message may be the retry of one stored already: its original, as with the read.
      const refused = batch.filter((_, i) => !results[i]!.ok);
      const used = refused.length > 0 ? await usedNonces(trx, refused) : new Map<string, number>();
      for (const [i, m] of batch.entries()) {
        const id = results[i]!.ok
          ? undefined
          : used.get(`${m.channelId}:${m.author.id}:${m.nonce}`);
        if (id !== undefined)
          results[i] = { ok: true, event: await postedEventOf(trx, id), duplicate: true };
      }
    }
    return results;
  }

  /**
   * For a batch, in two reads per 32 messages on SQLite (per batch on PostgreSQL): the stored
   * message id of each (channel, author, nonce) already used (keyed `channel:author:nonce`;
   * none read without `checkNonces`), and the standing of
   * each (channel, author) that is a membership (keyed `channel:author`: its role and mute).
   * On PostgreSQL the membership rows are share-locked until commit, so a kick or ban (which
   * deletes the row) either waits for this batch or commits first and is seen here. A chunk
   * with replies takes a third read: the live messages they answer (keyed by id), share-locked
   * on PostgreSQL too, so a deletion of one is ordered with the reply's commit. A chunk with
   * `@names` takes one more: the channels' members of those names (`members`, keyed
   * `channel:name`); `requests` holds each message's names by batch index.
   */
  async function lookUp(
    trx: Db,
    batch: readonly NewMessage[],
    checkNonces: boolean,
  ): Promise<{
    existing: Map<string, number>;
    standing: Map<string, StandingRow>;
    targets: Map<number, ReplyTarget>;
    requests: ((MentionLookup & { group?: "here" | "channel" }) | undefined)[];
    members: Map<string, number>;
    files: Map<string, AttachableFile>;
  }> {
    const existing = new Map<string, number>();
    const standing = new Map<string, StandingRow>();
    const targets = new Map<number, ReplyTarget>();
    const requests = batch.map((m) =>
      m.content.includes("@") ? mentionRequest(m.channelId, m.content) : undefined,
    );
    const members = new Map<string, number>();
    const files = new Map<string, AttachableFile>();
    const fileIds = [...new Set(batch.flatMap((m) => m.files ?? []))];
    if (fileIds.length > 0) {
      let q = trx
        .selectFrom("files")
        .selectAll()
        .where("id", "in", fileIds)
        .where("deleted_at", "is", null);
      if (sql.dialect === "postgres") q = q.forUpdate();
      for (const row of await q.execute()) files.set(row.id, toFileRow(row));
    }
    for (let from = 0; from < batch.length; from += perStatement) {
      const chunk = batch.slice(from, from + perStatement);
      if (checkNonces) for (const [key, id] of await usedNonces(trx, chunk)) existing.set(key, id);
      const standingRows = await runRows<StandingRow & { channel_id: number; user_id: number }>(
        trx,
        "standing",
        chunk.map((m) => [m.channelId, m.author.id]),
        standingOf,
        () => standingOf("unnest"),
      );
      for (const r of standingRows) standing.set(`${r.channel_id}:${r.user_id}`, r);
      const named = requests.slice(from, from + perStatement).filter((r) => r !== undefined);
      if (named.some((r) => r.names.length > 0))
        for (const [key, id] of await mentioning.resolve(trx, named)) members.set(key, id);
      const ids = [...new Set(chunk.flatMap((m) => (m.replyTo === undefined ? [] : [m.replyTo])))];
      if (ids.length === 0) continue;
      const answered = await sql.runSql<ReplyTargetRow>(
        trx,
        repliesSql(arrays ? "any" : ids.length),
        arrays ? [ids] : ids,
      );
      for (const r of answered) targets.set(Number(r.id), toReplyTarget(r));
    }
    return { existing, standing, targets, requests, members, files };
  }

  /** The ids of the messages stored with the (channel, author, nonce) of some of `messages`. */
  async function usedNonces(
    trx: Db,
    messages: readonly NewMessage[],
  ): Promise<Map<string, number>> {
    const used = new Map<string, number>();
    for (let from = 0; from < messages.length; from += perStatement) {
      const rows = await runRows<{
        id: number;
        channel_id: number;
        author_id: number;
        nonce: string;
      }>(
        trx,
        "nonces",
        messages.slice(from, from + perStatement).map((m) => [m.channelId, m.author.id, m.nonce]),
        noncesQuery,
        () => noncesQuery("unnest"),
      );
      for (const r of rows) used.set(`${r.channel_id}:${r.author_id}:${r.nonce}`, Number(r.id));
    }
    return used;
  }

  /**
   * The SQL of the read of reply targets, live messages by id with their author: `rows`
   * placeholders, or (`any`, PostgreSQL) one array of ids.
   */
  function repliesSql(rows: number | "any"): string {
    return sql.statement(`replies:${rows}`, () => {
      const q = db
        .selectFrom("messages as q")
        .innerJoin("users as qu", "qu.id", "q.author_id")
        .select(["q.id", "q.channel_id", "q.seq", "q.author_id", "q.content", "qu.username"])
        .where((eb) =>
          rows === "any"
            ? raw<boolean>`q.id = any(${0}::bigint[])`
            : eb(
                "q.id",
                "in",
                Array.from({ length: rows }, () => 0),
              ),
        )
        .where("q.deleted_at", "is", null);
      return arrays ? q.forShare("q") : q;
    });
  }

  /**
   * The read of the messages whose (channel, author, nonce) is one of `rows` placeholders, or
   * (`unnest`, PostgreSQL) of three arrays.
   */
  function noncesQuery(rows: number | "unnest"): Compilable {
    return db
      .selectFrom("messages")
      .select(["id", "channel_id", "author_id", "nonce"])
      .where(({ eb, refTuple, tuple }) =>
        rows === "unnest"
          ? raw<boolean>`(channel_id, author_id, nonce) in (select * from unnest(${0}::bigint[], ${0}::bigint[], ${""}::text[]))`
          : eb(
              refTuple("channel_id", "author_id", "nonce"),
              "in",
              Array.from({ length: rows }, () => tuple(0, 0, "")),
            ),
      );
  }

  /**
   * The read of the standing of each (channel, user) of `rows` placeholders, or (`unnest`,
   * PostgreSQL) of two arrays, with whether a block stands in a DM.
   */
  function standingOf(rows: number | "unnest"): Compilable {
    return standingQuery(db, sql.dialect, (q) =>
      q.select(["m.channel_id", "m.user_id", directBlock()]).where(({ eb, refTuple, tuple }) =>
        rows === "unnest"
          ? raw<boolean>`(m.channel_id, m.user_id) in (select * from unnest(${0}::bigint[], ${0}::bigint[]))`
          : eb(
              refTuple("m.channel_id", "m.user_id"),
              "in",
              Array.from({ length: rows }, () => tuple(0, 0)),
            ),
      ),
    );
  }

  async function postedEventOf(trx: Db, messageId: number): Promise<MessagePostedEvent> {
    const [event] = await sql.events(trx, "message", [messageId, EventType.MessagePosted]);
    return event as MessagePostedEvent;
  }

  async function appendMessage(
    trx: Transaction<Database>,
    m: NewMessage,
    targets: ReadonlyMap<number, ReplyTarget>,
    mentions: Mentions,
    files: FileRef[] | undefined,
  ): Promise<{ event: MessagePostedEvent; duplicate: boolean }> {
    const [existing] = await sql.run<{ id: number }>(trx, "existing", [
      m.channelId,
      m.author.id,
      m.nonce,
    ]);
    if (existing) return { event: await postedEventOf(trx, Number(existing.id)), duplicate: true };
    const now = sql.now();
    await sql.assertStanding(trx, m.channelId, m.author.id, now);
    const { seq, slowMode, archived } = await sql.nextSeq(trx, m.channelId);
    if (archived) throw new ParleyError("CHANNEL_ARCHIVED");
    if (slowMode > 0 && !m.slowModeExempt) await checkSlowMode(trx, m, slowMode * 1000, now);
    const [message] = await insertMessages(trx, [messageRow(m, seq, now, mentions, files)]);
    const messageId = Number(message!.id);
    await insertEvents(trx, [messageEventRow(m, seq, messageId, now)]);
    await storeMentions(trx, [{ m, seq, mentions }]);
    if (files) await attach(trx, m, messageId, files);
    return {
      event: postedEvent(m, seq, messageId, now, targets, mentions, files),
      duplicate: false,
    };
  }

  /**
   * Makes `files` message `messageId`'s, still only where each is the author's, live and
   * unattached; throws FILE_ATTACHED when one no longer is (then the batch is stored message
   * by message, and this one fails alone).
   */
  async function attach(
    trx: Db,
    m: NewMessage,
    messageId: number,
    files: readonly FileRef[],
  ): Promise<void> {
    const rows = await trx
      .updateTable("files")
      .set({ channel_id: m.channelId, message_id: messageId })
      .where(
        "id",
        "in",
        files.map((f) => f.i),
      )
      .where("uploader_id", "=", m.author.id)
      .where("message_id", "is", null)
      .where("deleted_at", "is", null)
      .returning("id")
      .execute();
    if (rows.length !== files.length) throw new ParleyError("FILE_ATTACHED");
  }

  /** The `mentions` rows of stored messages (no statement when none mentions anyone). */
  async function storeMentions(
    trx: Db,
    stored: readonly { m: NewMessage; seq: number; mentions: Mentions }[],
  ): Promise<void> {
    const withMentions = stored.filter(({ mentions }) => mentions.mn || mentions.mg);
    if (withMentions.length === 0) return;
    await mentioning.store(
      trx,
      withMentions.map(({ m, seq, mentions }) => ({
        channelId: m.channelId,
        seq,
        authorId: m.author.id,
        mentions,
      })),
    );
  }

  return {
    lanes: sql.writesInOrder ? 1 : lanes,
    appendMessages(batch) {
      return appendBatch(batch, true);
    },
    async postWithin(trx, message) {
      return (await appendIn(trx, [message], [0], true))[0]!;
    },
  };
}

/** Refuses a message sooner than `intervalMs` after the author's last one in the channel. */
async function checkSlowMode(
  trx: Transaction<Database>,
  m: NewMessage,
  intervalMs: number,
  now: number,
): Promise<void> {
  const last = await trx
    .selectFrom("messages")
    .select("created_at")
    .where("channel_id", "=", m.channelId)
    .where("author_id", "=", m.author.id)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const wait = last ? Number(last.created_at) + intervalMs - now : 0;
  if (wait > 0) {
    throw new ParleyError("SLOW_MODE", `Slow mode is on: wait ${Math.ceil(wait / 1000)} s`, {
      retryAfterMs: wait,
    });
  }
}

/** A file a send names, as read in its transaction. */
type AttachableFile = ReturnType<typeof toFileRow>;

/**
 * The descriptions of message `m`'s files, in its order, when each is the author's live upload,
 * not attached and not taken by an earlier message of the batch (`claimed`, which this adds
 * to); else the error the send fails with.
 */
function attachable(
  m: NewMessage,
  files: ReadonlyMap<string, AttachableFile>,
  claimed: Set<string>,
): FileRef[] | ParleyError {
  const refs: FileRef[] = [];
  for (const id of m.files ?? []) {
    const file = files.get(id);
    if (!file || file.uploaderId !== m.author.id) return new ParleyError("NO_SUCH_FILE");
    if (file.messageId !== null || claimed.has(id)) return new ParleyError("FILE_ATTACHED");
    refs.push(fileRef(file));
  }
  for (const ref of refs) claimed.add(ref.i);
  return refs;
}

/** The parameters of a message's row in {@link MESSAGE_ROW}'s order. */
function messageRow(
  m: NewMessage,
  seq: number,
  now: number,
  mentions: Mentions,
  files: readonly FileRef[] | undefined,
): unknown[] {
  return [
    m.channelId,
    seq,
    m.author.id,
    m.nonce,
    m.content,
    m.kind,
    now,
    m.replyTo ?? null,
    mentionsColumn(mentions),
    files ? JSON.stringify(files) : null,
  ];
}

/** The parameters of a message's event row in {@link EVENT_ROW}'s order. */
function messageEventRow(m: NewMessage, seq: number, messageId: number, now: number): unknown[] {
  return [
    m.channelId,
    seq,
    EventType.MessagePosted,
    m.author.id,
    m.author.name,
    now,
    messageId,
    "{}",
  ];
}

/** A live message a reply of the batch answers, as read in the storing transaction. */
interface ReplyTarget {
  channelId: number;
  quote: ReplyQuote;
}

interface ReplyTargetRow {
  id: number;
  channel_id: number;
  seq: number;
  author_id: number;
  content: string;
  username: string;
}

function toReplyTarget(r: ReplyTargetRow): ReplyTarget {
  return {
    channelId: Number(r.channel_id),
    quote: {
      m: Number(r.id),
      s: Number(r.seq),
      a: Number(r.author_id),
      an: r.username,
      x: excerpt(r.content),
    },
  };
}

/** The event of a message just stored (a reply's target is in `targets`, checked). */
function postedEvent(
  m: NewMessage,
  seq: number,
  messageId: number,
  now: number,
  targets: ReadonlyMap<number, ReplyTarget>,
  mentions: Mentions,
  files: FileRef[] | undefined,
): MessagePostedEvent {
  const event: MessagePostedEvent = {
    s: seq,
    t: EventType.MessagePosted,
    ts: now,
    a: m.author.id,
    an: m.author.name,
    i: messageId,
    x: m.content,
    n: m.nonce,
  };
  if (m.kind !== MessageKind.Text) event.k = m.kind;
  if (m.replyTo !== undefined) event.rp = { ...targets.get(m.replyTo)!.quote };
  if (mentions.mn) event.mn = mentions.mn;
  if (mentions.mg) event.mg = mentions.mg;
  if (files) event.f = files;
  return event;
}
