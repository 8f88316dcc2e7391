import type { Role } from "@parley/protocol";

const NONE: ReadonlyMap<number, Role> = new Map();

/**
 * A connection's channels with the user's role in each: the part of a Map that Parley uses,
 * whose table exists only while the connection is in a channel. An empty Map still costs
 * about 300 bytes, and at scale most open connections are in no channel (or not yet).
 */
export class ChannelRoles {
  private map?: Map<number, Role>;

  get size(): number {
    return this.map?.size ?? 0;
  }

  get(channelId: number): Role | undefined {
    return this.map?.get(channelId);
  }

  has(channelId: number): boolean {
    return this.map?.has(channelId) ?? false;
  }

  set(channelId: number, role: Role): this {
    this.map ??= new Map();
    this.map.set(channelId, role);
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

  entries(): IterableIterator<[number, Role]> {
    return (this.map ?? NONE).entries();
  }

  [Symbol.iterator](): IterableIterator<[number, Role]> {
    return this.entries();
  }
}
