import type { FastifyInstance } from "fastify";

/**
 * Security headers on every HTTP response. The web client is built without inline scripts or
 * styles, so the policy allows only its own files, and WebSockets to the host that served it.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onSend", async (req, reply) => {
    const host = req.headers.host ?? "";
    const websockets = /^[A-Za-z0-9.:[\]-]+$/.test(host) ? ` ws://${host} wss://${host}` : "";
    // A route with a stricter policy of its own (a file download) keeps it.
    if (!reply.hasHeader("content-security-policy"))
      reply.header(
        "content-security-policy",
        [
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "img-src 'self' data:",
          "font-src 'self'",
          `connect-src 'self'${websockets}`,
          "manifest-src 'self'",
          "base-uri 'none'",
          "form-action 'self'",
          "frame-ancestors 'none'",
        ].join("; "),
      );
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
    reply.header("permissions-policy", "camera=(), microphone=(), geolocation=()");
    reply.header("cross-origin-opener-policy", "same-origin");
    if (!reply.hasHeader("cross-origin-resource-policy"))
      reply.header("cross-origin-resource-policy", "same-origin");
  });
}
