import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/**
 * `npm start`'s server as a child process; resolves once it logged its URL, or fails after
 * `startMs` (default 20 s; a loaded machine may need more).
 */
export async function spawnServer(
  env: Record<string, string>,
  startMs = 20_000,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      PARLEY_PORT: "0",
      PARLEY_LOG_LEVEL: "info",
      // Tests make their own channels unless they set this.
      PARLEY_DEFAULT_CHANNELS: "",
      // Tests never reach the internet; a test that wants previews turns them on for a local page.
      PARLEY_LINK_PREVIEWS: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a half-started server behind a failed test.
      child.kill("SIGKILL");
      reject(new Error(`server did not start:\n${output}`));
    }, startMs);
    child.stdout?.on("data", (d: Buffer) => {
      output += d;
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"parley listening"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

/** Resolves with the exit code once the child ends. */
export async function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, "exit");
  return code as number | null;
}
