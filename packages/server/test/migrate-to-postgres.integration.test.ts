import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { EventType, MessageKind, Role } from "@parley/protocol";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { DiskFileStore } from "../src/files/disk-file-store";
import { PostgresFileStore } from "../src/files/postgres-file-store";
import { TABLES } from "../src/ops/migrate-to-postgres";
import { SearchService } from "../src/services/search-service";
import { openPostgresDatabase, openPostgresStorage } from "../src/storage/postgres/open-postgres";
import { SEARCH_STATE_KEY } from "../src/storage/sql/search";
import { openSqliteStorage } from "../src/storage/sqlite/open-sqlite";
import type { Actor, Storage } from "../src/storage/storage";
import { DROP_SCHEMAS_TIMEOUT_MS, describeWith, dropFreshSchemas, freshPostgres } from "./services";

const CLI = fileURLToPath(new URL("../src/ops/migrate-to-postgres.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "parley-migrate-"));
afterAll(async () => {
  await dropFreshSchemas();
  rmSync(dir, { recursive: true, force: true });
}, DROP_SCHEMAS_TIMEOUT_MS);

/** Runs the command as `npm run migrate-to-postgres -- …` does; resolves with its output. */
function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/** A SQLite database with a bit of everything: users, sessions, channels, moderation. */
async function populate(path: string) {
  const s = await openSqliteStorage(path);
  const users: Actor[] = [];
  for (const name of ["olivia", "mike", "mary", "gus"]) {
    const { user: u } = await s.createUserWithSession(
      { username: name, passwordHash: `hash-${name}`, isGuest: false },
      `seed-${name}`,
    );
    users.push({ id: u.id, name: u.username });
  }
  const [olivia, mike, mary, gus] = users as [Actor, Actor, Actor, Actor];
  await s.createSession(olivia.id, "token-a");
  const revoked = await s.createSession(mary.id, "token-b");
  await s.revokeSession(revoked.id);
  const general = (await s.createChannel({ name: "General", topic: "hi", owner: olivia })).channel;
  const other = (await s.createChannel({ name: "Other", topic: "", owner: mike })).channel;
  for (const u of [mike, mary, gus])
    await s.addMember(general.id, u.id, Role.Member, { type: EventType.MemberJoined, actor: u });
  await s.addMember(other.id, olivia.id, Role.Member, {
    type: EventType.MemberJoined,
    actor: olivia,
  });
  await s.setRole({ channelId: general.id, actor: olivia, target: mike }, Role.Moderator);
  const results = await s.appendMessages(
    Array.from({ length: 30 }, (_, i) => ({
      channelId: i % 3 === 0 ? other.id : general.id,
      author: [olivia, mike, mary][i % 3]!,
      nonce: `n${i}`,
      content: `message ${i}`,
      kind: i === 5 ? MessageKind.Action : MessageKind.Text,
    })),
  );
  const firstId = results[1]!.ok ? results[1]!.event.i : 0;
  await s.addReaction(general.id, firstId, "👍", mary, 20);
  await s.addReaction(general.id, firstId, "🎉", mike, 20);
  await s.addReaction(general.id, firstId, "🎉", olivia, 20);
  await s.removeReaction(general.id, firstId, "👍", mary);
  const [edited, deleted] = [results[4]!, results[7]!].map((r) => (r.ok ? r.event.i : 0));
  await s.editMessage(
    {
      channelId: general.id,
      messageId: edited!,
      actor: mike,
      version: 1,
      content: "v2",
      nonce: "e",
    },
    () => {},
  );
  await s.deleteMessage(
    { channelId: general.id, messageId: deleted!, actor: olivia, nonce: "d" },
    () => ({ moderator: true, reason: "tidy" }),
  );
  await s.mute({ channelId: general.id, actor: olivia, target: mary, reason: "loud", until: null });
  await s.recordNodeStats(
    { node: "host:1:abc", at: Date.now(), connections: 3, messages: 30, lagMs: 1.25 },
    0,
  );
  // A server ban with an end and a reason, through the admin API's audited write.
  await s.setServerBanAudited(
    gus.id,
    { until: Date.now() + 3_600_000, reason: "spam everywhere" },
    { actor: olivia, action: "ban", target: gus, before: { ban: null }, after: { ban: {} } },
  );
  await s.ban({
    channelId: general.id,
    actor: olivia,
    target: gus,
    reason: "spam",
    until: Date.now() + 3_600_000,
  });
  await s.setTopic(general.id, "new topic", olivia);
  await s.setSlowMode(other.id, 5, mike);
  // What later features store: a mention, read state, an invite link, a DM, a block, a device's
  // push subscription, a server setting, a report and a server invite.
  const [look] = await s.appendMessages([
    {
      channelId: general.id,
      author: olivia,
      nonce: "m",
      content: "@mary look",
      kind: MessageKind.Text,
    },
  ]);
  if (!look?.ok) throw new Error("send failed");
  await s.fileReport({
    channelId: general.id,
    messageId: look.event.i,
    reporter: mary,
    reason: "spam",
  });
  await s.markRead(mary.id, general.id, 3);
  await s.createInvite({
    channelId: general.id,
    creator: olivia,
    codeHash: "invite-hash",
    expiresAt: null,
    maxUses: 3,
  });
  await s.createServerInvite(
    { codeHash: "server-invite-hash", expiresAt: null, maxUses: 2, note: "for gus" },
    { actor: olivia, action: "invitecreate", before: null, after: { maxUses: 2 } },
  );
  const dm = await s.openDirect({
    opener: olivia,
    members: [
      { ...olivia, isGuest: false },
      { ...mary, isGuest: false },
    ],
  });
  await s.setBlock(mary.id, gus.id, true);
  await s.subscribe(
    {
      userId: olivia.id,
      endpoint: "https://push.example/1",
      p256dh: "k",
      auth: "a",
      userAgent: null,
    },
    10,
  );
  await s.settingOrInsert("vapid", "keys");
  // A file, its bytes in the disk store beside the database.
  await s.createFile({
    id: "F000000000000000000001",
    uploaderId: olivia.id,
    name: "notes.txt",
    size: 11,
    type: "text/plain",
    width: null,
    height: null,
    hasThumb: false,
    createdAt: Date.now(),
  });
  const disk = new DiskFileStore(join(dirname(path), "files"));
  await disk.put("F000000000000000000001", Readable.from([Buffer.from("hello bytes")]));
  await disk.close();
  await s.close();
  return {
    general: general.id,
    other: other.id,
    dm: dm.channel.id,
    olivia,
    mary,
    gus,
    edited: edited!,
  };
}

/** Everything a client or moderator can read of a channel, through the Storage API. */
async function view(s: Storage, channelId: number, users: Actor[]) {
  return {
    channel: await s.getChannel(channelId),
    members: await s.members(channelId),
    events: await s.eventsAfter(channelId, 0, 10_000),
    history: await s.history(channelId, { limit: 100 }),
    audit: await s.auditLog({ channelId }, 100),
    standings: await Promise.all(users.map((u) => s.standing(channelId, u.id))),
    bans: await Promise.all(users.map((u) => s.activeBan(channelId, u.id))),
    roles: await Promise.all(users.map((u) => s.userChannels(u.id))),
  };
}

it("copies every table the migrations create", async () => {
  const file = join(dir, "tables.db");
  await (await openSqliteStorage(file)).close();
  const sqlite = new BetterSqlite3(file, { readonly: true });
  const tables = sqlite
    .prepare(
      // The search index (FTS5 and its shadow tables) is derived: the target builds its own.
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' and name not like 'messages_fts%'",
    )
    .all()
    .map((r) => (r as { name: string }).name);
  sqlite.close();
  expect(TABLES.map(([table]) => table).sort()).toEqual(tables.sort());
});

describeWith(["postgres"], "npm run migrate-to-postgres", () => {
  it("copies every table with ids and seqs, and new writes continue the seqs and ids", async () => {
    const file = join(dir, "parley.db");
    const ids = await populate(file);
    const pg = await freshPostgres();

    const { code, output } = await runCli(["--from", `sqlite:${file}`, "--to", pg.url]);
    expect(output).toMatch(/copied \d+ rows/);
    expect(code).toBe(0);

    // Table by table, row by row.
    const sqlite = new BetterSqlite3(file, { readonly: true });
    const target = await openPostgresDatabase(pg.url, { poolSize: 1 });
    for (const [table, key] of TABLES) {
      // The bytes of files are checked below: on SQLite they are on disk, not in file_chunks.
      if (table === "file_chunks") continue;
      const order = key.join(", ");
      // The search index's state is the target's own: it builds its index at its first start.
      const where = table === "server_settings" ? `where key <> '${SEARCH_STATE_KEY}'` : "";
      const expected = sqlite.prepare(`select * from ${table} ${where} order by ${order}`).all();
      let query = target.selectFrom(table).selectAll();
      for (const column of key) query = query.orderBy(column as never);
      // Less PostgreSQL's own search column (the target's index, built at its start).
      const actual = (await query.execute()).map((row) => {
        const { search: _, ...rest } = row as Record<string, unknown>;
        return rest;
      });
      expect(actual, table).toEqual(expected);
      expect(actual.length, table).toBeGreaterThan(0);
    }
    sqlite.close();
    await target.destroy();

    // The same through the Storage API, as the server reads it.
    const users = [ids.olivia, ids.mary, ids.gus];
    const before = await openSqliteStorage(file);
    const after = await openPostgresStorage(pg.url);
    for (const c of [ids.general, ids.other, ids.dm])
      expect(await view(after, c, users)).toEqual(await view(before, c, users));
    expect(await after.messageVersions(ids.general, ids.edited)).toEqual(
      await before.messageVersions(ids.general, ids.edited),
    );
    const perUser = (st: Storage) =>
      Promise.all(
        users.map(async (u) => ({
          states: [...(await st.memberStates(u.id))],
          blocked: await st.blockedBy(u.id),
          devices: await st.subscriptions(u.id),
        })),
      );
    expect(await perUser(after)).toEqual(await perUser(before));
    expect(await after.listInvites(ids.general)).toEqual(await before.listInvites(ids.general));
    expect(await after.settingOrInsert("vapid", "other")).toBe("keys");
    expect(await after.findSession("token-a")).toEqual(await before.findSession("token-a"));
    // The file's bytes moved into PostgreSQL's store; the search index was built there.
    const store = PostgresFileStore.open(pg.url, 1);
    const body = await store.get("F000000000000000000001");
    expect(body && Buffer.concat(await body.toArray()).toString()).toBe("hello bytes");
    await store.close();
    const found = await new SearchService(after).search(ids.olivia.id, "look", {});
    expect(found.r.map((hit) => hit.x)).toEqual(["@mary look"]);
    expect(await after.findSession("token-b")).toBeUndefined();

    // New writes continue: the next seq, and ids past the copied ones.
    const last = (await before.getChannel(ids.general))!.lastSeq;
    const [next] = await after.appendMessages([
      {
        channelId: ids.general,
        author: ids.olivia,
        nonce: "after-move",
        content: "on PostgreSQL now",
        kind: MessageKind.Text,
      },
    ]);
    expect(next).toMatchObject({ ok: true, event: { s: last + 1 } });
    const maxMessage = Math.max(
      ...(await before.eventsAfter(ids.general, 0, 10_000)).map((e) => ("i" in e ? e.i : 0)),
      ...(await before.eventsAfter(ids.other, 0, 10_000)).map((e) => ("i" in e ? e.i : 0)),
    );
    expect(next?.ok && next.event.i).toBeGreaterThan(maxMessage);
    const { user: newUser } = await after.createUserWithSession(
      { username: "newbie", passwordHash: null, isGuest: true },
      "newbie-token",
    );
    expect(newUser.id).toBe(5);
    expect(
      (await after.createChannel({ name: "third", topic: "", owner: ids.olivia })).channel.id,
    ).toBe(ids.dm + 1);
    // Retrying a copied nonce still finds the original.
    const [again] = await after.appendMessages([
      {
        channelId: ids.other,
        author: ids.olivia,
        nonce: "n0",
        content: "x",
        kind: MessageKind.Text,
      },
    ]);
    expect(again).toMatchObject({ ok: true, duplicate: true, event: { x: "message 0" } });
    await before.close();
    await after.close();

    // A second run refuses: the target is not empty.
    const refused = await runCli(["--from", `sqlite:${file}`, "--to", pg.url]);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/not empty/);
  });
});
