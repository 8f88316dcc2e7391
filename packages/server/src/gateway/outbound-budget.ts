/** One socket as the budget sees it: what it holds buffered, and how to shed it. */
export interface BufferedSocket {
  /** Bytes written to the socket that the kernel has not taken yet. */
  readonly buffered: number;
  /** Closes the socket as a slow consumer (4002) and frees its buffer at once. */
  shed(): void;
}

export interface OutboundBudgetOptions {
  /** Bytes all sockets together may hold buffered (`PARLEY_MAX_BUFFERED_TOTAL`). */
  maxBytes: number;
  /** The node's open sockets. */
  sockets: () => Iterable<BufferedSocket>;
  /** Called with each socket shed. */
  onShed: () => void;
}

/**
 * The node-wide bound on outbound buffers, beside each socket's own bound: many readers each
 * just under their bound would otherwise add up to any amount of memory. Sockets drain without
 * telling us, so the total is not kept as a sum: it is measured (one pass over the sockets),
 * and counted up by every write since, which can only overestimate it. When that estimate
 * passes the budget, and at least 1/64 of the budget was written since the last measure (so a
 * total hovering just under the budget does not cost a pass per write), the budget measures
 * again and, if it is really over, sheds the sockets with the largest buffers first until the
 * rest fit. So between writes the total stays within the budget plus 1/64 of it.
 */
export class OutboundBudget {
  private measured = 0;
  private written = 0;
  private readonly slack: number;

  constructor(private readonly options: OutboundBudgetOptions) {
    this.slack = Math.floor(options.maxBytes / 64);
  }

  /** Counts bytes just written to a socket; may shed sockets, the writer's own included. */
  wrote(bytes: number): void {
    this.written += bytes;
    if (this.measured + this.written <= this.options.maxBytes || this.written < this.slack) return;
    this.written = 0;
    this.measured = this.enforce();
  }

  /** The bytes all sockets hold buffered now (one pass over them). */
  total(): number {
    let total = 0;
    for (const s of this.options.sockets()) total += s.buffered;
    return total;
  }

  /** Sheds the largest buffers until the total fits; returns the total left. */
  private enforce(): number {
    const held: { socket: BufferedSocket; bytes: number }[] = [];
    let total = 0;
    for (const socket of this.options.sockets()) {
      const bytes = socket.buffered;
      if (bytes === 0) continue;
      total += bytes;
      held.push({ socket, bytes });
    }
    if (total <= this.options.maxBytes) return total;
    held.sort((a, b) => b.bytes - a.bytes);
    for (const { socket, bytes } of held) {
      if (total <= this.options.maxBytes) break;
      total -= bytes;
      socket.shed();
      this.options.onShed();
    }
    return total;
  }
}
