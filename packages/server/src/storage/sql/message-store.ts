import {
  EventType,
  LIMITS,
  type LinkPreview,
  type LinkPreviewsEvent,
  type MessageDeletedEvent,
  type MessageEditedEvent,
  Op,
  type PinEvent,
  type Role,
} from "@parley/protocol";
import type { Transaction } from "kysely";
import { ParleyError } from "../../errors";
import type { ChangeFacts, MessageStore } from "../message-store";
import type { Database } from "../schema";
import { type Actor, SYSTEM_ACTOR } from "../storage";
import { isUniqueViolation, mutedUntil, type SqlContext, type StandingRow } from "./context";
import { mentionRequest, mentionsColumn, resolvedMentions, sqlMentions } from "./mentions";
import { insertAudit } from "./moderation";

type ChangeOp = typeof Op.MessageEdit | typeof Op.MessageDelete;

/** The message row a change reads (and, on PostgreSQL, locks) inside its transaction. */
interface MessageRow {
  author_id: number;
  username: string;
  seq: number;
  content: string;
  created_at: number;
  version: number;
  edited_at: number | null;
  edit_seq: number | null;
  deleted_at: number | null;
  pinned_at: number | null;
  link_previews: string | null;
}

/**
 * {@link MessageStore} over SQL. A change runs in one write transaction: the actor's standing,
 * the message row (locked `FOR NO KEY UPDATE` on PostgreSQL, so concurrent changes of one message on
 * any node take turns and the later one sees the earlier's version), the nonce, the rule,
 * then the event with the channel's next seq and the new state.
 */
export function sqlMessageStore(sql: SqlContext): MessageStore {
  /**
   * Sets a message's previews to `after`: the LinkPreviewsChanged event, the column, and the
   * images of the previews that go doomed.
   */
  async function changePreviews(
    trx: Transaction<Database>,
    channelId: number,
    messageId: number,
    actor: Actor,
    message: MessageRow,
    after: LinkPreview[],
  ): Promise<LinkPreviewsEvent> {
    const stored = await sql.appendEvent(trx, channelId, {
      type: EventType.LinkPreviewsChanged,
      actor,
      messageId,
      data: { m: messageId, lp: after },
    });
    await doomPreviewImages(trx, messageId, previewsOf(message), after);
    await trx
      .updateTable("messages")
      .set({ link_previews: after.length > 0 ? JSON.stringify(after) : null })
      .where("id", "=", messageId)
      .execute();
    return stored as LinkPreviewsEvent;
  }

  const { db } = sql;
  const mentioning = sqlMentions(sql);

  async function readMessage(
    trx: Transaction<Database>,
    channelId: number,
    messageId: number,
  ): Promise<MessageRow | undefined> {
    let q = trx
      .selectFrom("messages as m")
      .innerJoin("users as u", "u.id", "m.author_id")
      .select([
        "m.author_id",
        "u.username",
        "m.seq",
        "m.content",
        "m.created_at",
        "m.version",
        "m.edited_at",
        "m.edit_seq",
        "m.deleted_at",
        "m.pinned_at",
        "m.link_previews",
      ])
      .where("m.id", "=", messageId)
      .where("m.channel_id", "=", channelId);
    if (sql.dialect === "postgres") q = q.forNoKeyUpdate("m");
    return q.executeTakeFirst();
  }

  async function findChange(
    trx: Transaction<Database>,
    channelId: number,
    actorId: number,
    op: ChangeOp,
    nonce: string,
  ): Promise<{ seq: number; version: number } | undefined> {
    const row = await trx
      .selectFrom("message_changes")
      .select(["seq", "version"])
      .where("channel_id", "=", channelId)
      .where("actor_id", "=", actorId)
      .where("op", "=", op)
      .where("nonce", "=", nonce)
      .executeTakeFirst();
    return row && { seq: Number(row.seq), version: Number(row.version) };
  }

  async function recordChange(
    trx: Transaction<Database>,
    change: {
      channelId: number;
      actor: Actor;
      op: ChangeOp;
      nonce: string;
      messageId: number;
      seq: number;
      version: number;
    },
  ): Promise<void> {
    await trx
      .insertInto("message_changes")
      .values({
        channel_id: change.channelId,
        actor_id: change.actor.id,
        op: change.op,
        nonce: change.nonce,
        message_id: change.messageId,
        seq: change.seq,
        version: change.version,
      })
      .execute();
  }

  /**
   * The first steps of every change, in its transaction: the standing (NOT_A_MEMBER), the
   * message, and the result of an earlier change with the same nonce, if any.
   */
  async function begin(
    trx: Transaction<Database>,
    channelId: number,
    messageId: number,
    actor: Actor,
    op: ChangeOp,
    nonce: string,
  ): Promise<
    | { done: { seq: number; version: number } }
    | { done?: undefined; facts: ChangeFacts; message: MessageRow }
  > {
    const [standing] = await sql.run<StandingRow>(trx, "standing", [channelId, actor.id]);
    if (!standing) throw new ParleyError("NOT_A_MEMBER");
    const message = await readMessage(trx, channelId, messageId);
    const done = await findChange(trx, channelId, actor.id, op, nonce);
    if (done) return { done };
    if (!message || message.deleted_at !== null) throw new ParleyError("NO_SUCH_MESSAGE");
    const until = mutedUntil(standing, sql.now());
    return {
      message,
      facts: {
        standing: {
          role: Number(standing.role) as Role,
          ...(until !== undefined ? { mute: { until, reason: standing.reason } } : {}),
        },
        message: {
          authorId: Number(message.author_id),
          authorName: message.username,
          createdAt: Number(message.created_at),
        },
      },
    };
  }

  /**
   * Runs a change's transaction; when another node stored the same nonce between our lookup
   * and our insert, the unique key fails it, and the retry finds the committed change.
   */
  async function change<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      return await sql.write(fn);
    } catch (err) {
      if (isUniqueViolation(err)) return sql.write(fn);
      throw err;
    }
  }

  /**
   * Deletes a live message inside `trx` (its row read or locked by the caller): the
   * MessageDeleted event, then everything the message held goes with it (content, pins,
   * mentions, previews, versions, reactions; its files doomed).
   */
  async function erase(
    trx: Transaction<Database>,
    channelId: number,
    messageId: number,
    seq: number,
    actor: Actor,
    how: { moderator: boolean; reason?: string; expired?: boolean },
  ): Promise<MessageDeletedEvent> {
    const stored = await sql.appendEvent(trx, channelId, {
      type: EventType.MessageDeleted,
      actor,
      messageId,
      data: {
        m: messageId,
        ...(how.moderator ? { mod: true } : {}),
        ...(how.reason ? { rs: how.reason } : {}),
        ...(how.expired ? { ex: true } : {}),
      },
    });
    await trx
      .updateTable("messages")
      .set({
        content: "",
        deleted_at: stored.ts,
        deleted_by: actor.id,
        deleted_by_name: actor.name,
        deleted_by_mod: how.moderator ? 1 : 0,
        pinned_at: null,
        pinned_by: null,
        pinned_by_name: null,
        mentions: null,
        files: null,
        link_previews: null,
      })
      .where("id", "=", messageId)
      .execute();
    // The files go with the message: doomed now (nobody reads them from this commit on),
    // their bytes deleted after it by the file sweep.
    await trx
      .updateTable("files")
      .set({ deleted_at: stored.ts })
      .where("message_id", "=", messageId)
      .where("deleted_at", "is", null)
      .execute();
    await deleteMentions(trx, channelId, seq);
    await trx.deleteFrom("message_versions").where("message_id", "=", messageId).execute();
    await trx.deleteFrom("reactions").where("message_id", "=", messageId).execute();
    return stored as MessageDeletedEvent;
  }

  async function deleteMentions(trx: Transaction<Database>, channelId: number, seq: number) {
    await trx
      .deleteFrom("mentions")
      .where("channel_id", "=", channelId)
      .where("seq", "=", seq)
      .execute();
  }

  return {
    editMessage(edit, rule) {
      const { channelId, messageId, actor, nonce } = edit;
      return change(async (trx) => {
        const begun = await begin(trx, channelId, messageId, actor, Op.MessageEdit, nonce);
        if (begun.done) return begun.done;
        const { message, facts } = begun;
        rule(facts);
        const version = Number(message.version);
        if (edit.version !== version) throw new ParleyError("VERSION_CONFLICT");
        const latest = { seq: Number(message.edit_seq ?? message.seq), version };
        if (edit.content.trim() === message.content.trim()) {
          await recordChange(trx, { ...edit, op: Op.MessageEdit, ...latest });
          return latest;
        }
        const request = mentionRequest(channelId, edit.content);
        const members = await mentioning.resolve(trx, [request]);
        const mentions = resolvedMentions(
          request,
          members,
          actor.id,
          facts.standing.role,
          edit.authorRights,
        );
        const stored = await sql.appendEvent(trx, channelId, {
          type: EventType.MessageEdited,
          actor,
          messageId,
          data: { m: messageId, v: version + 1, ...mentions },
        });
        await trx
          .insertInto("message_versions")
          .values({
            message_id: messageId,
            version,
            content: message.content,
            created_at: Number(message.edited_at ?? message.created_at),
            seq: latest.seq,
          })
          .execute();
        const updated = await trx
          .updateTable("messages")
          .set({
            content: edit.content,
            version: version + 1,
            edited_at: stored.ts,
            edit_seq: stored.s,
            mentions: mentionsColumn(mentions),
          })
          .where("id", "=", messageId)
          .where("version", "=", version)
          .executeTakeFirst();
        // The row is locked (PostgreSQL) or the only writer runs (SQLite): this cannot miss,
        // but a lost version check must never store a second edit of one version.
        if (Number(updated.numUpdatedRows) !== 1) throw new ParleyError("VERSION_CONFLICT");
        await deleteMentions(trx, channelId, Number(message.seq));
        await mentioning.store(trx, [
          { channelId, seq: Number(message.seq), authorId: actor.id, mentions },
        ]);
        await recordChange(trx, {
          ...edit,
          op: Op.MessageEdit,
          seq: stored.s,
          version: version + 1,
        });
        const event = {
          ...stored,
          x: edit.content,
          ed: stored.ts,
        } as MessageEditedEvent;
        return { seq: stored.s, version: version + 1, event };
      });
    },

    deleteMessage(deletion, rule) {
      const { channelId, messageId, actor, nonce } = deletion;
      return change(async (trx) => {
        const begun = await begin(trx, channelId, messageId, actor, Op.MessageDelete, nonce);
        if (begun.done) return { seq: begun.done.seq };
        const { message, facts } = begun;
        const ruling = rule(facts);
        const reason = ruling.moderator ? ruling.reason : undefined;
        const stored = await erase(trx, channelId, messageId, Number(message.seq), actor, {
          moderator: ruling.moderator,
          ...(reason ? { reason } : {}),
        });
        if (ruling.moderator) {
          await insertAudit(sql, trx, "delete", {
            channelId,
            actor,
            target: { id: facts.message.authorId, name: facts.message.authorName },
            reason: reason ?? null,
          });
        }
        await recordChange(trx, {
          ...deletion,
          op: Op.MessageDelete,
          seq: stored.s,
          version: Number(message.version),
        });
        return { seq: stored.s, event: stored };
      });
    },

    async channelRetentions(afterId, limit) {
      const rows = await db
        .selectFrom("channels")
        .select(["id", "retention_days"])
        .where("id", ">", afterId)
        .where("deleted_at", "is", null)
        .orderBy("id")
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: Number(r.id), retentionDays: Number(r.retention_days) }));
    },

    expireMessages(channelId, before, limit) {
      return sql.write(async (trx) => {
        // The oldest live messages by seq (the live-messages index), then those older than
        // `before` among them: seq order is time order, so the first newer one ends the batch.
        let q = trx
          .selectFrom("messages")
          .select(["id", "seq", "created_at"])
          .where("channel_id", "=", channelId)
          .where("deleted_at", "is", null)
          .orderBy("seq")
          .limit(limit);
        if (sql.dialect === "postgres") q = q.forNoKeyUpdate().skipLocked();
        const events: MessageDeletedEvent[] = [];
        for (const m of await q.execute()) {
          if (Number(m.created_at) >= before) break;
          events.push(
            await erase(trx, channelId, Number(m.id), Number(m.seq), SYSTEM_ACTOR, {
              moderator: false,
              expired: true,
            }),
          );
        }
        return events;
      });
    },

    removeAuthorMessages(authorId, actor, reason, limit) {
      return sql.write(async (trx) => {
        let q = trx
          .selectFrom("messages")
          .select(["id", "channel_id", "seq"])
          .where("author_id", "=", authorId)
          .where("deleted_at", "is", null)
          .orderBy("id")
          .limit(limit);
        // Locked, so that a concurrent removal on another node waits and then skips them.
        if (sql.dialect === "postgres") q = q.forNoKeyUpdate().skipLocked();
        const events: { channelId: number; event: MessageDeletedEvent }[] = [];
        for (const m of await q.execute()) {
          const channelId = Number(m.channel_id);
          const event = await erase(trx, channelId, Number(m.id), Number(m.seq), actor, {
            moderator: true,
            reason,
          });
          events.push({ channelId, event });
        }
        return events;
      });
    },

    pinMessage(pinning, rule) {
      const { channelId, messageId, actor, on } = pinning;
      return sql.write(async (trx) => {
        const [standing] = await sql.run<StandingRow>(trx, "standing", [channelId, actor.id]);
        rule(standing ? (Number(standing.role) as Role) : undefined);
        const message = await readMessage(trx, channelId, messageId);
        if (!message || message.deleted_at !== null) throw new ParleyError("NO_SUCH_MESSAGE");
        if ((message.pinned_at !== null) === on) return undefined;
        // The event first: its seq update takes the channel row's lock, so concurrent pins of
        // one channel on any node count the pins one after the other.
        const stored = await sql.appendEvent(trx, channelId, {
          type: on ? EventType.MessagePinned : EventType.MessageUnpinned,
          actor,
          messageId,
          data: { m: messageId },
        });
        if (on) {
          const { n } = await trx
            .selectFrom("messages")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("channel_id", "=", channelId)
            .where("pinned_at", "is not", null)
            .executeTakeFirstOrThrow();
          if (Number(n) >= LIMITS.pinsPerChannel)
            throw new ParleyError(
              "LIMIT_REACHED",
              `At most ${LIMITS.pinsPerChannel} pinned messages per channel`,
            );
        }
        await trx
          .updateTable("messages")
          .set(
            on
              ? { pinned_at: stored.ts, pinned_by: actor.id, pinned_by_name: actor.name }
              : { pinned_at: null, pinned_by: null, pinned_by_name: null },
          )
          .where("id", "=", messageId)
          .execute();
        return stored as PinEvent;
      });
    },

    attachLinkPreviews({ channelId, messageId, version, previews }) {
      return sql.write(async (trx) => {
        const message = await readMessage(trx, channelId, messageId);
        if (!message || message.deleted_at !== null || Number(message.version) !== version)
          return undefined;
        // An edit's empty list only clears earlier previews; with none there is nothing to say.
        if (previews.length === 0 && previewsOf(message).length === 0) return undefined;
        const author = { id: Number(message.author_id), name: message.username };
        // Previews made of an earlier version (before an edit) give way: their images go.
        const stored = await changePreviews(trx, channelId, messageId, author, message, previews);
        const images = previews.flatMap((p) => (p.im ? [p.im.i] : []));
        if (images.length > 0) {
          await trx
            .updateTable("files")
            .set({ channel_id: channelId, message_id: messageId })
            .where("id", "in", images)
            .where("uploader_id", "=", author.id)
            .where("message_id", "is", null)
            .where("deleted_at", "is", null)
            .execute();
        }
        return stored;
      });
    },

    removeLinkPreview({ channelId, messageId, actor, url }, rule) {
      return sql.write(async (trx) => {
        const [standing] = await sql.run<StandingRow>(trx, "standing", [channelId, actor.id]);
        const message = await readMessage(trx, channelId, messageId);
        if (!message || message.deleted_at !== null) throw new ParleyError("NO_SUCH_MESSAGE");
        rule({
          role: standing ? (Number(standing.role) as Role) : undefined,
          authorId: Number(message.author_id),
        });
        const before = previewsOf(message);
        const after = url === undefined ? [] : before.filter((p) => p.u !== url);
        if (after.length === before.length) return undefined;
        return changePreviews(trx, channelId, messageId, actor, message, after);
      });
    },

    async messageVersions(channelId, messageId) {
      const message = await db
        .selectFrom("messages")
        .select(["author_id", "content", "created_at", "version", "edited_at", "deleted_at"])
        .where("id", "=", messageId)
        .where("channel_id", "=", channelId)
        .executeTakeFirst();
      if (!message || message.deleted_at !== null) return undefined;
      const earlier = await db
        .selectFrom("message_versions")
        .select(["version", "content", "created_at"])
        .where("message_id", "=", messageId)
        .orderBy("version")
        .execute();
      return {
        authorId: Number(message.author_id),
        versions: [
          ...earlier.map((r) => ({
            v: Number(r.version),
            x: r.content,
            ts: Number(r.created_at),
          })),
          {
            v: Number(message.version),
            x: message.content,
            ts: Number(message.edited_at ?? message.created_at),
          },
        ],
      };
    },
  };
}

function previewsOf(message: MessageRow): LinkPreview[] {
  return message.link_previews ? (JSON.parse(message.link_previews) as LinkPreview[]) : [];
}

/** Marks the images of previews in `before` but not in `after` doomed (the file sweep deletes them). */
async function doomPreviewImages(
  trx: Transaction<Database>,
  messageId: number,
  before: readonly LinkPreview[],
  after: readonly LinkPreview[],
): Promise<void> {
  const kept = new Set(after.flatMap((p) => (p.im ? [p.im.i] : [])));
  const gone = before.flatMap((p) => (p.im && !kept.has(p.im.i) ? [p.im.i] : []));
  if (gone.length === 0) return;
  await trx
    .updateTable("files")
    .set({ deleted_at: Date.now() })
    .where("id", "in", gone)
    .where("message_id", "=", messageId)
    .where("deleted_at", "is", null)
    .execute();
}
