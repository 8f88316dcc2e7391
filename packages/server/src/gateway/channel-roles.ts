import type { Role } from "@parley/protocol";

/** Roles are 1–3, so a role and a seq share one number: `since * ROLE_SPAN + role`. */
const ROLE_SPAN = 4;

/**
 * A connection's channels with the user's role in each, and the seq since which the membership
 * is known to hold: the part of a Map that Parley uses, whose table exists only while the
 * connection is in a channel. An empty Map still costs about 300 bytes, and at scale most open
 * connections are in no channel (or not yet).
 *
 * `since` lets a removal be told apart from an older one that arrives late (a kick published
 * before the user joined again): a removal applies only to a membership older than its event.
 */
export class ChannelRoles {
  private map?: Map<number, number>;

  get size(): number {
    return this.map?.size ?? 0;
  }

  get(channelId: number): Role | undefined {
    const packed = this.map?.get(channelId);
    return packed === undefined ? undefined : ((packed % ROLE_SPAN) as Role);
  }

  /** The seq since which the membership is known (0 when unknown), or undefined. */
  since(channelId: number): number | undefined {
    const packed = this.map?.get(channelId);
    return packed === undefined ? undefined : Math.floor(packed / ROLE_SPAN);
  }

  has(channelId: number): boolean {
    return this.map?.has(channelId) ?? false;
  }

  /** Sets the role; `since` (default: what was known, else 0) never moves back. */
  set(channelId: number, role: Role, since?: number): this {
    this.map ??= new Map();
    const known = this.since(channelId) ?? 0;
    this.map.set(channelId, Math.max(known, since ?? 0) * ROLE_SPAN + role);
    return this;
  }

  delete(channelId: number): boolean {
    if (!this.map?.delete(channelId)) return false;
    if (this.map.size === 0) this.map = undefined;
    return true;
  }

  keys(): IterableIterator<number> {
    return (this.map ?? NONE).keys();
  }

  *entries(): IterableIterator<[number, Role]> {
    for (const [channelId, packed] of this.map ?? NONE)
      yield [channelId, (packed % ROLE_SPAN) as Role];
  }

  [Symbol.iterator](): IterableIterator<[number, Role]> {
    return this.entries();
  }
}

const NONE: ReadonlyMap<number, number> = new Map();
