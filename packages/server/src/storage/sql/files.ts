import { ReportStatus } from "@parley/protocol";
import { sql as raw, type Selectable } from "kysely";
import type { FileRow, FileRowStore } from "../file-rows";
import type { Database } from "../schema";
import type { SqlContext } from "./context";

export function toFileRow(row: Selectable<Database["files"]>): FileRow {
  return {
    id: row.id,
    uploaderId: Number(row.uploader_id),
    channelId: row.channel_id === null ? null : Number(row.channel_id),
    messageId: row.message_id === null ? null : Number(row.message_id),
    name: row.name,
    size: Number(row.size),
    type: row.type,
    width: row.width === null ? null : Number(row.width),
    height: row.height === null ? null : Number(row.height),
    hasThumb: Number(row.thumb) === 1,
    createdAt: Number(row.created_at),
  };
}

/** {@link FileRowStore} over SQL. */
export function sqlFileRowStore(sql: SqlContext): FileRowStore {
  const { db } = sql;
  return {
    async createFile(file) {
      await sql.write((trx) =>
        trx
          .insertInto("files")
          .values({
            id: file.id,
            uploader_id: file.uploaderId,
            channel_id: null,
            message_id: null,
            name: file.name,
            size: file.size,
            type: file.type,
            width: file.width,
            height: file.height,
            thumb: file.hasThumb ? 1 : 0,
            created_at: file.createdAt,
          })
          .execute(),
      );
    },

    async readableFile(fileId, userId) {
      const row = await db
        .selectFrom("files as f")
        .selectAll("f")
        .where("f.id", "=", fileId)
        .where("f.deleted_at", "is", null)
        .where((eb) =>
          eb.or([
            eb.and([eb("f.message_id", "is", null), eb("f.uploader_id", "=", userId)]),
            eb.exists(
              eb
                .selectFrom("memberships as m")
                .select("m.user_id")
                .whereRef("m.channel_id", "=", "f.channel_id")
                .where("m.user_id", "=", userId),
            ),
          ]),
        )
        .executeTakeFirst();
      return row && toFileRow(row);
    },

    async liveFileBytes(userId) {
      const row = await db
        .selectFrom("files")
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("size"), eb.val(0)).as("bytes"))
        .where("uploader_id", "=", userId)
        .where("deleted_at", "is", null)
        .executeTakeFirst();
      return Number(row?.bytes ?? 0);
    },

    async userFiles(userId, afterId, limit) {
      let q = db
        .selectFrom("files")
        .selectAll()
        .where("uploader_id", "=", userId)
        .where("deleted_at", "is", null);
      if (afterId !== undefined) q = q.where("id", ">", afterId);
      return (await q.orderBy("id").limit(limit).execute()).map(toFileRow);
    },

    async doomOrphans(before) {
      const now = sql.now();
      const result = await sql.write((trx) =>
        trx
          .updateTable("files")
          .set({ deleted_at: now })
          .where("message_id", "is", null)
          .where("created_at", "<", before)
          .where("deleted_at", "is", null)
          // An upload of a message held for review stays until the message is approved or dropped.
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom("reports")
                  .select("reports.id")
                  .where("reports.held", "=", 1)
                  .where("reports.status", "=", ReportStatus.Open)
                  .where("reports.draft", "like", raw<string>`'%"' || files.id || '"%'`),
              ),
            ),
          )
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows);
    },

    async doomedFiles(limit) {
      const rows = await db
        .selectFrom("files")
        .select(["id", "thumb"])
        .where("deleted_at", "is not", null)
        .orderBy("deleted_at")
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, hasThumb: Number(r.thumb) === 1 }));
    },

    async removeFiles(fileIds) {
      if (fileIds.length === 0) return;
      await sql.write((trx) =>
        trx
          .deleteFrom("files")
          .where("id", "in", fileIds)
          .where("deleted_at", "is not", null)
          .execute(),
      );
    },
  };
}
