import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { passwordSchema, usernameSchema } from "@parley/protocol";
import { pino } from "pino";
import { loadConfig } from "../config";
import { ParleyError } from "../errors";
import { openStorage } from "../main";
import { checkAccountName, hashToken, newToken } from "../services/auth-service";
import { PasswordHasher, temporaryPassword } from "../services/password-hasher";
import type { Storage } from "../storage/storage";

export const USAGE = `usage: npm run admin -- <command>
  list                     the server admins
  create <name>            a new account that is an admin; prints its password
                           (with --password-stdin, reads it from standard input instead)
  grant <name>             makes an existing account an admin
  revoke <name>            makes an admin an ordinary account again
  reset-password <name>    sets a new password (printed, or read with --password-stdin) and
                           signs the account out everywhere
Runs against the database the PARLEY_* variables configure (as the server does); the server
may be running. A change of admins applies from the user's next connection.`;

/** What a command needs besides the storage. */
export interface AdminIo {
  out: (line: string) => void;
  /** The password given on standard input (`--password-stdin`), if any. */
  password?: string;
  hash: (password: string) => Promise<string>;
}

async function account(storage: Storage, name: string) {
  const user = await storage.findUserByName(name);
  if (!user || user.isGuest) throw new ParleyError("NO_SUCH_USER", `No account named ${name}`);
  return user;
}

/**
 * Runs one admin command on `storage`. Throws a ParleyError (its message for the operator) when
 * the command cannot be done.
 */
export async function runAdminCommand(storage: Storage, args: string[], io: AdminIo) {
  const [command, name] = args;
  if (command === "list") {
    const admins = await storage.admins();
    if (admins.length === 0) io.out("no admins");
    for (const admin of admins) io.out(admin.username);
    return;
  }
  if (!name) throw new ParleyError("INVALID_PAYLOAD", USAGE);
  switch (command) {
    case "create": {
      const username = usernameSchema.parse(name.replace(/^@/, ""));
      checkAccountName(username);
      const password = passwordSchema.parse(io.password ?? temporaryPassword());
      // Sign-up's first session, of a token nobody holds: revoked at once.
      const { user, session } = await storage.createUserWithSession(
        { username, passwordHash: await io.hash(password), isGuest: false },
        hashToken(newToken()),
      );
      await storage.revokeSession(session.id);
      await storage.setAdmin(user.id, true);
      io.out(`created admin ${user.username}`);
      if (!io.password) io.out(`password: ${password}`);
      return;
    }
    case "grant":
    case "revoke": {
      const user = await account(storage, name.replace(/^@/, ""));
      await storage.setAdmin(user.id, command === "grant");
      io.out(`${user.username} is ${command === "grant" ? "now an admin" : "no longer an admin"}`);
      return;
    }
    case "reset-password": {
      const user = await account(storage, name.replace(/^@/, ""));
      const password = passwordSchema.parse(io.password ?? temporaryPassword());
      await storage.updatePassword(user.id, await io.hash(password));
      const revoked = await storage.revokeUserSessions(user.id);
      io.out(`new password for ${user.username}; ${revoked.length} sessions signed out`);
      if (!io.password) io.out(`password: ${password}`);
      return;
    }
    default:
      throw new ParleyError("INVALID_PAYLOAD", USAGE);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== "--password-stdin");
  if (args.length === 0 || args[0] === "--help") {
    console.log(USAGE);
    process.exit(args.length === 0 ? 2 : 0);
  }
  const password = process.argv.includes("--password-stdin") ? await readStdin() : undefined;
  const config = loadConfig(process.env);
  // Logs (a search index build, say) go to standard error, apart from the command's output.
  const storage = await openStorage(config, pino({ level: config.logLevel }, pino.destination(2)));
  // Started only for the commands that set a password.
  let hasher: PasswordHasher | undefined;
  try {
    await runAdminCommand(storage, args, {
      out: (line) => console.log(line),
      hash: (p) => {
        hasher ??= new PasswordHasher({ concurrency: 1 });
        return hasher.hash(p);
      },
      ...(password !== undefined ? { password } : {}),
    });
  } finally {
    await hasher?.close();
    await storage.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: Error) => {
    const issues = (err as { issues?: { message: string }[] }).issues;
    console.error(`admin: ${issues ? issues.map((i) => i.message).join("; ") : err.message}`);
    process.exit(1);
  });
}
