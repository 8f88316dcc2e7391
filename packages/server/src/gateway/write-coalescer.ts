import type { Socket } from "node:net";

/**
 * Corks each socket at its first write in an event-loop turn and uncorks them all at the end of
 * the turn, so that the frames a socket gets in one turn leave in one write.
 */
export class WriteCoalescer {
  private corked: Socket[] = [];
  /** Counts uncork rounds: writes with the same value went out in the same turn. */
  turn = 0;
  private readonly corkedSet = new Set<Socket>();

  cork(socket: Socket): void {
    if (this.corkedSet.has(socket)) return;
    if (this.corked.length === 0) setImmediate(this.uncorkAll);
    socket.cork();
    this.corkedSet.add(socket);
    this.corked.push(socket);
  }

  private readonly uncorkAll = (): void => {
    const sockets = this.corked;
    this.corked = [];
    this.turn++;
    this.corkedSet.clear();
    for (const socket of sockets) socket.uncork();
  };
}
