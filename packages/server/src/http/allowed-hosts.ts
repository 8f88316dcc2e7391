import type { FastifyInstance } from "fastify";
import { httpError } from "./error-body";

/**
 * Whether a Host header names one of the allowed hosts. An entry without a port allows that
 * name on any port; one with a port (`localhost:8080`, `[::1]:8080`) only on that port. Names
 * compare case-insensitively.
 */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  const given = host.toLowerCase();
  const name = given.replace(/:\d+$/, "");
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    return e === given || e === name;
  });
}

const REFUSED = httpError("HOST_NOT_ALLOWED");

/**
 * Refuses every HTTP request, WebSocket upgrades included, whose Host (X-Forwarded-Host behind
 * a trusted proxy) is not in `PARLEY_ALLOWED_HOSTS`, with 421 HOST_NOT_ALLOWED. A page of
 * another site whose name was made to resolve to this server (DNS rebinding) sends its own name
 * as Host, and its own origin as Origin, so the same-origin check alone lets it through.
 * `/healthz` stays open: load balancers probe by address.
 */
export function registerAllowedHosts(app: FastifyInstance, allowed: readonly string[]): void {
  app.addHook("onRequest", async (req, reply) => {
    if (req.url === "/healthz" || hostAllowed(req.host, allowed)) return;
    await reply.code(REFUSED.status).send(REFUSED.body);
  });
}
