import { OneOrSetMap } from "../one-or-set";
import type { PresenceStore } from "./presence-store";

/** The single-node {@link PresenceStore}: each user's connection ids. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly connections = new OneOrSetMap<number, string>();

  async connect(userId: number, connectionId: string): Promise<boolean> {
    return this.connections.add(userId, connectionId);
  }

  async disconnect(userId: number, connectionId: string): Promise<boolean> {
    return this.connections.delete(userId, connectionId);
  }

  async online(userIds: readonly number[]): Promise<Set<number>> {
    return new Set(userIds.filter((id) => this.connections.has(id)));
  }

  async close(): Promise<void> {
    this.connections.clear();
  }
}
