import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { openStorage } from "../src/main";
import { runAdminCommand } from "../src/ops/admin";
import { seedAdmins } from "../src/services/admins";
import { createUser } from "../src/storage/contract-fixture";
import { openSqliteStorage } from "../src/storage/sqlite/open-sqlite";
import type { Storage } from "../src/storage/storage";
import { TestServer } from "./harness";

const CLI = fileURLToPath(new URL("../src/ops/admin.ts", import.meta.url));

/** Runs `npm run admin -- …args` against `databaseUrl`; resolves with its exit code and output. */
function admin(
  databaseUrl: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      env: { ...process.env, PARLEY_DATABASE_URL: databaseUrl, PARLEY_LOG_LEVEL: "silent" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.stdin.end(stdin ?? "");
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

const silent = { info: () => {}, warn: () => {} };

describe("server admins seeded from PARLEY_ADMINS", () => {
  let dir: string;
  let storage: Storage;
  afterEach(async () => {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const account = (username: string) =>
    createUser(storage, { username, passwordHash: "h", isGuest: false });
  const isAdmin = async (name: string) => (await storage.findUserByName(name))?.isAdmin;

  it("makes a listed account that exists an admin, and a listed name registered later never", async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-admins-"));
    storage = await openSqliteStorage(join(dir, "parley.db"));
    await account("alice");
    const warned: unknown[] = [];
    await seedAdmins(storage, ["Alice", "bob"], {
      info: () => {},
      warn: (o: unknown) => warned.push(o),
    });
    expect(await isAdmin("alice")).toBe(true);
    expect(warned).toEqual([{ name: "bob" }]);

    // Someone takes the free listed name; the next start (the variable unchanged) grants nothing.
    await account("bob");
    await seedAdmins(storage, ["alice", "bob"], silent);
    expect(await isAdmin("bob")).toBe(false);
    expect((await storage.admins()).map((u) => u.username)).toEqual(["alice"]);
  });

  it("seeds a name once: an admin revoked stays revoked though the variable still names it", async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-admins-"));
    storage = await openSqliteStorage(join(dir, "parley.db"));
    const alice = await account("alice");
    await Promise.all([1, 2, 3].map(() => seedAdmins(storage, ["alice"], silent)));
    expect(await isAdmin("alice")).toBe(true);
    await storage.setAdmin(alice.id, false);
    await seedAdmins(storage, ["alice"], silent);
    expect(await isAdmin("alice")).toBe(false);
  });

  it("never makes a guest an admin", async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-admins-"));
    storage = await openSqliteStorage(join(dir, "parley.db"));
    const guest = await createUser(storage, {
      username: "guest-abc",
      passwordHash: null,
      isGuest: true,
    });
    await seedAdmins(storage, ["guest-abc"], silent);
    expect(await isAdmin("guest-abc")).toBe(false);
    await expect(storage.setAdmin(guest.id, true)).rejects.toMatchObject({
      errorName: "NO_SUCH_USER",
    });
  });
});

describe("npm run admin", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  const login = (username: string, password: string) =>
    fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });

  it("creates an admin beside a running server, lists, revokes, and refuses what it cannot do", {
    timeout: 120_000,
  }, async () => {
    server = await new TestServer().start();
    const url = server.config.databaseUrl;
    const created = await admin(url, ["create", "ops", "--password-stdin"], "a long passphrase\n");
    expect(created).toMatchObject({ code: 0, out: "created admin ops\n" });
    const res = await login("ops", "a long passphrase");
    expect(res.status).toBe(200);
    const ops = await server.connect({ token: ((await res.json()) as { token: string }).token });
    expect(ops.user?.ad).toBe(true);

    // The commands themselves, in process beside the server (the process around them is the
    // same as for `create` above and the refusal below).
    const storage = await openStorage(server.config, pino({ level: "silent" }));
    const lines: string[] = [];
    const io = {
      out: (line: string) => lines.push(line),
      hash: async (p: string) => `hash-of-${p}`,
    };
    const run = async (args: string[]) => {
      lines.length = 0;
      await runAdminCommand(storage, args, io);
      return lines.join("\n");
    };
    try {
      expect(await run(["list"])).toBe("ops");
      await server.register("mia");
      expect(await run(["grant", "@mia"])).toBe("mia is now an admin");
      expect(await run(["list"])).toBe("mia\nops");
      expect(await run(["revoke", "ops"])).toBe("ops is no longer an admin");
      // From the next connection on.
      expect((await server.connect({ token: ops.token! })).user?.ad).toBeUndefined();
      for (const [args, error] of [
        [["create", "mia"], { errorName: "USERNAME_TAKEN" }],
        [["create", "guest-x"], { errorName: "USERNAME_RESERVED" }],
        [["create", "x"], { issues: expect.any(Array) }],
        [["frobnicate", "x"], { message: expect.stringContaining("usage: npm run admin") }],
        [["grant"], { message: expect.stringContaining("usage: npm run admin") }],
      ] as const)
        await expect(runAdminCommand(storage, [...args], io), args.join(" ")).rejects.toMatchObject(
          error,
        );
    } finally {
      await storage.close();
    }
    const refused = await admin(url, ["grant", "nobody"]);
    expect(refused).toMatchObject({ code: 1, err: "admin: No account named nobody\n" });
  });

  it("resets a password: prints a new one and signs the account out everywhere", {
    timeout: 60_000,
  }, async () => {
    server = await new TestServer().start();
    const token = await server.register("kim");
    const run = await admin(server.config.databaseUrl, ["reset-password", "kim"]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^new password for kim; 1 sessions signed out\npassword: \S{24}\n$/);
    const password = run.out.match(/password: (\S+)/)![1]!;
    expect((await login("kim", "correct horse battery")).status).toBe(401);
    expect((await login("kim", password)).status).toBe(200);
    // The old session is no more.
    await expect(server.connect({ token, reconnect: false })).rejects.toBeDefined();
  });
});
