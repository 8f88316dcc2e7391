import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebSocket } from "ws";

/**
 * Lets go of the HTTP objects of a WebSocket upgrade, which would otherwise live as long as
 * the socket: @fastify/websocket routes each upgrade through Fastify with a ServerResponse
 * attached to the TCP socket (which thereby keeps the response, its request, Fastify's request
 * and reply and their child logger), and gives the WebSocket an error listener that holds the
 * request and reply. Together about 4 KiB per open socket.
 *
 * The response is detached the way Node's HTTP server detaches a finished one (nothing is ever
 * written to it: the upgrade hijacked the reply). The plugin's error listener goes, so the
 * caller must give the socket its own at once; the gateway's terminates the socket as the
 * plugin's did. Call it first thing in the route's WebSocket handler, where the plugin's is the
 * socket's only error listener.
 */
export function releaseUpgrade(
  ws: WebSocket,
  req: IncomingMessage,
  res: ServerResponse | undefined,
): void {
  if (res && req.socket && res.socket === req.socket) res.detachSocket(req.socket);
  ws.removeAllListeners("error");
}
