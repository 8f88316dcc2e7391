import { connect, createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RoundRobinProxy } from "./round-robin-proxy";

/** A TCP server that answers every connection with its name, then echoes. */
async function named(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.write(`${name}:`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

/** Connects through the proxy, sends `text`, and resolves with everything read back. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (d) => {
      data += d;
      if (data.endsWith(text)) {
        socket.end();
        resolve(data);
      }
    });
    socket.on("error", reject);
    socket.write(text);
  });
}

describe("RoundRobinProxy", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it("hands connections to the targets in turn and passes bytes both ways", async () => {
    const a = await named("a");
    const b = await named("b");
    closers.push(async () => {
      a.server.close();
      b.server.close();
    });
    const proxy = new RoundRobinProxy([
      { host: "127.0.0.1", port: a.port },
      { host: "127.0.0.1", port: b.port },
    ]);
    closers.push(() => proxy.close());
    const port = await proxy.listen(0);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await exchange(port, `hello${i}`));
    expect(answers).toEqual(["a:hello0", "b:hello1", "a:hello2", "b:hello3"]);
  });

  it("skips a target that refuses the connection", async () => {
    const a = await named("a");
    const dead = await named("dead");
    dead.server.close();
    closers.push(async () => {
      a.server.close();
    });
    const proxy = new RoundRobinProxy([
      { host: "127.0.0.1", port: dead.port },
      { host: "127.0.0.1", port: a.port },
    ]);
    closers.push(() => proxy.close());
    const port = await proxy.listen(0);
    expect(await exchange(port, "x")).toBe("a:x");
    expect(await exchange(port, "y")).toBe("a:y");
  });
});
