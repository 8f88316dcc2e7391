import {
  type AdminAuditReply,
  type AdminModerationReply,
  type AdminSettingsReply,
  type AdminStatsReply,
  type AdminUser,
  type AdminUserReply,
  type AdminUsersReply,
  adminAuditQuerySchema,
  adminBanSchema,
  adminModerationQuerySchema,
  adminSettingsSchema,
  adminUsersQuerySchema,
} from "@parley/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { type AdminActor, adminActor } from "../services/admin-service";
import type { Authenticated } from "../services/auth-service";
import type { Services } from "../services/services";

/** What the admin routes take from the API's other routes. */
export interface AdminRouteHelpers {
  authenticate: (req: FastifyRequest) => Promise<Authenticated>;
  /** Takes a token of the user's bucket, or refuses with RATE_LIMITED. */
  limitUser: (auth: Authenticated, name: "admin") => Promise<void>;
  parse: <T>(schema: z.ZodType<T>, value: unknown) => T;
}

const userIdSchema = z.coerce.number().pipe(z.int().positive());
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
  const userId = (req: FastifyRequest) => parse(userIdSchema, (req.params as { id?: string }).id);

  app.get("/api/v1/admin/users", async (req): Promise<AdminUsersReply> => {
    await admin(req);
    return services.admin.users(parse(adminUsersQuerySchema, req.query));
  });

  app.get("/api/v1/admin/users/:id", async (req): Promise<AdminUserReply> => {
    await admin(req);
    const query = parse(userQuerySchema, req.query);
    return services.admin.user(userId(req), query.messagesBefore);
  });

  app.post("/api/v1/admin/users/:id/sign-out", async (req): Promise<{ user: AdminUser }> => {
    const by = await admin(req);
    return { user: await services.admin.signOut(by, userId(req)) };
  });

  app.post("/api/v1/admin/users/:id/ban", async (req): Promise<{ user: AdminUser }> => {
    const by = await admin(req);
    const body = parse(adminBanSchema, req.body);
    return { user: await services.admin.ban(by, userId(req), body) };
  });

  app.post(
    "/api/v1/admin/users/:id/reset-password",
    async (req, reply): Promise<{ user: AdminUser; password: string }> => {
      const by = await admin(req);
      const reset = await services.admin.resetPassword(by, userId(req));
      // The password is shown once: no cache keeps it.
      reply.header("cache-control", "no-store");
      return reset;
    },
  );

  app.post("/api/v1/admin/users/:id/unban", async (req): Promise<{ user: AdminUser }> => {
    const by = await admin(req);
    return { user: await services.admin.unban(by, userId(req)) };
  });

  app.get("/api/v1/admin/moderation", async (req): Promise<AdminModerationReply> => {
    await admin(req);
    return services.admin.moderationLog(parse(adminModerationQuerySchema, req.query));
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
