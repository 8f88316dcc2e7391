import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { FastifyInstance } from "fastify";
import type { Metrics } from "../metrics";
import { httpError } from "./error-body";

export interface MetricsEndpointOptions {
  /** Bearer token required to read the metrics; null = none. */
  token: string | null;
  /** Serve the metrics on their own listener at this address instead of the main port. */
  listen: { host: string; port: number } | null;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Whether an Authorization header carries the metrics token. Both sides are hashed first, so
 * the comparison takes the same time whatever the header holds (its length included).
 */
export function metricsAuthorized(header: string | undefined, token: string | null): boolean {
  if (token === null) return true;
  const given = header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  return timingSafeEqual(digest(given ?? ""), digest(token)) && given !== undefined;
}

const UNAUTHORIZED = httpError(
  "UNAUTHENTICATED",
  "Send Authorization: Bearer <PARLEY_METRICS_TOKEN>",
);

/**
 * `GET /metrics` (Prometheus): on the main port, or on a listener of its own (an address only
 * the monitoring network reaches), and behind a Bearer token when one is configured. Resolves
 * to the separate listener's URL, and a close for it.
 */
export async function serveMetrics(
  app: FastifyInstance,
  metrics: Metrics,
  options: MetricsEndpointOptions,
): Promise<{ url: string | null; close: () => Promise<void> }> {
  const { token, listen } = options;
  if (!listen) {
    app.get("/metrics", async (req, reply) => {
      if (!metricsAuthorized(req.headers.authorization, token)) {
        reply.code(UNAUTHORIZED.status).header("www-authenticate", "Bearer");
        return UNAUTHORIZED.body;
      }
      reply.header("content-type", metrics.registry.contentType);
      return metrics.registry.metrics();
    });
    return { url: null, close: async () => {} };
  }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    if (!metricsAuthorized(req.headers.authorization, token)) {
      res
        .writeHead(UNAUTHORIZED.status, {
          "content-type": "application/json",
          "www-authenticate": "Bearer",
        })
        .end(JSON.stringify(UNAUTHORIZED.body));
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : listen.port;
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
