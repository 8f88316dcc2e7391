import type { FileUrlReply } from "@parley/protocol";

/** A link is asked for again when it has less than this left, so a click never gets a dead one. */
export const LINK_MARGIN_MS = 30_000;

interface Entry {
  reply: Promise<FileUrlReply>;
  /** When the link expires (epoch ms), once the reply came. */
  exp?: number;
}

/**
 * Signed file links, read on demand (`fetchLink`, e.g. `ParleyClient.fileLink`) and kept until
 * {@link LINK_MARGIN_MS} before they expire. Concurrent asks for one file share one request; a
 * failed request is not kept, so the next ask tries again.
 */
export class FileLinkCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly fetchLink: (fileId: string) => Promise<FileUrlReply>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The file's links: the cached ones while they have more than the margin left, else new ones. */
  get(fileId: string): Promise<FileUrlReply> {
    const held = this.entries.get(fileId);
    if (held && (held.exp === undefined || held.exp - this.now() > LINK_MARGIN_MS))
      return held.reply;
    const entry: Entry = {
      reply: this.fetchLink(fileId).then(
        (reply) => {
          entry.exp = reply.exp;
          return reply;
        },
        (err: unknown) => {
          if (this.entries.get(fileId) === entry) this.entries.delete(fileId);
          throw err;
        },
      ),
    };
    this.entries.set(fileId, entry);
    return entry.reply;
  }

  /** Drops every link (the session ended). */
  clear(): void {
    this.entries.clear();
  }
}
