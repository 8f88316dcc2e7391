import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import pg from "pg";
import { type ByteRange, checkKey, type FileStore } from "./file-store";

/** Bytes per row: large enough that a 25 MiB file is 100 rows, small enough to stream. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * {@link FileStore} in PostgreSQL, shared by every node of a cluster: each object as numbered
 * `bytea` rows of {@link CHUNK_BYTES} in `file_chunks` (migration 0016). A put writes its chunks
 * under a temporary key, one short insert each (no transaction held open while a client
 * uploads slowly), then renames them to the key in one transaction that first drops the
 * key's old rows: readers see the old object or the whole new one. A temporary key holds
 * its put's start time (`.tmp-<13-digit epoch ms>-<random>`), by which a sweep finds leftovers. A get reads one chunk at a
 * time as the stream is consumed. Uses its own small pool, so uploads never hold the
 * storage's connections.
 */
export class PostgresFileStore implements FileStore {
  private constructor(private readonly pool: pg.Pool) {}

  /** Opens a pool on a database the storage has migrated. */
  static open(url: string, poolSize = 4): PostgresFileStore {
    const pool = new pg.Pool({ connectionString: url, max: poolSize });
    pool.on("error", () => {});
    return new PostgresFileStore(pool);
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<number> {
    checkKey(key);
    const temp = `.tmp-${String(Date.now()).padStart(13, "0")}-${randomBytes(9).toString("base64url")}`;
    let size = 0;
    let n = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (all: boolean) => {
      let buf = Buffer.concat(pending, pendingBytes);
      while (buf.length >= CHUNK_BYTES || (all && buf.length > 0)) {
        const part = buf.subarray(0, CHUNK_BYTES);
        await this.pool.query("insert into file_chunks (key, n, data) values ($1, $2, $3)", [
          temp,
          n++,
          part,
        ]);
        buf = buf.subarray(part.length);
      }
      // An empty object is one empty chunk, so that it exists.
      if (all && n === 0)
        await this.pool.query("insert into file_chunks (key, n, data) values ($1, 0, $2)", [
          temp,
          Buffer.alloc(0),
        ]);
      pending = buf.length > 0 ? [Buffer.from(buf)] : [];
      pendingBytes = buf.length;
    };
    try {
      for await (const chunk of body) {
        pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        pendingBytes += chunk.byteLength;
        size += chunk.byteLength;
        if (pendingBytes >= CHUNK_BYTES) await flush(false);
      }
      await flush(true);
      const client = await this.pool.connect();
      try {
        await client.query("begin");
        await client.query("delete from file_chunks where key = $1", [key]);
        const renamed = await client.query("update file_chunks set key = $1 where key = $2", [
          key,
          temp,
        ]);
        // A sweep took some of the chunks (this put ran past its time): store nothing.
        if (renamed.rowCount !== Math.max(n, 1)) throw new Error("upload swept while running");
        await client.query("commit");
      } catch (err) {
        await client.query("rollback").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
      return size;
    } catch (err) {
      await this.pool.query("delete from file_chunks where key = $1", [temp]).catch(() => {});
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    checkKey(key);
    const first = range ? Math.floor(range.start / CHUNK_BYTES) : 0;
    const { rows } = await this.pool.query<{ n: number }>(
      "select n from file_chunks where key = $1 order by n limit 1",
      [key],
    );
    if (rows.length === 0) return undefined;
    const pool = this.pool;
    async function* chunks(): AsyncGenerator<Buffer> {
      let offset = first * CHUNK_BYTES;
      for (let n = first; ; n++) {
        const { rows: found } = await pool.query<{ data: Buffer }>(
          "select data from file_chunks where key = $1 and n = $2",
          [key, n],
        );
        const data = found[0]?.data;
        if (!data) return;
        const from = range ? Math.max(0, range.start - offset) : 0;
        const to = range ? Math.min(data.length, range.end - offset + 1) : data.length;
        if (to > from) yield data.subarray(from, to);
        offset += data.length;
        if (range && offset > range.end) return;
      }
    }
    return Readable.from(chunks());
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.pool.query("delete from file_chunks where key = $1", [key]);
  }

  async exists(key: string): Promise<boolean> {
    checkKey(key);
    const { rows } = await this.pool.query("select 1 from file_chunks where key = $1 limit 1", [
      key,
    ]);
    return rows.length > 0;
  }

  async sweepTemporary(before: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `with gone as (delete from file_chunks where key like '.tmp-%' and substr(key, 6, 13) < $1
         returning key)
       select count(distinct key) as n from gone`,
      [String(before).padStart(13, "0")],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
