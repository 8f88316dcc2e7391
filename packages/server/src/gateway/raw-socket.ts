import { Socket } from "node:net";

/**
 * The one place that reaches into `ws` internals: the TCP socket under a WebSocket, which
 * `ws` keeps in the undocumented `_socket` field. Parley corks it so that all frames written
 * to one socket in one event-loop turn leave in one write. `raw-socket.test.ts` fails if a
 * `ws` release moves the field.
 */
export function rawSocketOf(ws: object): Socket | undefined {
  const socket = (ws as unknown as { _socket?: unknown })._socket;
  return socket instanceof Socket ? socket : undefined;
}
