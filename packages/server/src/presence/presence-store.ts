/**
 * Which users are online, by their connections.
 *
 * Contract:
 * - A user is online while at least one of its connections is registered.
 * - `connect` resolves true exactly when the user had no connection before (came online);
 *   `disconnect` resolves true exactly when it removed the user's last one (went offline).
 *   Concurrent calls for one user are serialized, so one transition is reported once.
 * - An implementation shared by several nodes expires a node's entries when the node stops
 *   renewing them, so a crashed node leaves no ghosts. Transitions that no `connect` or
 *   `disconnect` call reports (users of an expired node going offline, a node's users coming
 *   back after the store lost them) go to the `onChange` listeners of exactly one node.
 */
export interface PresenceStore {
  connect(userId: number, connectionId: string): Promise<boolean>;
  disconnect(userId: number, connectionId: string): Promise<boolean>;
  /** The subset of `userIds` online now. */
  online(userIds: readonly number[]): Promise<Set<number>>;
  /** Registers a listener of transitions found by the store itself (expiry, re-registration). */
  onChange?(listener: (changes: PresenceChange[]) => void): void;
  close(): Promise<void>;
}

/** A user went online or offline. */
export interface PresenceChange {
  userId: number;
  online: boolean;
}
