/**
 * A map from a key to one value held as it is, or to a set once it has two or more: most users
 * have one connection, and an empty Set alone costs more than the value. Used for each user's
 * connections on a node (hub, presence).
 */
export class OneOrSetMap<K, V> {
  private readonly map = new Map<K, V | Set<V>>();

  /** Adds `value` under `key`; true when the key had no value before. */
  add(key: K, value: V): boolean {
    const held = this.map.get(key);
    if (held === undefined) {
      this.map.set(key, value);
      return true;
    }
    if (held instanceof Set) held.add(value);
    else if (held !== value) this.map.set(key, new Set([held, value]));
    return false;
  }

  /** Removes `value` from `key`; true when that was the key's last value. */
  delete(key: K, value: V): boolean {
    const held = this.map.get(key);
    if (held === value) {
      this.map.delete(key);
      return true;
    }
    if (!(held instanceof Set) || !held.delete(value)) return false;
    // Down to one: keep it alone.
    if (held.size === 1) this.map.set(key, held.values().next().value as V);
    return false;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The values under `key` (none when absent). */
  *values(key: K): IterableIterator<V> {
    const held = this.map.get(key);
    if (held instanceof Set) yield* held;
    else if (held !== undefined) yield held;
  }

  clear(): void {
    this.map.clear();
  }
}
