import {
  ADMIN_PAGE_DEFAULT,
  type AdminCreateInvite,
  type AdminCreateInviteReply,
  type AdminInvitesQuery,
  type AdminInvitesReply,
  type ServerInvite,
} from "@parley/protocol";
import { ParleyError } from "../errors";
import type { ServerInviteRow, ServerInviteStore } from "../storage/server-invite-store";
import { type AdminActor, type AdminService, pageOf } from "./admin-service";
import { newInviteCode } from "./invite-service";

const DAY_MS = 86_400_000;

function toJson(row: ServerInviteRow, now: number): ServerInvite {
  return {
    id: row.id,
    createdBy: { id: row.createdBy.id, username: row.createdBy.name },
    createdAt: row.createdAt,
    ...(row.expiresAt !== null ? { expiresAt: row.expiresAt } : {}),
    ...(row.maxUses !== null ? { maxUses: row.maxUses } : {}),
    uses: row.uses,
    ...(row.revokedAt !== null ? { revokedAt: row.revokedAt } : {}),
    ...(row.note !== null ? { note: row.note } : {}),
    live:
      row.revokedAt === null &&
      (row.expiresAt === null || row.expiresAt > now) &&
      (row.maxUses === null || row.uses < row.maxUses),
  };
}

/**
 * Server invites, which admins make and revoke through the admin API: while registration is
 * invite-only, registering (a new account or a guest's upgrade) takes one use of one. Each
 * change commits with its admin audit entry; a code is in the creating reply only.
 */
export class ServerInvites {
  constructor(
    private readonly admin: Pick<AdminService, "requireAdmin">,
    private readonly store: ServerInviteStore,
    private readonly now: () => number = Date.now,
  ) {}

  async create(by: AdminActor, request: AdminCreateInvite): Promise<AdminCreateInviteReply> {
    this.admin.requireAdmin(by);
    const { code, codeHash } = newInviteCode();
    const expiresAt = request.days !== undefined ? this.now() + request.days * DAY_MS : null;
    const note = request.note?.trim() || null;
    const row = await this.store.createServerInvite(
      { codeHash, expiresAt, maxUses: request.maxUses ?? null, note },
      {
        actor: { id: by.id, name: by.name },
        action: "invitecreate",
        before: null,
        after: { maxUses: request.maxUses ?? null, expiresAt, note },
      },
    );
    return { invite: toJson(row, this.now()), code };
  }

  async list(by: AdminActor, query: AdminInvitesQuery): Promise<AdminInvitesReply> {
    this.admin.requireAdmin(by);
    const limit = query.limit ?? ADMIN_PAGE_DEFAULT;
    const rows = await this.store.serverInvites({
      live: (query.status ?? "live") === "live",
      ...(query.before !== undefined ? { beforeId: query.before } : {}),
      limit: limit + 1,
    });
    const { page, more } = pageOf(rows, limit);
    const now = this.now();
    return { invites: page.map((r) => toJson(r, now)), ...more };
  }

  /** Revokes an invite (once: revoking it again answers it as it is). */
  async revoke(by: AdminActor, id: number): Promise<ServerInvite> {
    this.admin.requireAdmin(by);
    const row = await this.store.revokeServerInvite(id, {
      actor: { id: by.id, name: by.name },
      action: "inviterevoke",
      before: { revoked: false },
      after: { revoked: true },
    });
    if (!row) throw new ParleyError("INVITE_INVALID");
    return toJson(row, this.now());
  }
}
