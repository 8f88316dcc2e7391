import { randomBytes } from "node:crypto";
import { EventType, LIMITS, MessageKind, parseSearchQuery, Role } from "@parley/protocol";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, afterEach, expect, it } from "vitest";
import {
  DROP_SCHEMAS_TIMEOUT_MS,
  describeWith,
  dropFreshSchemas,
  freshPostgres,
  serviceUrl,
} from "../../../test/services";
import { post } from "../message-store.contract";
import { migrateUpTo } from "../migrate";
import type { Database } from "../schema";
import { find, searchIndexContract, seedBeforeSearch } from "../search-store.contract";
import { syncSearchIndex } from "../sql/search";
import type { Actor, Storage } from "../storage";
import { nameKeyMigrationContract, storageContract } from "../storage.contract";
import { openPostgresStorage } from "./open-postgres";

afterAll(dropFreshSchemas, DROP_SCHEMAS_TIMEOUT_MS);

/** A storage on a fresh schema; `nodes` more storages on the same schema, as other nodes. */
async function openFresh(nodes = 0): Promise<Storage[]> {
  const { url } = await freshPostgres({ migrated: true });
  const first = await openPostgresStorage(url, { poolSize: 4 });
  const others = await Promise.all(
    Array.from({ length: nodes }, () => openPostgresStorage(url, { poolSize: 4 })),
  );
  return [first, ...others];
}

describeWith(["postgres"], "PostgreSQL storage", () => {
  storageContract("PostgreSQL", async () => (await openFresh())[0]!);

  nameKeyMigrationContract("PostgreSQL", async (upTo) => {
    const { url } = await freshPostgres();
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
    });
    const schema = new URL(url).searchParams.get("options")!.split("=")[1]!;
    await migrateUpTo(db, "postgres", upTo, schema);
    return { db: db as never, reopen: () => openPostgresStorage(url, { poolSize: 2 }) };
  });

  searchIndexContract("PostgreSQL", async () => {
    const { url } = await freshPostgres();
    return {
      openAt: (search, log) =>
        openPostgresStorage(url, { poolSize: 2, search, ...(log ? { log } : {}) }),
      async openOld(messages) {
        const db = new Kysely<Database>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
        });
        const schema = new URL(url).searchParams.get("options")!.split("=")[1]!;
        await migrateUpTo(db, "postgres", "0013_direct_messages", schema);
        await seedBeforeSearch(db as never, messages);
        await db.destroy();
      },
    };
  });

  it("opens its schema while other schemas of the database are made and dropped", async () => {
    const { url } = await freshPostgres({ migrated: true });
    // Other deployments (or tests) in the same database, their schemas coming and going.
    let churning = true;
    const churn = (async () => {
      const base = new pg.Client({ connectionString: serviceUrl("postgres") });
      await base.connect();
      try {
        for (let k = 0; churning; k++) {
          const other = `churn_${randomBytes(4).toString("hex")}_${k}`;
          await base.query(
            `create schema ${other}; create table ${other}.t (id bigserial primary key, a int, b int, c int)`,
          );
          await base.query(`drop schema ${other} cascade`);
        }
      } finally {
        await base.end();
      }
    })();
    try {
      for (let i = 0; i < 15; i++) await (await openPostgresStorage(url, { poolSize: 2 })).close();
    } finally {
      churning = false;
      await churn;
    }
  });

  it("migration 0021 adds word pairs to the vectors, rebuilt at the next start", async () => {
    const { url } = await freshPostgres();
    // A database as release 0020 left it, its vectors built without pairs.
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
    });
    const schema = new URL(url).searchParams.get("options")!.split("=")[1]!;
    await migrateUpTo(db, "postgres", "0013_direct_messages", schema);
    await seedBeforeSearch(db as never, ["Ship it to the RELEASE—notes", "it is the release"]);
    await migrateUpTo(db, "postgres", "0020_node_stats", schema);
    await syncSearchIndex(db, "postgres", true);
    const lexemes = async () =>
      (
        await sql<{ l: string }>`select unnest(tsvector_to_array(search)) as l from messages
          where id = 1 order by 1`.execute(db)
      ).rows.map((r) => r.l);
    expect(await lexemes()).toEqual(["it", "notes", "release", "ship", "the", "to"]);

    const lines: string[] = [];
    const storage = await openPostgresStorage(url, {
      poolSize: 2,
      log: (_fields, message) => lines.push(message),
    });
    try {
      expect(lines).toEqual(["search index: building", "search index: built"]);
      // Pairs of words of up to 4 characters.
      expect(await lexemes()).toEqual([
        "it",
        "notes",
        "release",
        "ship",
        "the",
        "to",
        "~it to",
        "~ship it",
        "~to the",
      ]);
      const alice = await storage.findUserByName("alice");
      const me = { id: alice!.id, name: "alice" };
      expect(await find(storage, me, '"ship it to the release"')).toEqual([
        "Ship it to the RELEASE—notes",
      ]);
      expect(await find(storage, me, '"it is"')).toEqual(["it is the release"]);
      expect(await find(storage, me, '"the release"')).toEqual([
        "it is the release",
        "Ship it to the RELEASE—notes",
      ]);
      // A pair is found as its words in a row, never as a lexeme typed.
      expect(await find(storage, me, "~ship")).toEqual(["Ship it to the RELEASE—notes"]);
      expect(await find(storage, me, '"it the"')).toEqual([]);
    } finally {
      await storage.close();
      await db.destroy();
    }
  });

  it("finds a phrase page by page, across ids far apart, only in the searcher's channels", async () => {
    const { url } = await freshPostgres();
    const storage = await openPostgresStorage(url, { poolSize: 2 });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const { user } = await storage.createUserWithSession(
        { username: "alice", passwordHash: null, isGuest: false },
        "token-alice",
      );
      const alice: Actor = { id: user.id, name: user.username };
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      // A channel alice is not in holds the phrase too; ids jump far apart.
      const { user: other } = await storage.createUserWithSession(
        { username: "bob", passwordHash: null, isGuest: false },
        "token-bob",
      );
      const bob: Actor = { id: other.id, name: other.username };
      const { channel: elsewhere } = await storage.createChannel({
        name: "elsewhere",
        topic: "",
        owner: bob,
      });
      await post(storage, elsewhere.id, bob, "red fox elsewhere");
      const jumpTo = (id: number) =>
        pool.query("select setval(pg_get_serial_sequence('messages', 'id'), $1)", [id]);
      await post(storage, channel.id, alice, "red fox one");
      await jumpTo(50_000);
      await post(storage, channel.id, alice, "red fox two");
      await jumpTo(3_000_000);
      await post(storage, channel.id, alice, "the fox is red");
      await post(storage, channel.id, alice, "red fox three");
      const pages: string[][] = [];
      let beforeId: number | undefined;
      for (let i = 0; i < 4; i++) {
        const rows = await storage.searchMessages({
          userId: alice.id,
          query: parseSearchQuery('"red fox"'),
          limit: 1,
          ...(beforeId !== undefined ? { beforeId } : {}),
        });
        pages.push(rows.map((r) => r.content));
        beforeId = rows.at(-1)?.messageId;
        if (beforeId === undefined) break;
      }
      expect(pages).toEqual([["red fox three"], ["red fox two"], ["red fox one"], []]);
      expect(
        (
          await storage.searchMessages({
            userId: alice.id,
            query: parseSearchQuery('"red fox" -three'),
            limit: 5,
          })
        ).map((r) => r.content),
      ).toEqual(["red fox two", "red fox one"]);
    } finally {
      await pool.end();
      await storage.close();
    }
  });

  describeWith(["postgres"], "several nodes on one database", () => {
    let nodes: Storage[] = [];
    afterEach(async () => {
      await Promise.all(nodes.map((n) => n.close()));
      nodes = [];
    });

    async function setup(count: number) {
      nodes = await openFresh(count - 1);
      const [first] = nodes;
      const users: Actor[] = [];
      for (let i = 0; i < count; i++) {
        const { user: u } = await first!.createUserWithSession(
          { username: `u${i}`, passwordHash: null, isGuest: true },
          `token-u${i}`,
        );
        users.push({ id: u.id, name: u.username });
      }
      const channels: number[] = [];
      for (const name of ["a", "b", "c"]) {
        const { channel } = await first!.createChannel({ name, topic: "", owner: users[0]! });
        channels.push(channel.id);
        for (const u of users.slice(1))
          await first!.addMember(channel.id, u.id, Role.Member, {
            type: EventType.MemberJoined,
            actor: u,
          });
      }
      return { users, channels };
    }

    it("assigns contiguous seqs to send batches racing from three nodes over three channels", async () => {
      const { users, channels } = await setup(3);
      const before = new Map<number, number>();
      for (const c of channels) before.set(c, (await nodes[0]!.getChannel(c))!.lastSeq);
      // Each node's batches touch the channels in a different order: without locking in
      // ascending channel order, two such batches deadlock.
      const writes: Promise<unknown>[] = [];
      nodes.forEach((node, n) => {
        const order =
          n === 1
            ? [...channels].reverse()
            : n === 2
              ? [channels[1]!, channels[2]!, channels[0]!]
              : channels;
        for (let b = 0; b < 15; b++) {
          writes.push(
            node.appendMessages(
              order.flatMap((c, k) => [
                {
                  channelId: c,
                  author: users[n]!,
                  nonce: `${n}-${b}-${k}-1`,
                  content: "x",
                  kind: MessageKind.Text,
                },
                {
                  channelId: c,
                  author: users[n]!,
                  nonce: `${n}-${b}-${k}-2`,
                  content: "y",
                  kind: MessageKind.Text,
                },
              ]),
            ),
          );
        }
      });
      const results = (await Promise.all(writes)).flat() as { ok: boolean }[];
      expect(results.every((r) => r.ok)).toBe(true);
      for (const c of channels) {
        const from = before.get(c)!;
        const events = await nodes[0]!.eventsAfter(c, from, 10_000);
        expect(events.map((e) => e.s)).toEqual(
          Array.from({ length: 3 * 15 * 2 }, (_, i) => from + i + 1),
        );
      }
    });

    it("keeps results in input order when a batch spans channels", async () => {
      const { users, channels } = await setup(1);
      const [c1, c2] = [channels[1]!, channels[0]!];
      const results = await nodes[0]!.appendMessages(
        [c1, c2, c1, c2].map((c, i) => ({
          channelId: c,
          author: users[0]!,
          nonce: `n${i}`,
          content: `m${i}`,
          kind: MessageKind.Text,
        })),
      );
      expect(results.map((r) => (r.ok ? r.event.x : null))).toEqual(["m0", "m1", "m2", "m3"]);
      const seqs = results.map((r) => (r.ok ? r.event.s : 0));
      expect(seqs[2]).toBe(seqs[0]! + 1);
      expect(seqs[3]).toBe(seqs[1]! + 1);
    });

    it("returns the original message to every node racing with one nonce", async () => {
      const { users, channels } = await setup(3);
      const message = {
        channelId: channels[0]!,
        author: users[1]!,
        nonce: "raced",
        content: "once",
        kind: MessageKind.Text,
      };
      for (let round = 0; round < 5; round++) {
        const m = { ...message, nonce: `raced-${round}` };
        const results = (
          await Promise.all(nodes.flatMap((n) => [n.appendMessages([m]), n.appendMessages([m])]))
        ).flat();
        expect(results.every((r) => r.ok)).toBe(true);
        const fresh = results.filter((r) => r.ok && !r.duplicate);
        expect(fresh).toHaveLength(1);
        const ids = new Set(results.map((r) => (r.ok ? r.event.i : 0)));
        expect(ids.size).toBe(1);
      }
      const posted = (await nodes[0]!.eventsAfter(channels[0]!, 0, 1000)).filter(
        (e) => e.t === EventType.MessagePosted,
      );
      expect(posted).toHaveLength(5);
    });

    it("never stores a message after its author's removal, with kicks and sends racing from two nodes", async () => {
      const { users, channels } = await setup(2);
      const [owner, target] = [users[0]!, users[1]!];
      const c = channels[0]!;
      for (let round = 0; round < 30; round++) {
        // Node 1 keeps sending as the target while node 0 kicks it; then the target rejoins.
        const sends = Array.from({ length: 4 }, (_, k) =>
          nodes[1]!.appendMessages([
            {
              channelId: c,
              author: target,
              nonce: `${round}-${k}`,
              content: "x",
              kind: MessageKind.Text,
            },
          ]),
        );
        const [kick] = await nodes[0]!.kick({ channelId: c, actor: owner, target });
        const results = (await Promise.all(sends)).flat();
        for (const r of results) {
          if (r.ok) expect(r.event.s).toBeLessThan(kick!.s);
          else expect(r.error).toMatchObject({ errorName: "NOT_A_MEMBER" });
        }
        await nodes[1]!.addMember(c, target.id, Role.Member, {
          type: EventType.MemberJoined,
          actor: target,
        });
      }
      // Every message by the target sits between one of its joins and the removal after it.
      let member = true;
      for (const e of await nodes[0]!.eventsAfter(c, 0, 10_000)) {
        if (e.t === EventType.MemberKicked) member = false;
        else if (e.t === EventType.MemberJoined && e.a === target.id) member = true;
        else if (e.t === EventType.MessagePosted && e.a === target.id) expect(member).toBe(true);
      }
    });

    it("stores exactly one of concurrent edits at one version from two nodes; the others get VERSION_CONFLICT", async () => {
      const { users, channels } = await setup(2);
      const [author] = users;
      const c = channels[0]!;
      for (let round = 0; round < 10; round++) {
        const m = await post(nodes[0]!, c, author!, `round ${round}`);
        const tries = nodes.flatMap((node, n) =>
          [0, 1].map((k) =>
            node
              .editMessage(
                {
                  channelId: c,
                  messageId: m.id,
                  actor: author!,
                  version: 1,
                  content: `edit ${round} ${n} ${k}`,
                  nonce: `${round}-${n}-${k}`,
                },
                () => {},
              )
              .then(
                (r) => ({ ok: true as const, r }),
                (err: unknown) => ({ ok: false as const, err }),
              ),
          ),
        );
        const outcomes = await Promise.all(tries);
        const won = outcomes.filter((o) => o.ok);
        expect(won).toHaveLength(1);
        for (const o of outcomes)
          if (!o.ok) expect(o.err).toMatchObject({ errorName: "VERSION_CONFLICT" });
        const versions = (await nodes[1]!.messageVersions(c, m.id))!.versions;
        expect(versions.map((v) => v.v)).toEqual([1, 2]);
      }
      const edits = (await nodes[0]!.eventsAfter(c, 0, 10_000)).filter(
        (e) => e.t === EventType.MessageEdited,
      );
      expect(edits).toHaveLength(10);
    });

    it("never holds more pins than the cap, with pins of one channel racing from two nodes", async () => {
      const { users, channels } = await setup(2);
      const [author] = users;
      const c = channels[0]!;
      for (let i = 0; i < LIMITS.pinsPerChannel - 1; i++) {
        const m = await post(nodes[0]!, c, author!, `pinned ${i}`);
        await nodes[0]!.pinMessage(
          { channelId: c, messageId: m.id, actor: author!, on: true },
          () => {},
        );
      }
      const last = await Promise.all(
        [0, 1, 2, 3].map((k) => post(nodes[0]!, c, author!, `last ${k}`)),
      );
      const outcomes = await Promise.all(
        last.map((m, k) =>
          nodes[k % 2]!.pinMessage(
            { channelId: c, messageId: m.id, actor: author!, on: true },
            () => {},
          ).then(
            () => "pinned",
            (err: { errorName?: string }) => err.errorName,
          ),
        ),
      );
      expect(outcomes.filter((o) => o === "pinned")).toHaveLength(1);
      expect(outcomes.filter((o) => o === "LIMIT_REACHED")).toHaveLength(3);
      expect(await nodes[1]!.pinned(c)).toHaveLength(LIMITS.pinsPerChannel);
    });

    it("never keeps a reaction on a deleted message, with reactions and the deletion racing from two nodes", async () => {
      const { users, channels } = await setup(2);
      const [author, reactor] = [users[0]!, users[1]!];
      const c = channels[0]!;
      for (let round = 0; round < 10; round++) {
        const m = await post(nodes[0]!, c, author, `react ${round}`);
        const reactions = ["a", "b", "c"].map((e) =>
          nodes[1]!.addReaction(c, m.id, e, reactor, 20).catch((err: unknown) => err),
        );
        await nodes[0]!.deleteMessage(
          { channelId: c, messageId: m.id, actor: author, nonce: `d${round}` },
          () => ({ moderator: false }),
        );
        for (const r of await Promise.all(reactions))
          if (r instanceof Error) expect(r).toMatchObject({ errorName: "NO_SUCH_MESSAGE" });
        const page = await nodes[0]!.history(c, { limit: 100 });
        const tombstone = page.e.find((e) => e.t === EventType.MessagePosted && e.i === m.id);
        expect(tombstone).toMatchObject({ x: "" });
        expect((tombstone as { r?: unknown }).r).toBeUndefined();
      }
    });

    it("creates each default channel once when every node starts at the same time", async () => {
      await setup(3);
      const names = ["general", "random"];
      const made = await Promise.all(nodes.map((n) => n.ensureChannels(names)));
      for (const got of made) expect(got.map((c) => c.id)).toEqual(made[0]!.map((c) => c.id));
      const listed = await nodes[0]!.listChannels({ limit: 100 });
      expect(listed.filter((c) => names.includes(c.name))).toHaveLength(2);
    });

    it("removes a stale guest's membership once when every node sweeps at the same time", async () => {
      const { users, channels } = await setup(3);
      const stale = await nodes[0]!.staleGuestMemberships(Date.now() + 1000, 100);
      expect(stale.length).toBeGreaterThan(0);
      const removed = (
        await Promise.all(
          nodes.flatMap((n) =>
            stale.map((m) =>
              n.removeMember(m.channelId, m.user.id, {
                type: EventType.MemberLeft,
                actor: m.user,
                data: { g: true, ex: true },
              }),
            ),
          ),
        )
      ).flat();
      expect(removed.filter((e) => e.t === EventType.MemberLeft)).toHaveLength(stale.length);
      expect(users).toHaveLength(3);
      for (const c of channels) expect(await nodes[0]!.memberCount(c)).toBe(0);
    });

    it("lifts each expired restriction once when every node sweeps at the same time", async () => {
      const { users, channels } = await setup(3);
      const past = Date.now() - 1;
      for (const c of channels) {
        await nodes[0]!.mute({ channelId: c, actor: users[0]!, target: users[1]!, until: past });
        await nodes[0]!.ban({ channelId: c, actor: users[0]!, target: users[2]!, until: past });
      }
      const lifted = (
        await Promise.all(
          nodes.flatMap((n) => [
            n.expireRestrictions(Date.now()),
            n.expireRestrictions(Date.now()),
          ]),
        )
      ).flat();
      expect(lifted).toHaveLength(6);
      const audit = await nodes[0]!.auditLog({ channelId: channels[0]! }, 10);
      expect(audit.filter((a) => a.action === "unmute" || a.action === "unban")).toHaveLength(2);
    });
  });
});
