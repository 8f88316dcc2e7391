import { connect, createServer, type Server, type Socket } from "node:net";

export interface ProxyTarget {
  host: string;
  port: number;
}

/**
 * A TCP proxy that hands each new connection to the next target in turn (round robin), for
 * trying a cluster out on one machine: HTTP and WebSocket pass through untouched, so one URL
 * reaches every node. A target that refuses the connection is skipped for that connection.
 * Not for production, where nginx (deploy/nginx.conf) does this with health checks.
 */
export class RoundRobinProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private next = 0;

  constructor(private readonly targets: readonly ProxyTarget[]) {
    if (targets.length === 0) throw new Error("RoundRobinProxy needs at least one target");
    this.server = createServer((client) => this.accept(client));
  }

  /** Listens; resolves with the bound port. */
  listen(port: number, host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        const address = this.server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.track(client);
    client.pause();
    const first = this.next++ % this.targets.length;
    const tryTarget = (attempt: number) => {
      if (attempt >= this.targets.length || client.destroyed) {
        client.destroy();
        return;
      }
      const target = this.targets[(first + attempt) % this.targets.length]!;
      const upstream = connect(target.port, target.host);
      let connected = false;
      upstream.once("error", () => {
        if (!connected) tryTarget(attempt + 1);
        else client.destroy();
      });
      upstream.once("connect", () => {
        connected = true;
        this.track(upstream);
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
        client.resume();
      });
    };
    tryTarget(0);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
  }
}
