import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { RoundRobinProxy } from "./round-robin-proxy";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/**
 * `npm run cluster`: N Parley nodes on this machine (ports 8081…8080+N by default) sharing the
 * PostgreSQL database and Redis named by PARLEY_DATABASE_URL and PARLEY_REDIS_URL, behind a
 * round-robin TCP proxy on 127.0.0.1:8080, for trying a cluster out. Every other PARLEY_ setting
 * of the environment reaches the nodes. Ctrl-C stops the proxy and the nodes (SIGTERM each).
 *
 *   PARLEY_DATABASE_URL=postgres://… PARLEY_REDIS_URL=redis://… npm run cluster -- --nodes 3
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: "string", default: "3" },
      port: { type: "string", default: "8080" },
    },
  });
  const count = Number(values.nodes);
  const port = Number(values.port);
  if (!Number.isInteger(count) || count < 1 || count > 64 || !Number.isInteger(port)) {
    console.error("usage: npm run cluster -- [--nodes 3] [--port 8080]");
    process.exit(2);
  }
  const { PARLEY_DATABASE_URL: db, PARLEY_REDIS_URL: redis } = process.env;
  if (!db?.startsWith("postgres") || !redis) {
    console.error(
      "npm run cluster: set PARLEY_DATABASE_URL=postgres://… and PARLEY_REDIS_URL=redis://… " +
        "(for a throwaway pair: scripts/test-services.sh start, and use the URLs it prints)",
    );
    process.exit(2);
  }
  const host = "127.0.0.1";
  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await proxy?.close();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
    process.exit(code);
  };
  let proxy: RoundRobinProxy | undefined;
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  const ports = Array.from({ length: count }, (_, i) => port + 1 + i);
  for (const [i, nodePort] of ports.entries()) {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
      env: { ...process.env, PARLEY_HOST: host, PARLEY_PORT: String(nodePort) },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.once("exit", (code, signal) => {
      if (stopping) return;
      console.error(`node ${i + 1} (port ${nodePort}) exited (${code ?? signal})`);
    });
    children.push(child);
    // The first node migrates the schema alone; the others start once it answers.
    if (i === 0) await healthy(`http://${host}:${nodePort}`, child);
  }
  await Promise.all(ports.map((p, i) => healthy(`http://${host}:${p}`, children[i]!)));
  proxy = new RoundRobinProxy(ports.map((p) => ({ host, port: p })));
  await proxy.listen(port, host);
  console.log(
    `parley cluster: ${count} nodes on ports ${ports.join(", ")}; ` +
      `open http://${host}:${port} (round robin over the nodes). Ctrl-C stops everything.`,
  );
}

/** Waits until the node answers /healthz (or fails if it exits first). */
async function healthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the node for ${url} exited`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not start within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

main().catch((err: Error) => {
  console.error(`npm run cluster: ${err.message}`);
  process.exit(1);
});
