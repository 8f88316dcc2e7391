import {
  ADMIN_PAGE_DEFAULT,
  type AdminAuditReply,
  type AdminChannel,
  type AdminChannelReply,
  type AdminChannelsReply,
  type AdminCreateInviteReply,
  type AdminDeleteChannelReply,
  type AdminDeleteUserReply,
  type AdminInvitesReply,
  type AdminModerationReply,
  type AdminRemoveGuestsReply,
  type AdminReportsReply,
  type AdminResolveReportReply,
  type AdminSettingsReply,
  type AdminStatsReply,
  type AdminUser,
  type AdminUserReply,
  type AdminUsersReply,
  adminAuditQuerySchema,
  adminBanSchema,
  adminChannelOwnerSchema,
  adminChannelQuerySchema,
  adminChannelsQuerySchema,
  adminCreateInviteSchema,
  adminDeleteUserSchema,
  adminInvitesQuerySchema,
  adminModerationQuerySchema,
  adminRemoveGuestsSchema,
  adminRenameSchema,
  adminReportsQuerySchema,
  adminResolveReportSchema,
  adminSettingsSchema,
  adminUsersQuerySchema,
  ReportStatus,
  type ServerInvite,
} from "@parley/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { type AdminActor, adminActor, pageOf } from "../services/admin-service";
import type { Authenticated } from "../services/auth-service";
import type { Services } from "../services/services";
import { sendDownload } from "./download";

/** What the admin routes take from the API's other routes. */
export interface AdminRouteHelpers {
  authenticate: (req: FastifyRequest) => Promise<Authenticated>;
  /** Takes a token of the user's bucket, or refuses with RATE_LIMITED. */
  limitUser: (auth: Authenticated, name: "admin") => Promise<void>;
  parse: <T>(schema: z.ZodType<T>, value: unknown) => T;
}

const REPORT_STATUS = {
  open: ReportStatus.Open,
  resolved: ReportStatus.Resolved,
  dismissed: ReportStatus.Dismissed,
} as const;

const pathIdSchema = z.coerce.number().pipe(z.int().positive());
const userQuerySchema = z.strictObject({
  messagesBefore: z.coerce.number().pipe(z.int().positive()).optional(),
});

/**
 * The admin API under /api/v1/admin, for server admins only: every request is authenticated,
 * refused with FORBIDDEN unless the session's user is an admin as stored now (a revoked
 * admin's next request is refused), and takes a token of the admin's `admin` bucket. Changes
 * are audited by the service. The web console uses nothing else.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  services: Services,
  { authenticate, limitUser, parse }: AdminRouteHelpers,
): void {
  const admin = async (req: FastifyRequest): Promise<AdminActor> => {
    const auth = await authenticate(req);
    services.admin.requireAdmin(auth.user);
    await limitUser(auth, "admin");
    return adminActor(auth.user);
  };
  /** The `:id` of the path (a user's, a channel's or a report's). */
  const pathId = (req: FastifyRequest) => parse(pathIdSchema, (req.params as { id?: string }).id);

  app.get("/api/v1/admin/users", async (req): Promise<AdminUsersReply> => {
    await admin(req);
    return services.admin.users(parse(adminUsersQuerySchema, req.query));
  });

  app.get("/api/v1/admin/users/:id", async (req): Promise<AdminUserReply> => {
    await admin(req);
    const query = parse(userQuerySchema, req.query);
    return services.admin.user(pathId(req), query.messagesBefore);
  });

  app.post("/api/v1/admin/users/:id/sign-out", async (req): Promise<{ user: AdminUser }> => {
    const by = await admin(req);
    return { user: await services.admin.signOut(by, pathId(req)) };
  });

  app.post("/api/v1/admin/users/:id/ban", async (req): Promise<{ user: AdminUser }> => {
    const by = await admin(req);
    const body = parse(adminBanSchema, req.body);
    return { user: await services.admin.ban(by, pathId(req), body) };
  });

  app.post(
    "/api/v1/admin/users/:id/reset-password",
    async (req, reply): Promise<{ user: AdminUser; password: string }> => {
      const by = await admin(req);
      const reset = await services.admin.resetPassword(by, pathId(req));
      // The password is shown once: no cache keeps it.
      reply.header("cache-control", "no-store");
      return reset;
    },
  );

  app.post("/api/v1/admin/users/:id/rename", async (req): Promise<{ user: AdminUser }> => {
    const by = await admin(req);
    const { username } = parse(adminRenameSchema, req.body);
    return { user: await services.accounts.rename(by, pathId(req), username) };
  });

  app.post("/api/v1/admin/users/:id/deactivate", async (req): Promise<{ user: AdminUser }> => {
    const by = await admin(req);
    return { user: await services.accounts.setActive(by, pathId(req), false) };
  });

  app.post("/api/v1/admin/users/:id/reactivate", async (req): Promise<{ user: AdminUser }> => {
    const by = await admin(req);
    return { user: await services.accounts.setActive(by, pathId(req), true) };
  });

  app.post("/api/v1/admin/users/:id/delete", async (req): Promise<AdminDeleteUserReply> => {
    const by = await admin(req);
    const { messages } = parse(adminDeleteUserSchema, req.body);
    return services.accounts.delete(by, pathId(req), messages);
  });

  app.post("/api/v1/admin/guests/remove", async (req): Promise<AdminRemoveGuestsReply> => {
    const by = await admin(req);
    return services.accounts.removeIdleGuests(by, parse(adminRemoveGuestsSchema, req.body));
  });

  app.post("/api/v1/admin/users/:id/unban", async (req): Promise<{ user: AdminUser }> => {
    const by = await admin(req);
    return { user: await services.admin.unban(by, pathId(req)) };
  });

  app.get("/api/v1/admin/channels", async (req): Promise<AdminChannelsReply> => {
    const by = await admin(req);
    return services.channelAdmin.list(by, parse(adminChannelsQuerySchema, req.query));
  });

  app.get("/api/v1/admin/channels/:id", async (req): Promise<AdminChannelReply> => {
    const by = await admin(req);
    const query = parse(adminChannelQuerySchema, req.query);
    return services.channelAdmin.view(by, pathId(req), query.membersAfter);
  });

  app.post("/api/v1/admin/channels/:id/owner", async (req): Promise<{ channel: AdminChannel }> => {
    const by = await admin(req);
    const { username } = parse(adminChannelOwnerSchema, req.body);
    return { channel: await services.channelAdmin.setOwner(by, pathId(req), username) };
  });

  app.post(
    "/api/v1/admin/channels/:id/archive",
    async (req): Promise<{ channel: AdminChannel }> => {
      const by = await admin(req);
      return { channel: await services.channelAdmin.setArchived(by, pathId(req), true) };
    },
  );

  app.post(
    "/api/v1/admin/channels/:id/unarchive",
    async (req): Promise<{ channel: AdminChannel }> => {
      const by = await admin(req);
      return { channel: await services.channelAdmin.setArchived(by, pathId(req), false) };
    },
  );

  app.get("/api/v1/admin/channels/:id/export", async (req, reply) => {
    const by = await admin(req);
    return sendDownload(req, reply, await services.exports.channelExport(by, pathId(req)));
  });

  app.post("/api/v1/admin/channels/:id/delete", async (req): Promise<AdminDeleteChannelReply> => {
    const by = await admin(req);
    return services.channelAdmin.delete(by, pathId(req));
  });

  app.get("/api/v1/admin/invites", async (req): Promise<AdminInvitesReply> => {
    const by = await admin(req);
    return services.serverInvites.list(by, parse(adminInvitesQuerySchema, req.query));
  });

  app.post("/api/v1/admin/invites", async (req): Promise<AdminCreateInviteReply> => {
    const by = await admin(req);
    return services.serverInvites.create(by, parse(adminCreateInviteSchema, req.body));
  });

  app.post("/api/v1/admin/invites/:id/revoke", async (req): Promise<{ invite: ServerInvite }> => {
    const by = await admin(req);
    return { invite: await services.serverInvites.revoke(by, pathId(req)) };
  });

  app.get("/api/v1/admin/moderation", async (req): Promise<AdminModerationReply> => {
    await admin(req);
    return services.admin.moderationLog(parse(adminModerationQuerySchema, req.query));
  });

  app.get("/api/v1/admin/reports", async (req): Promise<AdminReportsReply> => {
    const by = await admin(req);
    const query = parse(adminReportsQuerySchema, req.query);
    const limit = query.limit ?? ADMIN_PAGE_DEFAULT;
    const status = query.status ?? "open";
    const rows = await services.reports.list(
      { ...by, isGuest: false },
      {
        ...(status !== "all" ? { status: REPORT_STATUS[status] } : {}),
        ...(query.before !== undefined ? { beforeId: query.before } : {}),
        limit: limit + 1,
      },
    );
    const { page, more } = pageOf(rows, limit);
    return { reports: page, ...more };
  });

  app.post("/api/v1/admin/reports/:id/resolve", async (req): Promise<AdminResolveReportReply> => {
    const by = await admin(req);
    const { status } = parse(adminResolveReportSchema, req.body);
    const { report, changed } = await services.reports.close(
      { ...by, isGuest: false },
      pathId(req),
      REPORT_STATUS[status],
    );
    return { report, changed };
  });

  app.get("/api/v1/admin/stats", async (req): Promise<AdminStatsReply> => {
    await admin(req);
    return services.admin.stats();
  });

  app.get("/api/v1/admin/settings", async (req): Promise<AdminSettingsReply> => {
    await admin(req);
    return services.serverSettings.reply();
  });

  app.post("/api/v1/admin/settings", async (req): Promise<AdminSettingsReply> => {
    const by = await admin(req);
    return services.serverSettings.change(by, parse(adminSettingsSchema, req.body));
  });

  app.get("/api/v1/admin/audit", async (req): Promise<AdminAuditReply> => {
    await admin(req);
    return services.admin.audit(parse(adminAuditQuerySchema, req.query));
  });
}
