import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 whose open links can be frozen: bytes stop flowing both ways while
 * the sockets stay open, as when a network path dies without a FIN or RST.
 */
export class FreezableProxy {
  private readonly links: { client: Socket; upstream: Socket }[] = [];
  private readonly frozen: { client: Socket; upstream: Socket }[] = [];
  private server?: Server;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      this.links.push({ client, upstream });
    });
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /**
   * Stops every open link from carrying bytes; new links still work. With `"down"` only the
   * server's bytes stop (the client's still reach the server), as when replies are lost.
   */
  freezeAll(direction: "both" | "down" = "both"): void {
    for (const link of this.links.splice(0)) {
      const { client, upstream } = link;
      this.frozen.push(link);
      upstream.unpipe(client);
      upstream.pause();
      if (direction === "both") {
        client.unpipe(upstream);
        client.pause();
      }
    }
  }

  /** Destroys the frozen links: both ends now see the connection end. */
  dropFrozen(): void {
    for (const { client, upstream } of this.frozen.splice(0)) {
      client.destroy();
      upstream.destroy();
    }
  }

  async close(): Promise<void> {
    for (const { client, upstream } of [...this.links.splice(0), ...this.frozen.splice(0)]) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
