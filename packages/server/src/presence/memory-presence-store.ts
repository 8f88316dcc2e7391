import type { PresenceStore } from "./presence-store";

/** The single-node {@link PresenceStore}: a map from user to its connection ids. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly connections = new Map<number, Set<string>>();

  async connect(userId: number, connectionId: string): Promise<boolean> {
    const set = this.connections.get(userId);
    if (set) {
      set.add(connectionId);
      return false;
    }
    this.connections.set(userId, new Set([connectionId]));
    return true;
  }

  async disconnect(userId: number, connectionId: string): Promise<boolean> {
    const set = this.connections.get(userId);
    if (!set?.delete(connectionId)) return false;
    if (set.size > 0) return false;
    this.connections.delete(userId);
    return true;
  }

  async online(userIds: readonly number[]): Promise<Set<number>> {
    return new Set(userIds.filter((id) => this.connections.has(id)));
  }

  async close(): Promise<void> {
    this.connections.clear();
  }
}
