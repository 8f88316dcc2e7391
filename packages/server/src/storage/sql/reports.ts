import { randomInt } from "node:crypto";
import { ChannelKind, type MessageEvent, type Report, ReportStatus, Role } from "@parley/protocol";
import type { Selectable, Transaction } from "kysely";
import { ParleyError } from "../../errors";
import type { HeldDraft, ReportStore } from "../report-store";
import type { Database } from "../schema";
import type { AppendResult, NewMessage } from "../send-path";
import type { Db, SqlContext } from "./context";
import { insertAudit } from "./moderation";

/** Stores one message inside a transaction, by the send path's rules (see `sqlSendPath`). */
export type PostWithin = (trx: Transaction<Database>, message: NewMessage) => Promise<AppendResult>;

type ReportRow = Selectable<Database["reports"]> & { channel_name: string; channel_kind: number };

/**
 * {@link ReportStore} over SQL: the `reports` table, audited in the channels' audit log; an
 * approved held message is posted through `post`, in the approval's transaction.
 */
export function sqlReportStore(sql: SqlContext, post: PostWithin): ReportStore {
  const { db } = sql;

  const select = (from: Db) =>
    from
      .selectFrom("reports as r")
      .innerJoin("channels as ch", "ch.id", "r.channel_id")
      .selectAll("r")
      .select(["ch.name as channel_name", "ch.kind as channel_kind"]);

  const byId = (from: Db, id: number) => select(from).where("r.id", "=", id).executeTakeFirst();

  /** A user's membership of a channel (its role), read in `trx`. */
  const membershipOf = (trx: Db, channelId: number, userId: number) =>
    trx
      .selectFrom("memberships")
      .select("role")
      .where("channel_id", "=", channelId)
      .where("user_id", "=", userId)
      .executeTakeFirst();

  /** Memberships of moderators and owners of channels (no one moderates a direct message). */
  const moderatorships = () =>
    db
      .selectFrom("memberships as m")
      .innerJoin("channels as ch", "ch.id", "m.channel_id")
      .select(["m.user_id", "m.channel_id"])
      .where("ch.kind", "=", ChannelKind.Channel)
      .where("m.role", ">=", Role.Moderator);

  /**
   * Posts a held report's message in `trx`, as its author now is (name, guest flag), exempt
   * from slow mode; throws the send path's refusal.
   */
  async function postHeld(trx: Transaction<Database>, row: ReportRow): Promise<MessageEvent> {
    const author = await trx
      .selectFrom("users")
      .select(["username", "is_guest", "deleted_at"])
      .where("id", "=", Number(row.author_id))
      .executeTakeFirst();
    if (!author || author.deleted_at !== null) throw new ParleyError("NOT_A_MEMBER");
    const draft = JSON.parse(row.draft ?? "{}") as HeldDraft;
    const result = await post(trx, {
      channelId: Number(row.channel_id),
      author: { id: Number(row.author_id), name: author.username },
      // A held report always has its send's nonce (see holdMessage).
      nonce: row.nonce!,
      content: row.content,
      kind: draft.k,
      ...(draft.r !== undefined ? { replyTo: draft.r } : {}),
      ...(draft.f ? { files: draft.f } : {}),
      slowModeExempt: true,
      authorRights: { isGuest: Number(author.is_guest) === 1, isAdmin: false },
    });
    if (!result.ok) throw result.error;
    return result.event;
  }

  return {
    async fileReport({ channelId, messageId, reporter, reason }) {
      return sql.write(async (trx) => {
        if (!(await membershipOf(trx, channelId, reporter.id)))
          throw new ParleyError("NOT_A_MEMBER");
        const message = await trx
          .selectFrom("messages as m")
          .innerJoin("users as u", "u.id", "m.author_id")
          .select(["m.seq", "m.author_id", "u.username", "m.content", "m.deleted_at"])
          .where("m.id", "=", messageId)
          .where("m.channel_id", "=", channelId)
          .executeTakeFirst();
        if (!message || message.deleted_at !== null) throw new ParleyError("NO_SUCH_MESSAGE");
        if (Number(message.author_id) === reporter.id)
          throw new ParleyError("FORBIDDEN", "You cannot report your own message");
        const inserted = await trx
          .insertInto("reports")
          .values({
            channel_id: channelId,
            message_id: messageId,
            seq: Number(message.seq),
            author_id: Number(message.author_id),
            author_name: message.username,
            content: message.content,
            reporter_id: reporter.id,
            reporter_name: reporter.name,
            reason,
            created_at: sql.now(),
            status: ReportStatus.Open,
          })
          .onConflict((oc) => oc.columns(["message_id", "reporter_id"]).doNothing())
          .returning("id")
          .executeTakeFirst();
        // This one, or the reporter's earlier report of the message.
        const row = await select(trx)
          .where("r.message_id", "=", messageId)
          .where("r.reporter_id", "=", reporter.id)
          .executeTakeFirstOrThrow();
        return { report: toReport(row), created: inserted !== undefined };
      });
    },

    async reports({ channelIds, status, beforeId, limit }) {
      if (channelIds?.length === 0) return [];
      let q = select(db);
      if (channelIds) q = q.where("r.channel_id", "in", [...channelIds]);
      if (status !== undefined) q = q.where("r.status", "=", status);
      if (beforeId !== undefined) q = q.where("r.id", "<", beforeId);
      const rows = await q.orderBy("r.id", "desc").limit(limit).execute();
      return rows.map(toReport);
    },

    async closeReport({ id, actor, status }, rule) {
      return sql.write(async (trx) => {
        const row = await byId(trx, id);
        if (!row) throw new ParleyError("NO_SUCH_REPORT");
        const channelId = Number(row.channel_id);
        const member = await membershipOf(trx, channelId, actor.id);
        // In a direct message no one moderates: only admins close its reports.
        rule(
          member && Number(row.channel_kind) === ChannelKind.Channel
            ? (Number(member.role) as Role)
            : undefined,
        );
        // Closed once: the status in the statement decides between concurrent closings.
        const now = sql.now();
        const updated = await trx
          .updateTable("reports")
          .set({ status, closed_by: actor.id, closed_by_name: actor.name, closed_at: now })
          .where("id", "=", id)
          .where("status", "=", ReportStatus.Open)
          .executeTakeFirst();
        // Closed meanwhile (on PostgreSQL the update waited for that commit): read it again.
        if (Number(updated.numUpdatedRows) === 0)
          return { report: toReport((await byId(trx, id))!), changed: false };
        const held = Number(row.held) === 1;
        let posted: MessageEvent | undefined;
        if (held && status === ReportStatus.Resolved) {
          posted = await postHeld(trx, row);
          await trx
            .updateTable("reports")
            .set({ message_id: posted.i, seq: posted.s })
            .where("id", "=", id)
            .execute();
        }
        const action = held
          ? status === ReportStatus.Resolved
            ? "held-approved"
            : "held-dropped"
          : status === ReportStatus.Resolved
            ? "report-resolved"
            : "report-dismissed";
        await insertAudit(sql, trx, action, {
          channelId,
          actor,
          target: { id: Number(row.author_id), name: row.author_name },
          reason: row.reason || null,
        });
        const report = toReport((await byId(trx, id))!);
        return posted ? { report, changed: true, posted } : { report, changed: true };
      });
    },

    async holdMessage({ channelId, author, nonce, content, draft, entry }) {
      return sql.write(async (trx) => {
        if (!(await membershipOf(trx, channelId, author.id))) throw new ParleyError("NOT_A_MEMBER");
        const inserted = await trx
          .insertInto("reports")
          .values({
            channel_id: channelId,
            // No message yet: a stand-in of its own, below every message id (see 0029).
            message_id: -randomInt(1, 2 ** 47),
            seq: 0,
            author_id: author.id,
            author_name: author.name,
            content,
            reporter_id: 0,
            reporter_name: "",
            reason: entry,
            created_at: sql.now(),
            status: ReportStatus.Open,
            held: 1,
            nonce,
            draft: JSON.stringify(draft),
          })
          .onConflict((oc) => oc.columns(["channel_id", "author_id", "nonce"]).doNothing())
          .returning("id")
          .executeTakeFirst();
        const row = await select(trx)
          .where("r.channel_id", "=", channelId)
          .where("r.author_id", "=", author.id)
          .where("r.nonce", "=", nonce)
          .executeTakeFirstOrThrow();
        return { report: toReport(row), created: inserted !== undefined };
      });
    },

    async channelModerators(channelId) {
      const rows = await moderatorships().where("m.channel_id", "=", channelId).execute();
      return rows.map((r) => Number(r.user_id));
    },

    async moderatedChannels(userId) {
      const rows = await moderatorships().where("m.user_id", "=", userId).execute();
      return rows.map((r) => Number(r.channel_id));
    },
  };
}

function toReport(r: ReportRow): Report {
  return {
    id: Number(r.id),
    c: Number(r.channel_id),
    cn: Number(r.channel_kind) === ChannelKind.Channel ? r.channel_name : "",
    m: Math.max(0, Number(r.message_id)),
    s: Number(r.seq),
    u: Number(r.author_id),
    un: r.author_name,
    x: r.content,
    by: Number(r.reporter_id),
    byn: r.reporter_name,
    rs: r.reason,
    ts: Number(r.created_at),
    st: Number(r.status) as ReportStatus,
    ...(r.closed_by !== null
      ? { cl: Number(r.closed_by), cln: r.closed_by_name ?? "", clt: Number(r.closed_at) }
      : {}),
    ...(Number(r.held) === 1 ? { hd: true as const } : {}),
  };
}
