import type { RawData } from "ws";

/** `readyState` of a socket that can be written to, and of one that is closed (as in `ws`). */
export const SOCKET_OPEN = 1;
export const SOCKET_CLOSED = 3;

/**
 * What the gateway and a connection use of a server-side WebSocket: a `ws` socket, or the
 * server side of an in-memory pair (`memory-socket.ts`). Listeners are called with the socket
 * as `this`, as `ws` does, so the gateway shares one set of listeners among all sockets.
 */
export interface GatewaySocket {
  readonly protocol: string;
  readonly readyState: number;
  /** Bytes written but not yet taken by the transport. */
  readonly bufferedAmount: number;
  send(data: Buffer | Uint8Array, options: { binary: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  on(
    event: "message",
    listener: (this: GatewaySocket, data: RawData, isBinary: boolean) => void,
  ): this;
  on(event: "error", listener: (this: GatewaySocket, err: Error) => void): this;
  on(event: "pong" | "close", listener: (this: GatewaySocket) => void): this;
  once(event: "close", listener: () => void): this;
}
