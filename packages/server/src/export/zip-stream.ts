import { once } from "node:events";
import { PassThrough } from "node:stream";
import { strToU8, Zip, ZipDeflate, ZipPassThrough } from "fflate";

/**
 * A zip archive written as a stream (fflate): entries are added one after another from async
 * sources and read from `readable` as they are made, so an export of any size holds only a
 * piece of one entry at a time. A reader that stops (a closed download) stops the writer at its
 * next piece.
 */
export class ZipStream {
  readonly readable = new PassThrough();
  private readonly zip = new Zip((err, chunk, final) => {
    if (err) {
      this.readable.destroy(err);
      return;
    }
    if (!this.readable.destroyed) this.readable.write(chunk);
    if (final) this.readable.end();
  });

  /**
   * Adds an entry named `path` from `source`; `compress: false` stores it as it is (images and
   * archives gain nothing from deflate).
   */
  async add(
    path: string,
    source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
    compress = true,
  ): Promise<void> {
    const entry = compress ? new ZipDeflate(path, { level: 6 }) : new ZipPassThrough(path);
    this.zip.add(entry);
    for await (const piece of source) {
      if (this.readable.destroyed) throw new Error("the export's reader went away");
      entry.push(typeof piece === "string" ? strToU8(piece) : piece);
      if (this.readable.writableNeedDrain) await once(this.readable, "drain");
    }
    entry.push(new Uint8Array(0), true);
  }

  /** Adds an entry holding `value` as indented JSON. */
  json(path: string, value: unknown): Promise<void> {
    return this.add(path, [`${JSON.stringify(value, null, 2)}\n`]);
  }

  /** Adds an entry holding a JSON array of the items `pages` yields, page by page. */
  async jsonArray<T>(path: string, pages: AsyncIterable<readonly T[]>): Promise<void> {
    async function* text() {
      let first = true;
      yield "[";
      for await (const page of pages)
        for (const item of page) {
          yield `${first ? "\n" : ",\n"}  ${JSON.stringify(item)}`;
          first = false;
        }
      yield first ? "]\n" : "\n]\n";
    }
    await this.add(path, text());
  }

  /** Ends the archive (its central directory follows the last entry). */
  end(): void {
    this.zip.end();
  }

  /** Ends the download with an error: the reader sees a cut-off archive, not a whole one. */
  fail(err: Error): void {
    this.readable.destroy(err);
  }
}

/**
 * A file's name as an entry's last part: no directory parts, no `..`, no control characters
 * (an archive must not write outside the folder it is unpacked into), at most 100 characters.
 */
export function entryName(name: string): string {
  const safe = name
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "")
    .replace(/[/\\:*?"<>|]/g, "_")
    .replace(/^[.\s]+/, "")
    .trim()
    .slice(0, 100);
  return safe || "file";
}
