import {
  type AuthOptions,
  type AuthReply,
  credentialsSchema,
  currentPasswordSchema,
  errorName,
  historyHttpQuerySchema,
  type MeReply,
  type PushKeyReply,
  passwordSchema,
  profileChangeSchema,
  registerSchema,
  type SearchReply,
  searchHttpQuerySchema,
  type UserRef,
  upgradeSchema,
} from "@parley/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ParleyError } from "../errors";
import { addressKey } from "../rate-limit/address-key";
import type { RateRuleName } from "../rate-limit/rate-limiter";
import type { Authenticated } from "../services/auth-service";
import type { Services } from "../services/services";
import { userRef } from "../services/user-ref";
import { registerAdminRoutes } from "./admin-routes";
import { sendDownload } from "./download";
import { type HttpError, httpError } from "./error-body";
import { registerFileRoutes } from "./file-routes";

function bearer(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ParleyError(
      "INVALID_PAYLOAD",
      issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : undefined,
    );
  }
  return parsed.data;
}

/**
 * The HTTP API under /api/v1: accounts, sessions, history and search for clients that page
 * over HTTP, files (`file-routes.ts`) and the admin API (`admin-routes.ts`).
 */
export function registerApiRoutes(app: FastifyInstance, services: Services): void {
  /** Takes a token of a bucket, or refuses with RATE_LIMITED (429 with Retry-After). */
  const take = async (key: string, name: RateRuleName, what: string) => {
    const decision = await services.rate.limiter.take(key, services.rate.rules[name]);
    if (!decision.ok) {
      throw new ParleyError(
        "RATE_LIMITED",
        `Too many ${what}: wait ${Math.ceil(decision.retryAfterMs / 1000)} s`,
        { retryAfterMs: decision.retryAfterMs },
      );
    }
  };
  /** A per-address bucket (an IPv6 client counted by its /64). */
  const limit = (req: FastifyRequest, name: "login" | "register") =>
    take(`ip:${addressKey(req.ip)}:${name}`, name, "attempts");
  /** The user's bucket, the one its WebSocket requests take too (`rateLimit` guard). */
  const limitUser = (
    auth: Authenticated,
    name: "read" | "upload" | "search" | "admin" | "export",
  ) => take(`user:${auth.user.id}:${name}`, name, "requests");

  const authenticate = async (req: FastifyRequest): Promise<Authenticated> => {
    const token = bearer(req);
    if (!token)
      throw new ParleyError("UNAUTHENTICATED", "Send Authorization: Bearer <session token>");
    return services.auth.authenticate(token);
  };

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    let answer: HttpError;
    if (err instanceof ParleyError) {
      if (err.detail.retryAfterMs !== undefined) {
        reply.header("retry-after", String(Math.ceil(err.detail.retryAfterMs / 1000)));
      }
      answer = httpError(errorName(err.code) ?? "INTERNAL", err.message);
    } else {
      const status = (err as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) {
        // Fastify's own 4xx (malformed JSON, body too large, wrong content type) keep their
        // status, with the catalogue's body.
        answer = { ...httpError("INVALID_PAYLOAD", (err as Error).message), status };
      } else {
        req.log.error({ err }, "request failed");
        answer = httpError("INTERNAL");
      }
    }
    return reply.code(answer.status).send(answer.body);
  });

  /**
   * Registers an account; with a guest's Bearer token, upgrades that guest, which keeps its name
   * or takes the `username` given.
   */
  app.post("/api/v1/auth/register", async (req, reply) => {
    await limit(req, "register");
    const token = bearer(req);
    if (token) {
      const auth = await services.auth.authenticate(token);
      const body = parse(upgradeSchema, req.body);
      const user = await services.auth.upgradeGuest(
        auth,
        body.password,
        body.username,
        body.invite,
      );
      return reply.code(200).send({ token, user: userRef(user) } satisfies AuthReply);
    }
    const body = parse(registerSchema, req.body);
    const issued = await services.auth.register(body.username, body.password, body.invite);
    return reply
      .code(201)
      .send({ token: issued.token, user: userRef(issued.user) } satisfies AuthReply);
  });

  /** How one may join now: registration open, invite-only or closed, and guest access. */
  app.get("/api/v1/auth/options", async (): Promise<AuthOptions> => {
    const { registration, guests } = services.serverSettings.current;
    return { registration, guests };
  });

  app.post("/api/v1/auth/login", async (req): Promise<AuthReply> => {
    await limit(req, "login");
    const body = parse(credentialsSchema, req.body);
    const issued = await services.auth.login(body.username, body.password);
    return { token: issued.token, user: userRef(issued.user) };
  });

  app.post("/api/v1/auth/logout", async (req, reply) => {
    await services.auth.logout(await authenticate(req));
    return reply.code(204).send();
  });

  /** Signs out every other session of the caller (its other devices and browsers). */
  app.post("/api/v1/auth/sign-out-others", async (req): Promise<{ revoked: number }> => {
    const auth = await authenticate(req);
    await limitUser(auth, "read");
    parse(z.strictObject({}), req.body ?? {});
    return { revoked: await services.auth.signOutOthers(auth) };
  });

  /** Changes the password; every other session of the account is signed out. */
  app.post("/api/v1/auth/password", async (req, reply) => {
    await limit(req, "login");
    const auth = await authenticate(req);
    const body = parse(
      z.strictObject({ password: currentPasswordSchema, newPassword: passwordSchema }),
      req.body,
    );
    await services.auth.changePassword(auth, body.password, body.newPassword);
    return reply.code(204).send();
  });

  // Public: the key is in every push the server signs. Absent (404) when push is off.
  const pushKey = services.push.publicKey;
  if (pushKey !== null)
    app.get("/api/v1/push/key", async (): Promise<PushKeyReply> => ({ key: pushKey }));

  app.get("/api/v1/me", async (req): Promise<MeReply> => {
    const auth = await authenticate(req);
    await limitUser(auth, "read");
    return {
      user: userRef(auth.user),
      channels: await services.channels.userChannels(auth.user.id),
    };
  });

  app.get<{ Params: { id: string } }>("/api/v1/channels/:id/messages", async (req) => {
    const auth = await authenticate(req);
    await limitUser(auth, "read");
    const channelId = parse(z.coerce.number().pipe(z.int().positive()), req.params.id);
    const query = parse(historyHttpQuerySchema, req.query);
    if ([query.before, query.after, query.around].filter((v) => v !== undefined).length > 1) {
      throw new ParleyError("INVALID_PAYLOAD", "at most one of before, after, around");
    }
    await services.channels.require(channelId, { id: auth.user.id });
    return services.messages.history(auth.user.id, channelId, query);
  });

  /** Changes the caller's profile; answers the user as others now see it. */
  app.post("/api/v1/profile", async (req): Promise<{ user: UserRef }> => {
    const auth = await authenticate(req);
    await limitUser(auth, "read");
    const change = parse(profileChangeSchema, req.body);
    return { user: userRef(await services.profiles.update(auth.user, change)) };
  });

  /**
   * An avatar, to anyone: its id is random and given only to those who see its user (an
   * `<img>` sends no token). Immutable: a new avatar has a new id.
   */
  app.get<{ Params: { id: string } }>("/api/v1/avatars/:id", async (req, reply) => {
    const body = await services.files.openAvatar(req.params.id);
    return reply
      .header("content-type", "image/webp")
      .header("cache-control", "public, max-age=31536000, immutable")
      .send(body);
  });

  /** The caller's own data, as a zip of JSON with its uploads (written as it downloads). */
  app.get("/api/v1/export", async (req, reply) => {
    const auth = await authenticate(req);
    await limitUser(auth, "export");
    return sendDownload(req, reply, services.exports.userExport(auth.user));
  });

  registerFileRoutes(app, services, { authenticate, limitUser, parse });
  registerAdminRoutes(app, services, { authenticate, limitUser, parse });
  /** Search (op 42) over HTTP: the same results and the same bucket as the WebSocket op. */
  app.get("/api/v1/search", async (req): Promise<SearchReply> => {
    const auth = await authenticate(req);
    await limitUser(auth, "search");
    const query = parse(searchHttpQuerySchema, req.query);
    return services.search.search(auth.user.id, query.q, {
      cursor: query.cursor,
      limit: query.limit,
    });
  });
}
