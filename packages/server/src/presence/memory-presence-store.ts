import type { PresenceStore } from "./presence-store";

/**
 * The single-node {@link PresenceStore}: a map from user to its connection ids. Most users
 * have one connection, so a user's single id is held as it is and a set is made only for a
 * second one: an empty set alone costs more than the id.
 */
export class MemoryPresenceStore implements PresenceStore {
  private readonly connections = new Map<number, string | Set<string>>();

  async connect(userId: number, connectionId: string): Promise<boolean> {
    const held = this.connections.get(userId);
    if (held === undefined) {
      this.connections.set(userId, connectionId);
      return true;
    }
    if (typeof held !== "string") held.add(connectionId);
    else if (held !== connectionId) this.connections.set(userId, new Set([held, connectionId]));
    return false;
  }

  async disconnect(userId: number, connectionId: string): Promise<boolean> {
    const held = this.connections.get(userId);
    if (held === connectionId) {
      this.connections.delete(userId);
      return true;
    }
    if (typeof held !== "object" || !held.delete(connectionId)) return false;
    // A set holds two ids or more: down to one, keep that one alone.
    if (held.size === 1) this.connections.set(userId, held.values().next().value!);
    return false;
  }

  async online(userIds: readonly number[]): Promise<Set<number>> {
    return new Set(userIds.filter((id) => this.connections.has(id)));
  }

  async close(): Promise<void> {
    this.connections.clear();
  }
}
