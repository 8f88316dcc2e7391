import { createHmac, timingSafeEqual } from "node:crypto";

/** What a signed link grants: one user reading one file (or its thumbnail) until `expires`. */
export interface FileGrant {
  fileId: string;
  thumb: boolean;
  userId: number;
  /** Epoch ms. */
  expires: number;
}

/**
 * Signs and checks file links: HMAC-SHA256 with the server's key (kept in the database, so every
 * node and restart signs alike) over the file, the variant, the user and the expiry. A link is
 * per user, so the server still checks at each fetch that this user may read the file now: a
 * link leaked from a private channel stops working when it expires, and at once when its user
 * leaves or is removed.
 */
export class FileLinks {
  constructor(private readonly key: Buffer) {}

  private mac(g: FileGrant): Buffer {
    return createHmac("sha256", this.key)
      .update(`${g.fileId}\n${g.thumb ? "t" : "f"}\n${g.userId}\n${g.expires}`)
      .digest();
  }

  /** The query string (`u`, `e`, `s`) of a link granting `g`. */
  query(g: FileGrant): string {
    return `u=${g.userId}&e=${g.expires}&s=${this.mac(g).toString("base64url")}`;
  }

  /**
   * The grant of a link's query for a file and variant: `"bad"` when it is not one this server
   * signed (or is malformed), `"expired"` when its time is past, else the user it grants.
   */
  check(
    fileId: string,
    thumb: boolean,
    query: { u?: unknown; e?: unknown; s?: unknown },
    now: number,
  ): { userId: number } | "bad" | "expired" {
    const { u, e, s } = query;
    if (typeof u !== "string" || typeof e !== "string" || typeof s !== "string") return "bad";
    if (!/^\d{1,16}$/.test(u) || !/^\d{1,16}$/.test(e)) return "bad";
    const grant = { fileId, thumb, userId: Number(u), expires: Number(e) };
    const given = Buffer.from(s, "base64url");
    const expected = this.mac(grant);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "bad";
    if (grant.expires <= now) return "expired";
    return { userId: grant.userId };
  }
}
