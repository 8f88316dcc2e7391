import { EventType, MessageKind, parseSearchQuery, Role } from "@parley/protocol";
import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { createUser, type Open, storageFixture } from "./contract-fixture";
import { post } from "./message-store.contract";
import type { Actor, Storage } from "./storage";

/** The message contents `user` finds for `q`, newest first. */
export async function find(
  storage: Storage,
  user: Actor,
  q: string,
  page: { beforeId?: number; limit?: number } = {},
): Promise<string[]> {
  return (await rows(storage, user, q, page)).map((r) => r.content);
}

function rows(
  storage: Storage,
  user: Actor,
  q: string,
  page: { beforeId?: number; limit?: number } = {},
) {
  return storage.searchMessages({
    userId: user.id,
    query: parseSearchQuery(q),
    limit: page.limit ?? 50,
    ...(page.beforeId !== undefined ? { beforeId: page.beforeId } : {}),
  });
}

const utcDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** The {@link SearchStore} contract, run against every implementation. */
export function searchStoreContract(name: string, open: Open) {
  describe(`${name} › SearchStore contract`, () => {
    const fx = storageFixture(open);

    /** A public channel of alice's with bob in it. */
    async function shared(channelName = "general") {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({
        name: channelName,
        topic: "",
        owner: alice,
      });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      return channel.id;
    }

    it("finds messages holding every word, in any order, newest first", async () => {
      const { storage, alice, bob } = fx;
      const c = await shared();
      await post(storage, c, alice, "the deploy went fine");
      await post(storage, c, bob, "fine weather for a deploy today");
      await post(storage, c, alice, "nothing to see");
      expect(await find(storage, bob, "deploy fine")).toEqual([
        "fine weather for a deploy today",
        "the deploy went fine",
      ]);
      expect(await find(storage, bob, "deploy nothing")).toEqual([]);
    });

    it("matches a phrase only with its words adjacent and in order", async () => {
      const { storage, alice } = fx;
      const c = await shared();
      await post(storage, c, alice, "release notes are out");
      await post(storage, c, alice, "notes on the release");
      expect(await find(storage, alice, '"release notes"')).toEqual(["release notes are out"]);
    });

    it("matches longer phrases folded and across punctuation, never their pairs apart", async () => {
      const { storage, alice } = fx;
      const c = await shared();
      await post(storage, c, alice, "Ship the RELEASE—notes, today");
      await post(storage, c, alice, "ship the build, then release notes");
      await post(storage, c, alice, "Zoë's café au lait 42 times");
      await post(storage, c, alice, "Привет мир и всем");
      await post(storage, c, alice, "会議 は 明日");
      const cases: [string, string[]][] = [
        ['"ship the release notes"', ["Ship the RELEASE—notes, today"]],
        ['"the release notes today"', ["Ship the RELEASE—notes, today"]],
        [
          '"release notes"',
          ["ship the build, then release notes", "Ship the RELEASE—notes, today"],
        ],
        // Every pair of "ship the build notes" is in some message, never all in a row.
        ['"ship the build notes"', []],
        ["the-release-notes-tod*", ["Ship the RELEASE—notes, today"]],
        ["ship.the.rel*", ["Ship the RELEASE—notes, today"]],
        ['"zoe s cafe au lait"', ["Zoë's café au lait 42 times"]],
        ['"LAIT 42 TIMES"', ["Zoë's café au lait 42 times"]],
        ['"привет мир"', ["Привет мир и всем"]],
        ['"мир и всем"', ["Привет мир и всем"]],
        ['"会議 は 明日"', ["会議 は 明日"]],
        ['"cafe lait"', []],
        ['ship -"release notes"', []],
        ['ship -"the release notes today"', ["ship the build, then release notes"]],
      ];
      for (const [q, want] of cases) expect(await find(storage, alice, q), q).toEqual(want);
    });

    it("matches an edited phrase by its current words only", async () => {
      const { storage, alice } = fx;
      const c = await shared();
      const m = await post(storage, c, alice, "move the meeting to noon");
      await storage.editMessage(
        {
          channelId: c,
          messageId: m.id,
          actor: alice,
          version: 1,
          content: "move the standup to noon",
          nonce: "e1",
        },
        () => {},
      );
      expect(await find(storage, alice, '"the meeting to"')).toEqual([]);
      expect(await find(storage, alice, '"move the standup to noon"')).toEqual([
        "move the standup to noon",
      ]);
    });

    it("matches a prefix only when asked with a star", async () => {
      const { storage, alice } = fx;
      const c = await shared();
      await post(storage, c, alice, "deployment finished");
      await post(storage, c, alice, "redeploy later");
      expect(await find(storage, alice, "deploy*")).toEqual(["deployment finished"]);
      expect(await find(storage, alice, "deploy")).toEqual([]);
      expect(await find(storage, alice, "deployment fin*")).toEqual(["deployment finished"]);
    });

    it("folds case and diacritics on both sides, and splits at punctuation", async () => {
      const { storage, alice } = fx;
      const c = await shared();
      await post(storage, c, alice, "Rendez-vous au CAFÉ à Zürich, see foo.example.com");
      for (const q of [
        "cafe",
        "Café",
        "zurich",
        "ZÜRICH",
        "rendez vous",
        "example",
        "foo.example.com",
      ])
        expect(await find(storage, alice, q), q).toHaveLength(1);
      expect(await find(storage, alice, "rendezvous")).toEqual([]);
    });

    it("leaves out messages with an excluded word or phrase", async () => {
      const { storage, alice } = fx;
      const c = await shared();
      await post(storage, c, alice, "deploy on friday");
      await post(storage, c, alice, "deploy on monday");
      await post(storage, c, alice, "call on friday");
      expect(await find(storage, alice, "deploy -friday")).toEqual(["deploy on monday"]);
      expect(await find(storage, alice, '-"on friday"')).toEqual(["deploy on monday"]);
    });

    it("filters by author, channel, and direct message, each name as typed", async () => {
      const { storage, alice, bob } = fx;
      const c = await shared("General");
      const other = await shared("random");
      const { channel: dm } = await storage.openDirect({
        opener: alice,
        members: [
          { ...alice, isGuest: false },
          { ...bob, isGuest: true },
        ],
      });
      await post(storage, c, alice, "alpha by alice in general");
      await post(storage, c, bob, "alpha by bob in general");
      await post(storage, other, bob, "alpha by bob in random");
      await post(storage, dm.id, bob, "alpha by bob in the dm");
      expect(await find(storage, alice, "alpha from:@BOB in:#general")).toEqual([
        "alpha by bob in general",
      ]);
      expect(await find(storage, alice, "from:alice")).toEqual(["alpha by alice in general"]);
      expect(await find(storage, alice, "in:random in:@bob")).toEqual([
        "alpha by bob in the dm",
        "alpha by bob in random",
      ]);
      expect(await find(storage, bob, "alpha in:@alice")).toEqual(["alpha by bob in the dm"]);
      for (const q of ["from:@nobody", "alpha in:#nowhere", "in:@nobody", "mentions:@nobody"])
        expect(await find(storage, alice, q), q).toEqual([]);
    });

    it("finds a common word in a quiet channel or author, and a rare word in a busy one, alike", async () => {
      // Either way a search that names channels or authors may be run (each of their messages
      // checked against the index, or every match of the word read), the same results.
      const { storage, alice, bob } = fx;
      const quiet = await shared("quiet");
      const busy = await shared("busy");
      await storage.appendMessages(
        Array.from({ length: 500 }, (_, i) => ({
          channelId: busy,
          author: alice,
          nonce: `busy-${i}`,
          content: i === 7 ? "common and rare" : `common words ${i}`,
          kind: MessageKind.Text,
        })),
      );
      await post(storage, quiet, bob, "one common line");
      await post(storage, quiet, bob, "and one other line");
      expect(await find(storage, alice, "common in:#quiet")).toEqual(["one common line"]);
      expect(await find(storage, alice, "common from:@bob")).toEqual(["one common line"]);
      expect(await find(storage, alice, '"common line" from:@bob in:#quiet')).toEqual([
        "one common line",
      ]);
      expect(await find(storage, alice, "common -one in:#quiet")).toEqual([]);
      expect(await find(storage, alice, "rare in:#busy")).toEqual(["common and rare"]);
      expect(await find(storage, alice, "common rare from:@alice")).toEqual(["common and rare"]);
      expect(await find(storage, alice, "com* in:#quiet")).toEqual(["one common line"]);
      expect(await find(storage, alice, "absentword in:#quiet")).toEqual([]);
      expect(await find(storage, alice, "common in:#busy", { limit: 3 })).toEqual([
        "common words 499",
        "common words 498",
        "common words 497",
      ]);
    });

    it("pages a channel's word the same when its messages are read first and the word sits far back", async () => {
      // The word is common elsewhere, so reading the channel's newest messages first looks
      // cheap; none of them holds it, so the reading stops at its budget and the index finds
      // the old ones below where it stopped.
      const { storage, alice } = fx;
      const far = await shared("far");
      const elsewhere = await shared("elsewhere");
      const batch = (channelId: number, n: number, content: (i: number) => string) =>
        storage.appendMessages(
          Array.from({ length: n }, (_, i) => ({
            channelId,
            author: alice,
            nonce: `${channelId}-${i}-${content(i)}`,
            content: content(i),
            kind: MessageKind.Text,
          })),
        );
      await batch(far, 3, (i) => `alpha old ${i}`);
      await batch(elsewhere, 2000, (i) => `alpha elsewhere ${i}`);
      await batch(far, 1100, (i) => `filler ${i}`);
      const first = await rows(storage, alice, "alpha in:#far", { limit: 2 });
      expect(first.map((r) => r.content)).toEqual(["alpha old 2", "alpha old 1"]);
      expect(
        await find(storage, alice, "alpha in:#far", { beforeId: first[1]!.messageId, limit: 2 }),
      ).toEqual(["alpha old 0"]);
      expect(await find(storage, alice, "filler in:#far", { limit: 2 })).toEqual([
        "filler 1099",
        "filler 1098",
      ]);
      const fillers = await rows(storage, alice, "filler in:#far", { limit: 2 });
      expect(
        await find(storage, alice, "filler in:#far", {
          beforeId: fillers[1]!.messageId,
          limit: 2,
        }),
      ).toEqual(["filler 1097", "filler 1096"]);
    });

    it("filters by day, link, pin and mention", async () => {
      const { storage, alice, bob } = fx;
      const c = await shared();
      const pinned = await post(storage, c, alice, "pinned note");
      await storage.pinMessage(
        { channelId: c, messageId: pinned.id, actor: alice, on: true },
        () => {},
      );
      await post(storage, c, alice, "see https://example.com/page");
      await post(storage, c, alice, "hello @bob");
      expect(await find(storage, bob, `on:${utcDay(0)}`)).toHaveLength(3);
      expect(await find(storage, bob, `after:${utcDay(-1)} before:${utcDay(1)}`)).toHaveLength(3);
      expect(await find(storage, bob, `before:${utcDay(0)}`)).toEqual([]);
      expect(await find(storage, bob, `after:${utcDay(0)}`)).toEqual([]);
      expect(await find(storage, bob, "has:link")).toEqual(["see https://example.com/page"]);
      expect(await find(storage, bob, "is:pinned")).toEqual(["pinned note"]);
      expect(await find(storage, bob, "mentions:@me")).toEqual(["hello @bob"]);
      expect(await find(storage, alice, "mentions:@bob")).toEqual(["hello @bob"]);
      expect(await find(storage, alice, "mentions:@me")).toEqual([]);
    });

    it("searches only channels the user is in: never a public one it has not joined, a private one or another's DM", async () => {
      const { storage, alice, bob } = fx;
      const carol = await createUser(storage, {
        username: "carol",
        passwordHash: null,
        isGuest: true,
      });
      const { channel: open } = await storage.createChannel({
        name: "open",
        topic: "",
        owner: alice,
      });
      const { channel: secret } = await storage.createChannel({
        name: "secret",
        topic: "",
        owner: alice,
        isPrivate: true,
      });
      const { channel: dm } = await storage.openDirect({
        opener: alice,
        members: [
          { ...alice, isGuest: false },
          { id: carol.id, name: carol.username, isGuest: true },
        ],
      });
      for (const ch of [open.id, secret.id, dm.id]) await post(storage, ch, alice, `hidden ${ch}`);
      expect(await find(storage, alice, "hidden")).toHaveLength(3);
      expect(await find(storage, bob, "hidden")).toEqual([]);
      // A channel it cannot see answers exactly as one that does not exist.
      expect(await find(storage, bob, "hidden in:#secret")).toEqual(
        await find(storage, bob, "hidden in:#doesnotexist"),
      );
      expect(await find(storage, bob, "in:@carol")).toEqual([]);
      expect(await find(storage, bob, "from:alice")).toEqual([]);
    });

    it("drops a channel from the results as soon as the user leaves or is banned", async () => {
      const { storage, alice, bob } = fx;
      const c = await shared();
      const d = await shared("second");
      await post(storage, c, alice, "visible words");
      await post(storage, d, alice, "visible words too");
      expect(await find(storage, bob, "visible")).toHaveLength(2);
      await storage.removeMember(c, bob.id, { type: EventType.MemberLeft, actor: bob });
      expect(await find(storage, bob, "visible")).toEqual(["visible words too"]);
      await storage.ban({ channelId: d, actor: alice, target: bob, until: null });
      expect(await find(storage, bob, "visible")).toEqual([]);
    });

    it("matches an edited message by its current text only, and a deleted one never", async () => {
      const { storage, alice } = fx;
      const c = await shared();
      const m = await post(storage, c, alice, "original wording");
      await storage.editMessage(
        {
          channelId: c,
          messageId: m.id,
          actor: alice,
          version: 1,
          content: "revised text",
          nonce: "e1",
        },
        () => {},
      );
      expect(await find(storage, alice, "original")).toEqual([]);
      expect(await find(storage, alice, "revised")).toEqual(["revised text"]);
      await storage.deleteMessage(
        { channelId: c, messageId: m.id, actor: alice, nonce: "d1" },
        () => ({ moderator: false }),
      );
      expect(await find(storage, alice, "revised")).toEqual([]);
      expect(await find(storage, alice, `from:alice on:${utcDay(0)}`)).toEqual([]);
    });

    it("pages newest first by id without repeating or skipping, with messages sent while paging", async () => {
      const { storage, alice } = fx;
      const c = await shared();
      for (let i = 1; i <= 5; i++) await post(storage, c, alice, `page item ${i}`);
      const first = await rows(storage, alice, "page", { limit: 2 });
      expect(first.map((r) => r.content)).toEqual(["page item 5", "page item 4"]);
      await post(storage, c, alice, "page item 6");
      const second = await rows(storage, alice, "page", {
        limit: 2,
        beforeId: first[1]!.messageId,
      });
      const third = await rows(storage, alice, "page", {
        limit: 2,
        beforeId: second[1]!.messageId,
      });
      expect([...second, ...third].map((r) => r.content)).toEqual([
        "page item 3",
        "page item 2",
        "page item 1",
      ]);
      expect(first[0]).toMatchObject({ channelId: c, authorId: alice.id, authorName: "alice" });
      expect(first[0]!.seq).toBeGreaterThan(first[1]!.seq);
    });

    it("takes index syntax and hostile text literally: no error, only literal matches", async () => {
      const { storage, alice } = fx;
      const c = await shared();
      await post(storage, c, alice, "NEAR AND OR NOT are plain words");
      await post(storage, c, alice, 'quote " and colon : and star * here');
      const hostile = [
        "NEAR",
        "NEAR(a b)",
        "a OR b",
        "NOT",
        '"',
        '""',
        '"a""b"',
        "'",
        "''; drop table messages; --",
        "* ** ***",
        ":",
        "col:umn",
        "content:near",
        "(",
        ")",
        "^near",
        "near:*",
        "\\",
        "a & b | !c <-> d",
        "'near':*",
        "x".repeat(10_000),
        `${"near ".repeat(400)}`,
        "\u0000 near",
      ];
      for (const q of hostile) {
        const got = await find(storage, alice, q);
        for (const content of got) expect(content, q).toMatch(/NEAR|quote/);
      }
      expect(await find(storage, alice, "NEAR")).toEqual(["NEAR AND OR NOT are plain words"]);
      expect(await find(storage, alice, "not or")).toEqual(["NEAR AND OR NOT are plain words"]);
      expect(await find(storage, alice, '"and colon"')).toHaveLength(1);
      expect(await find(storage, alice, "x".repeat(10_000))).toEqual([]);
      // The table is still there.
      expect(await find(storage, alice, "plain")).toHaveLength(1);
    });

    it("lists a user's messages newest first for a query of filters only", async () => {
      const { storage, alice, bob } = fx;
      const c = await shared();
      await post(storage, c, bob, "one");
      await post(storage, c, alice, "two");
      await post(storage, c, bob, "three");
      expect(await find(storage, alice, "from:@bob in:#general")).toEqual(["three", "one"]);
    });

    it("ignores a message's other writes: a reaction or a pin does not disturb its index entry", async () => {
      const { storage, alice, bob } = fx;
      const c = await shared();
      const m = await post(storage, c, alice, "steady text");
      await storage.addReaction(c, m.id, "👍", bob, 20);
      await storage.pinMessage({ channelId: c, messageId: m.id, actor: alice, on: true }, () => {});
      expect(await find(storage, bob, "steady")).toEqual(["steady text"]);
      await storage.appendMessages([
        { channelId: c, author: bob, nonce: "n2", content: "steady again", kind: MessageKind.Text },
      ]);
      expect(await find(storage, bob, "steady")).toEqual(["steady again", "steady text"]);
    });
  });
}

/**
 * How the index follows `PARLEY_SEARCH` across restarts of one database: `openAt` opens the
 * same database each time (migrating it), with search on or off, logging to `log`.
 */
export function searchIndexContract(
  name: string,
  fresh: () => Promise<{
    openAt: (search: boolean, log?: (fields: object, message: string) => void) => Promise<Storage>;
    /** The database as release 0013 left it, with `alice` and her channel holding `messages`. */
    openOld: (messages: string[]) => Promise<void>;
  }>,
) {
  describe(`${name} › search index on and off`, () => {
    it("refuses searches while off, and rebuilds on the next start with it on, with every write made meanwhile", async () => {
      const { openAt } = await fresh();
      let storage = await openAt(true);
      const alice = await createUser(storage, {
        username: "alice",
        passwordHash: "h",
        isGuest: false,
      });
      const me = { id: alice.id, name: alice.username };
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: me });
      const before = await post(storage, channel.id, me, "written while on");
      await storage.close();

      storage = await openAt(false);
      await expect(find(storage, me, "written")).rejects.toMatchObject({
        errorName: "SEARCH_DISABLED",
      });
      await post(storage, channel.id, me, "written while off");
      await storage.editMessage(
        {
          channelId: channel.id,
          messageId: before.id,
          actor: me,
          version: 1,
          content: "changed while off",
          nonce: "e",
        },
        () => {},
      );
      await storage.close();

      const lines: string[] = [];
      storage = await openAt(true, (_fields, message) => lines.push(message));
      try {
        expect(await find(storage, me, "written")).toEqual(["written while off"]);
        expect(await find(storage, me, "changed")).toEqual(["changed while off"]);
        expect(await find(storage, me, "on")).toEqual([]);
        expect(lines).toEqual(["search index: building", "search index: built"]);
      } finally {
        await storage.close();
      }
      // Built once: the next start does not rebuild.
      lines.length = 0;
      storage = await openAt(true, (_fields, message) => lines.push(message));
      await storage.close();
      expect(lines).toEqual([]);
    });

    it("backfills the messages of a database from before search at its first start", async () => {
      const { openAt, openOld } = await fresh();
      await openOld(["an older message", "another older one"]);
      const lines: string[] = [];
      const storage = await openAt(true, (_fields, message) => lines.push(message));
      try {
        const alice = await storage.findUserByName("alice");
        const me = { id: alice!.id, name: "alice" };
        expect(await find(storage, me, "older")).toEqual(["another older one", "an older message"]);
        expect(lines.at(-1)).toBe("search index: built");
      } finally {
        await storage.close();
      }
    });
  });
}

/** Writes alice, her channel and `messages` into a database migrated up to 0013, as rows. */
export async function seedBeforeSearch(
  db: Kysely<Record<string, Record<string, unknown>>>,
  messages: string[],
): Promise<void> {
  await db
    .insertInto("users")
    .values({
      username: "alice",
      username_lower: "alice",
      password_hash: "h",
      is_guest: 0,
      created_at: 1,
    })
    .execute();
  await db
    .insertInto("channels")
    .values({
      name: "c",
      name_lower: "c",
      topic: "",
      created_by: 1,
      created_at: 1,
      last_seq: messages.length,
      slow_mode: 0,
    })
    .execute();
  await db
    .insertInto("memberships")
    .values({ channel_id: 1, user_id: 1, role: Role.Owner, joined_at: 1, read_seq: 0 })
    .execute();
  let seq = 0;
  for (const content of messages) {
    seq++;
    await db
      .insertInto("messages")
      .values({
        channel_id: 1,
        seq,
        author_id: 1,
        nonce: `n${seq}`,
        content,
        kind: MessageKind.Text,
        created_at: Date.now(),
      })
      .execute();
  }
}
