import type { AdminChange } from "./admin-store";
import type { Actor } from "./storage";

/** A server invite: lets its holder register while registration is invite-only. */
export interface ServerInviteRow {
  id: number;
  createdBy: Actor;
  createdAt: number;
  /** null: never expires. */
  expiresAt: number | null;
  /** null: unlimited. */
  maxUses: number | null;
  uses: number;
  revokedAt: number | null;
  note: string | null;
}

/**
 * Server invites, made and revoked by admins (each write with its {@link AdminChange} in the
 * same transaction). A code is stored only as its sha-256. An invite is used by the account
 * store's `createUserWithSession` and `upgradeGuest`, which take a use in the transaction that
 * creates the account, so a refused sign-up uses nothing and the last use goes to one.
 */
export interface ServerInviteStore {
  createServerInvite(
    input: {
      codeHash: string;
      expiresAt: number | null;
      maxUses: number | null;
      note: string | null;
    },
    change: Omit<AdminChange, "target" | "targetKind">,
  ): Promise<ServerInviteRow>;
  /** Newest first (by id, below `beforeId`): every invite, or only those usable now. */
  serverInvites(request: {
    live: boolean;
    beforeId?: number;
    limit: number;
  }): Promise<ServerInviteRow[]>;
  /** The invite with this code hash if it is usable now, else undefined. */
  liveServerInvite(codeHash: string): Promise<ServerInviteRow | undefined>;
  /**
   * Revokes an invite: undefined when there is none with this id; an invite revoked already is
   * answered as it is, with no second audit entry.
   */
  revokeServerInvite(
    id: number,
    change: Omit<AdminChange, "target" | "targetKind">,
  ): Promise<ServerInviteRow | undefined>;
}
