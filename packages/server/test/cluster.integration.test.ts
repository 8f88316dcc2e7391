import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClientOptions, failoverSocket, ParleyClient } from "@parley/client";
import {
  type ChannelEvent,
  CloseCode,
  ERRORS,
  EventType,
  type MessageEvent,
  Op,
  type Report,
  ReportStatus,
  type UploadReply,
} from "@parley/protocol";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { DEFAULT_RATE_RULES } from "../src/rate-limit/rate-limiter";
import { type ClusterNode, TestCluster } from "./cluster";
import { grantAdmin, testConfig, until } from "./harness";
import { describeWith } from "./services";

/** Presence lease of the nodes: short, so a killed node's users expire within seconds. */
const LEASE_MS = 3000;

/**
 * What one client saw: every Events frame as it arrived on the wire (before the SDK drops
 * anything), and the SDK's events. The wire view is what counts duplicates and reorders.
 */
interface Watch {
  client: ParleyClient;
  name: string;
  /** Seqs of each channel's events in arrival order, straight off the socket. */
  wire: Map<number, number[]>;
  /** Message events the SDK emitted, per channel. */
  messages: Map<number, MessageEvent[]>;
  events: Map<number, ChannelEvent[]>;
  closes: number[];
}

/** A `ws` socket that reports every Events frame it receives before the client sees it. */
function tappedSocket(onFrame: (frame: { o: number; d?: unknown }) => void) {
  return class TappedSocket extends WebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols);
      this.on("message", (data: Buffer, isBinary: boolean) => {
        if (!isBinary) onFrame(JSON.parse(data.toString("utf8")));
      });
    }
  };
}

describeWith(["postgres", "redis"], "a cluster of three nodes on PostgreSQL and Redis", () => {
  let cluster: TestCluster;
  let nodes: ClusterNode[];
  const watches: Watch[] = [];

  /** A client on `nodes[i]` (and the others, in turn, when that one fails). */
  async function connect(name: string, i: number, options: Partial<ClientOptions> = {}) {
    const urls = [...nodes.slice(i), ...nodes.slice(0, i)].map((n) => n.wsUrl);
    const watch: Watch = {
      client: undefined as unknown as ParleyClient,
      name,
      wire: new Map(),
      messages: new Map(),
      events: new Map(),
      closes: [],
    };
    const Tapped = tappedSocket((frame) => {
      if (frame.o !== Op.Events || (frame as { r?: number }).r !== undefined) return;
      const { c, e } = frame.d as { c: number; e: ChannelEvent[] };
      const list = watch.wire.get(c) ?? [];
      list.push(...e.map((x) => x.s));
      watch.wire.set(c, list);
    });
    const token = options.token ?? (await register(name));
    const client = new ParleyClient({
      url: urls[0]!,
      token,
      WebSocket: failoverSocket(urls, Tapped as unknown as ClientOptions["WebSocket"] & {}),
      backoffMinMs: 20,
      backoffMaxMs: 300,
      ...options,
    });
    client.on("events", (c, events) => {
      watch.events.set(c, [...(watch.events.get(c) ?? []), ...events]);
      const posted = events.filter((e): e is MessageEvent => e.t === EventType.MessagePosted);
      watch.messages.set(c, [...(watch.messages.get(c) ?? []), ...posted]);
    });
    client.on("disconnect", ({ code }) => watch.closes.push(code));
    watch.client = client;
    await client.connect();
    watches.push(watch);
    return watch;
  }

  async function register(name: string): Promise<string> {
    const res = await fetch(`${nodes[0]!.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: name, password: "correct horse battery" }),
    });
    if (res.status !== 201) throw new Error(`register ${name}: ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** Lost, duplicated and reordered message deliveries of `watch` in channel `c`. */
  function count(watch: Watch, c: number, expectedIds: Set<number>) {
    const wire = watch.wire.get(c) ?? [];
    const seen = new Set<number>();
    let duplicated = 0;
    let reordered = 0;
    let max = 0;
    for (const s of wire) {
      if (seen.has(s)) duplicated++;
      else if (s < max) reordered++;
      seen.add(s);
      max = Math.max(max, s);
    }
    const got = new Set((watch.messages.get(c) ?? []).map((m) => m.i));
    const lost = [...expectedIds].filter((id) => !got.has(id)).length;
    return { lost, duplicated, reordered };
  }

  beforeAll(async () => {
    cluster = await TestCluster.start(3, {
      PARLEY_PRESENCE_LEASE_MS: String(LEASE_MS),
      // The kick-then-send rounds collect hundreds of NOT_A_MEMBER refusals on purpose.
      PARLEY_MAX_REFUSALS: "100000",
      PARLEY_RATE_LIMITS: Object.keys(DEFAULT_RATE_RULES)
        .map((name) => `${name}=100000/100000`)
        .join(","),
    });
    nodes = cluster.nodes;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(watches.map((w) => w.client.close()));
    await cluster?.stop();
  }, 120_000);

  it("gives every client, on whichever node, the same events in the same seq order", async () => {
    const owner = await connect("owner1", 0);
    const { ch } = await owner.client.createChannel("everyone");
    const members = [owner];
    for (let i = 0; i < 8; i++) {
      const m = await connect(`member1${i}`, (i + 1) % 3);
      await m.client.joinChannel(ch.i);
      members.push(m);
    }
    const senders = members.slice(0, 6); // two per node
    const acks = await Promise.all(
      senders.flatMap((s, k) =>
        Array.from({ length: 20 }, (_, n) => s.client.send(ch.i, `m${k}-${n}`)),
      ),
    );
    const ids = new Set(acks.map((a) => a.i));
    await until(
      () => members.every((m) => (m.messages.get(ch.i)?.length ?? 0) >= ids.size),
      20_000,
      "every message at every client",
    );
    const reference = members[0]!.events.get(ch.i)!.map((e) => e.s);
    const tail = reference.slice(reference.indexOf(acks[0]!.s) - 0);
    for (const m of members) {
      const seqs = m.events.get(ch.i)!.map((e) => e.s);
      // Everyone has the same stream from the first message on, contiguous.
      expect(seqs.slice(seqs.indexOf(tail[0]!))).toEqual(tail);
      expect(count(m, ch.i, ids)).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
    }
    const sorted = [...tail].sort((a, b) => a - b);
    expect(tail).toEqual(sorted);
    expect(tail.at(-1)! - tail[0]! + 1).toBe(tail.length);
  }, 90_000);

  it("relays presence, typing and reactions between nodes", async () => {
    const watcher = await connect("watcher2", 0);
    const { ch } = await watcher.client.createChannel("social");
    const typist = await connect("typist2", 1);
    await typist.client.joinChannel(ch.i);
    const presence: { u: number; on: boolean }[] = [];
    const typing: { u: number; on: boolean }[] = [];
    watcher.client.on("presence", (p) => {
      if (p.c === ch.i) presence.push(p);
    });
    watcher.client.on("typing", (t) => {
      if (t.c === ch.i) typing.push(t);
    });

    typist.client.typing(ch.i, true);
    await until(() => typing.length === 1, 15_000, "typing from another node");
    expect(typing[0]).toMatchObject({ u: typist.client.user!.i, on: true });
    const ack = await typist.client.send(ch.i, "react to me");
    await until(() => typing.length === 2, 15_000, "typing cleared by the message");
    expect(typing[1]).toMatchObject({ on: false });

    const reactor = await connect("reactor2", 2);
    await reactor.client.joinChannel(ch.i);
    await reactor.client.react(ch.i, ack.i, "🎉");
    await until(
      () => (watcher.events.get(ch.i) ?? []).some((e) => e.t === EventType.ReactionAdded),
      15_000,
      "reaction from another node",
    );
    const reactorId = reactor.client.user!.i;
    await reactor.client.close();
    await until(() => presence.some((p) => p.u === reactorId), 15_000, "offline from node 2");
    await connect("reactor2", 1, { token: reactor.client.token! });
    await until(() => presence.filter((p) => p.u === reactorId).length === 2, 15_000, "online");
    expect(presence.filter((p) => p.u === reactorId).map((p) => p.on)).toEqual([false, true]);
  }, 90_000);

  it("a guest's registration under a new name, made on one node, reaches members on the others", async () => {
    const member = await connect("member-ux", 0);
    const { ch } = await member.client.createChannel("renames");
    const guest = new ParleyClient({
      url: nodes[2]!.wsUrl,
      WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
    });
    await guest.connect();
    watches.push({ client: guest } as Watch);
    await guest.joinChannel(ch.i);
    const seen: { i: number; n: string; g?: true }[] = [];
    const own: { i: number; n: string; g?: true }[] = [];
    member.client.on("userUpdated", (u) => seen.push(u));
    guest.on("userUpdated", (u) => own.push(u));

    // Registered through the third node: the member is on node 0, the guest's socket on node 2.
    const res = await fetch(`${nodes[1]!.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${guest.token}` },
      body: JSON.stringify({ username: "renamed-ux", password: "correct horse battery" }),
    });
    expect(res.status).toBe(200);
    await until(() => seen.length > 0 && own.length > 0, 15_000, "UserUpdated on nodes 0 and 2");
    expect(seen).toEqual([{ i: guest.user!.i, n: "renamed-ux" }]);
    expect(own).toEqual([{ i: guest.user!.i, n: "renamed-ux" }]);
    // The guest's socket on node 2 now acts as the account: its next join carries the name.
    const { ch: other } = await member.client.createChannel("renames-2");
    const joined = await guest.joinChannel(other.i);
    expect(joined.h.e.at(-1)).toMatchObject({ t: EventType.MemberJoined, an: "renamed-ux" });
    expect(joined.h.e.at(-1)).not.toHaveProperty("g");
  }, 60_000);

  it("applies kicks, mutes, bans and revocations to users on other nodes at once", async () => {
    const owner = await connect("owner3", 0);
    const { ch } = await owner.client.createChannel("moderated");
    const kicked = await connect("kicked3", 1);
    const muted = await connect("muted3", 2);
    const banned = await connect("banned3", 1);
    for (const w of [kicked, muted, banned]) await w.client.joinChannel(ch.i);
    const removed = (w: Watch) => {
      const list: string[] = [];
      w.client.on("channelRemoved", (r) => {
        if (r.c === ch.i) list.push(r.why);
      });
      return list;
    };
    const kickedRemoved = removed(kicked);
    const bannedRemoved = removed(banned);

    await owner.client.command(ch.i, "/kick @kicked3 bye");
    await until(() => kickedRemoved.length > 0, 15_000, "kick on another node");
    expect(kickedRemoved).toEqual(["kicked"]);
    await expect(kicked.client.send(ch.i, "still here?")).rejects.toMatchObject({
      errorName: "NOT_A_MEMBER",
    });

    await owner.client.command(ch.i, "/mute @muted3 2s");
    await expect(muted.client.send(ch.i, "shh")).rejects.toMatchObject({ errorName: "MUTED" });
    // Every node sweeps expiries; the unmute is stored and announced once.
    await until(
      () => (owner.events.get(ch.i) ?? []).some((e) => e.t === EventType.MemberUnmuted),
      10_000,
      "the mute to expire",
    );
    await muted.client.send(ch.i, "free again");
    const unmutes = (owner.events.get(ch.i) ?? []).filter((e) => e.t === EventType.MemberUnmuted);
    expect(unmutes).toHaveLength(1);
    expect(
      (muted.events.get(ch.i) ?? []).filter((e) => e.t === EventType.MemberUnmuted),
    ).toHaveLength(1);

    await owner.client.command(ch.i, "/ban @banned3 spam");
    await until(() => bannedRemoved.length > 0, 15_000, "ban on another node");
    expect(bannedRemoved).toEqual(["banned"]);
    await expect(banned.client.joinChannel(ch.i)).rejects.toMatchObject({ errorName: "BANNED" });

    // Logging out on node 0 closes the session's socket on node 2.
    const res = await fetch(`${nodes[0]!.url}/api/v1/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${muted.client.token}` },
    });
    expect(res.status).toBeLessThan(300);
    await until(() => muted.closes.includes(CloseCode.AuthRevoked), 15_000, "revocation");
  }, 90_000);

  it("an admin's server ban through the API on one node closes the user's sockets on the others, and every node refuses its sign-in", async () => {
    const rootToken = await register("root5");
    const dir = mkdtempSync(join(tmpdir(), "parley-cluster-admin-"));
    try {
      await grantAdmin(testConfig(dir, { PARLEY_DATABASE_URL: cluster.databaseUrl }), "root5");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const victim = await connect("victim5", 2);
    const elsewhere = await connect("victim5", 1, { token: victim.client.token! });
    const res = await fetch(`${nodes[0]!.url}/api/v1/admin/users/${victim.client.user!.i}/ban`, {
      method: "POST",
      headers: { authorization: `Bearer ${rootToken}`, "content-type": "application/json" },
      body: JSON.stringify({ reason: "spam", minutes: 60 }),
    });
    expect(res.status).toBe(200);
    await until(
      () =>
        victim.closes.includes(CloseCode.ServerBanned) &&
        elsewhere.closes.includes(CloseCode.ServerBanned),
      15_000,
      "the ban's close on nodes 2 and 3",
    );
    for (const node of nodes) {
      const login = await fetch(`${node.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "victim5", password: "correct horse battery" }),
      });
      expect(login.status).toBe(403);
    }
    // The ban is in the audit log every node reads.
    const audit = await fetch(`${nodes[2]!.url}/api/v1/admin/audit?action=ban`, {
      headers: { authorization: `Bearer ${rootToken}` },
    });
    const entries = ((await audit.json()) as { entries: { target: { username: string } }[] })
      .entries;
    expect(entries.map((e) => e.target.username)).toEqual(["victim5"]);
  }, 60_000);

  it("an account deleted with its messages through node 1 closes on node 2, leaves and loses its messages live on node 3, and PostgreSQL keeps none of it", async () => {
    const rootToken = await register("root7");
    const dir = mkdtempSync(join(tmpdir(), "parley-cluster-delete-"));
    try {
      await grantAdmin(testConfig(dir, { PARLEY_DATABASE_URL: cluster.databaseUrl }), "root7");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const victim = await connect("victim7", 1);
    const member = await connect("member7", 2);
    const { ch } = await victim.client.createChannel("doomed7");
    await member.client.joinChannel(ch.i);
    const marker = "perspicacious-marmalade";
    const up = await fetch(`${nodes[1]!.url}/api/v1/files?name=${marker}.txt`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${victim.client.token}`,
        "content-type": "application/octet-stream",
      },
      body: `bytes of ${marker}`,
    });
    const file = (await up.json()) as UploadReply;
    const sent = await victim.client.send(ch.i, `said ${marker}`, { files: [file.id] });
    await member.client.send(ch.i, "the member stays");
    const victimId = victim.client.user!.i;
    const chunks = async () => {
      const db = new pg.Client({ connectionString: cluster.databaseUrl });
      await db.connect();
      try {
        const found = await db.query("select count(*) as n from file_chunks where key like $1", [
          `%${file.id}%`,
        ]);
        return Number(found.rows[0].n);
      } finally {
        await db.end();
      }
    };
    expect(await chunks()).toBeGreaterThan(0);
    const res = await fetch(`${nodes[0]!.url}/api/v1/admin/users/${victimId}/delete`, {
      method: "POST",
      headers: { authorization: `Bearer ${rootToken}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: "remove" }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { removedMessages: number }).removedMessages).toBe(1);
    await until(
      () => victim.closes.includes(CloseCode.AccountClosed),
      15_000,
      "the close on node 2",
    );
    await until(
      () => {
        const seen = member.events.get(ch.i) ?? [];
        return (
          seen.some((e) => e.t === EventType.MemberLeft && e.a === victimId) &&
          seen.some((e) => e.t === EventType.MessageDeleted && (e as { m: number }).m === sent.i)
        );
      },
      15_000,
      "the leave and the deletion on node 3",
    );
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const like = `%${marker}%`;
      const count = async (query: string) => Number((await db.query(query, [like])).rows[0].n);
      expect(await count("select count(*) as n from messages where content like $1")).toBe(0);
      expect(await count("select count(*) as n from message_versions where content like $1")).toBe(
        0,
      );
      expect(await count("select count(*) as n from events where data like $1")).toBe(0);
      await until(async () => (await chunks()) === 0, 15_000, "the file's chunks swept");
      const row = await db.query(
        "select username, password_hash, deleted_at from users where id = $1",
        [victimId],
      );
      expect(row.rows[0]).toMatchObject({ username: `deleted-${victimId}`, password_hash: null });
    } finally {
      await db.end();
    }
  }, 60_000);

  it("applies a server setting changed on node 1 on node 3 at once", async () => {
    const rootToken = await register("root6");
    const dir = mkdtempSync(join(tmpdir(), "parley-cluster-settings-"));
    try {
      await grantAdmin(testConfig(dir, { PARLEY_DATABASE_URL: cluster.databaseUrl }), "root6");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const change = (body: unknown) =>
      fetch(`${nodes[0]!.url}/api/v1/admin/settings`, {
        method: "POST",
        headers: { authorization: `Bearer ${rootToken}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const registerOn = (node: number, name: string) =>
      fetch(`${nodes[node]!.url}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: name, password: "correct horse battery" }),
      });
    // Every node samples its figures at start: node 1 shows all three.
    const stats = await fetch(`${nodes[0]!.url}/api/v1/admin/stats`, {
      headers: { authorization: `Bearer ${rootToken}` },
    });
    const figures = (await stats.json()) as { nodes: { node: string }[] };
    expect(figures.nodes).toHaveLength(3);

    expect((await change({ registration: "closed" })).status).toBe(200);
    // Within the broker's delivery, not the 30 s safety net.
    let status = 0;
    const started = Date.now();
    for (let i = 0; status !== 403 && Date.now() - started < 5000; i++) {
      status = (await registerOn(2, `late-${i}`)).status;
      if (status !== 403) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(403);
    expect((await change({ reset: ["registration"] })).status).toBe(200);
    for (let i = 0; status !== 201 && Date.now() - started < 10_000; i++) {
      status = (await registerOn(2, `again-${i}`)).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(201);
  }, 60_000);

  it("a channel archived through node 3 refuses writes on node 2 at once; deleted through node 1, its members on nodes 2 and 3 are told and PostgreSQL keeps none of it", async () => {
    const rootToken = await register("root9");
    const dir = mkdtempSync(join(tmpdir(), "parley-cluster-channel-"));
    try {
      await grantAdmin(testConfig(dir, { PARLEY_DATABASE_URL: cluster.databaseUrl }), "root9");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const owner = await connect("owner9", 0);
    const member = await connect("member9", 1);
    const watcher = await connect("watcher9", 2);
    const { ch } = await owner.client.createChannel("shelved9");
    await member.client.joinChannel(ch.i);
    await watcher.client.joinChannel(ch.i);
    const marker = "antiquarian-flotsam";
    await owner.client.send(ch.i, `said ${marker}`);
    const admin = (node: number, path: string) =>
      fetch(`${nodes[node]!.url}/api/v1/admin/channels/${ch.i}/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${rootToken}`, "content-type": "application/json" },
        body: "{}",
      });
    expect((await admin(2, "archive")).status).toBe(200);
    // The archive is read where the write commits: node 2 refuses at once, without waiting for
    // the event to reach it.
    await expect(member.client.send(ch.i, "too late")).rejects.toMatchObject({
      code: ERRORS.CHANNEL_ARCHIVED.code,
    });
    await until(
      () => (member.events.get(ch.i) ?? []).some((e) => e.t === EventType.ChannelArchived),
      15_000,
      "the archive on node 2",
    );
    const removed: string[] = [];
    member.client.on("channelRemoved", (d) => removed.push(`member:${d.why}`));
    watcher.client.on("channelRemoved", (d) => removed.push(`watcher:${d.why}`));
    const res = await admin(0, "delete");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ removedMessages: 1 });
    await until(() => removed.length === 2, 15_000, "both members told");
    expect(removed.sort()).toEqual(["member:deleted", "watcher:deleted"]);
    await expect(watcher.client.history(ch.i)).rejects.toMatchObject({
      code: ERRORS.NOT_A_MEMBER.code,
    });
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const count = async (query: string, value: unknown) =>
        Number((await db.query(query, [value])).rows[0].n);
      expect(
        await count("select count(*) as n from messages where content like $1", `%${marker}%`),
      ).toBe(0);
      expect(await count("select count(*) as n from events where channel_id = $1", ch.i)).toBe(0);
      expect(await count("select count(*) as n from channels where id = $1", ch.i)).toBe(0);
    } finally {
      await db.end();
    }
  }, 60_000);

  it("brings a profile changed through node 1 to a member on node 3 and the user's own tab on node 2", async () => {
    const token = await register("painter9");
    const painter = await connect("painter9", 0, { token });
    const otherTab = await connect("painter9", 1, { token });
    const viewer = await connect("viewer9", 2);
    const { ch } = await painter.client.createChannel("easel9");
    await viewer.client.joinChannel(ch.i);
    const seen: string[] = [];
    viewer.client.on("userUpdated", (u) => seen.push(`viewer:${u.dn}`));
    const res = await fetch(`${nodes[0]!.url}/api/v1/profile`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ displayName: "The Painter", status: "mixing blues" }),
    });
    expect(res.status).toBe(200);
    await until(
      () => seen.includes("viewer:The Painter") && otherTab.client.user?.dn === "The Painter",
      15_000,
      "the profile on nodes 2 and 3",
    );
    expect(otherTab.client.user).toMatchObject({ n: "painter9", sx: "mixing blues" });
    // A member list read on node 3 afterwards has it from the database.
    const joined = await viewer.client.joinChannel(ch.i);
    expect(joined.m.find((m) => m.n === "painter9")).toMatchObject({ dn: "The Painter" });
  }, 60_000);

  it("applies a channel's blocked word set through node 1 to a member's sends on node 3, which had read the list before", async () => {
    const owner = await connect("curator9", 0);
    const member = await connect("visitor9", 2);
    const { ch } = await owner.client.createChannel("gallery9");
    await member.client.joinChannel(ch.i);
    // Node 3 reads the channel's (empty) list and keeps it.
    await member.client.send(ch.i, "lovely forgeries");
    await owner.client.command(ch.i, "/automod block forger*");
    await until(
      () => (member.events.get(ch.i) ?? []).some((e) => e.t === EventType.BlockedWordsChanged),
      15_000,
      "the change on node 3",
    );
    let code: number | undefined;
    await until(
      async () => {
        try {
          await member.client.send(ch.i, "more f0rgeries");
          return false;
        } catch (err) {
          code = (err as { code: number }).code;
          return true;
        }
      },
      5_000,
      "the word refused on node 3",
    );
    expect(code).toBe(ERRORS.MESSAGE_BLOCKED.code);
  }, 60_000);

  it("holds a message on node 1; moderators on nodes 2 and 3 approve it at once; it is posted once, to members on every node", async () => {
    const owner = await connect("warden9", 1);
    const mod = await connect("deputy9", 2);
    const author = await connect("poster9", 0);
    const viewer = await connect("onlooker9", 2);
    const { ch } = await owner.client.createChannel("market9");
    for (const w of [mod, author, viewer]) await w.client.joinChannel(ch.i);
    await owner.client.command(ch.i, "/mod @deputy9");
    await owner.client.command(ch.i, "/automod hold bargain*");
    const told: Report[] = [];
    author.client.on("reportChanged", (r) => told.push(r));
    const code = await author.client.send(ch.i, "BARGAINS at my stall").then(
      () => 0,
      (err: { code: number }) => err.code,
    );
    expect(code).toBe(ERRORS.MESSAGE_HELD.code);
    const [held] = (await mod.client.reports()).rp;
    expect(held).toMatchObject({ hd: true, x: "BARGAINS at my stall" });
    const results = await Promise.all(
      [owner, mod].map((w) => w.client.resolveReport(held!.id, ReportStatus.Resolved)),
    );
    expect(results.filter((r) => r.ch)).toHaveLength(1);
    await until(
      () =>
        [owner, author, viewer].every((w) =>
          (w.messages.get(ch.i) ?? []).some((e) => e.x === "BARGAINS at my stall"),
        ) && told.some((r) => r.st === ReportStatus.Resolved),
      15_000,
      "the approved message on every node",
    );
    for (const w of [owner, mod, author, viewer])
      expect(
        (await w.client.history(ch.i)).e.filter(
          (e) => e.t === EventType.MessagePosted && e.x === "BARGAINS at my stall",
        ),
      ).toHaveLength(1);
  }, 60_000);

  it("refuses a kicked or banned user's next op on every node at once, round after round", async () => {
    const owner = await connect("owner7", 0);
    const { ch } = await owner.client.createChannel("strict");
    const target = await connect("target7", 1);
    const otherTab = await connect("target7", 2, { token: target.client.token! });
    await target.client.joinChannel(ch.i);
    const { i: messageId } = await owner.client.send(ch.i, "react to me");
    const removed: string[][] = [target, otherTab].map((w) => {
      const list: string[] = [];
      w.client.on("channelRemoved", (r) => {
        if (r.c === ch.i) list.push(r.why);
      });
      return list;
    });
    const settle = (p: Promise<unknown>) =>
      p.then(
        () => "accepted",
        (err: { errorName?: string }) => err.errorName ?? String(err),
      );
    const outcomes = new Map<string, number>();
    const rounds = 50;
    for (let round = 0; round < rounds; round++) {
      const ban = round % 5 === 4;
      await owner.client.command(ch.i, ban ? "/ban @target7" : "/kick @target7");
      // At once, from both of the target's nodes, before either has heard of the removal.
      const results = await Promise.all(
        [target, otherTab].flatMap((w) => [
          settle(w.client.send(ch.i, `round ${round}`)),
          settle(w.client.react(ch.i, messageId, "👀")),
          settle(w.client.command(ch.i, "/me is still here")),
        ]),
      );
      for (const r of results) outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
      if (ban) await owner.client.command(ch.i, "/unban @target7");
      // Back in as soon as the removal is shown, as a person would.
      await until(
        () => removed.every((list) => list.length === round + 1),
        10_000,
        `removal ${round} on both nodes`,
      );
      await target.client.joinChannel(ch.i);
    }
    expect(Object.fromEntries(outcomes)).toEqual({ NOT_A_MEMBER: rounds * 6 });
    // Past every removal's grace: no removal fired late, both tabs keep the channel.
    await new Promise((r) => setTimeout(r, 2500));
    for (const list of removed) expect(list).toHaveLength(rounds);
    await target.client.send(ch.i, "here to stay");
    await otherTab.client.send(ch.i, "me too");
    const stored = (await owner.client.history(ch.i, { limit: 100 })).e;
    const mine = stored.filter(
      (e) => e.t === EventType.MessagePosted && e.a === target.client.user!.i,
    );
    expect(mine).toHaveLength(2);
  }, 120_000);

  it("refuses a kicked user's writes while Redis is down, on the node that never heard of the kick", async () => {
    const owner = await connect("owner8", 0);
    const { ch } = await owner.client.createChannel("no-broker");
    const target = await connect("target8", 1);
    const muted = await connect("muted8", 2);
    for (const w of [target, muted]) await w.client.joinChannel(ch.i);
    await cluster.redis.kill();
    try {
      await owner.client.command(ch.i, "/kick @target8");
      await owner.client.command(ch.i, "/mute @muted8");
      for (let n = 0; n < 10; n++) {
        await expect(target.client.send(ch.i, `outage ${n}`)).rejects.toMatchObject({
          errorName: "NOT_A_MEMBER",
        });
        await expect(muted.client.send(ch.i, `outage ${n}`)).rejects.toMatchObject({
          errorName: "MUTED",
        });
      }
    } finally {
      await cluster.redis.start();
    }
    const stored = (await owner.client.history(ch.i, { limit: 100 })).e;
    expect(stored.filter((e) => e.t === EventType.MessagePosted)).toEqual([]);
  }, 90_000);

  it("a killed node's clients resume on another node with nothing lost or duplicated; its users expire", async () => {
    const owner = await connect("owner4", 0);
    const { ch } = await owner.client.createChannel("survivors");
    const members = [owner];
    for (let i = 0; i < 8; i++) {
      const m = await connect(`member4${i}`, (i + 1) % 3);
      await m.client.joinChannel(ch.i);
      members.push(m);
    }
    // A user only on node 2 that does not come back: its presence must expire everywhere.
    const ghost = await connect("ghost4", 2, { reconnect: false });
    await ghost.client.joinChannel(ch.i);
    const offline: number[] = [];
    owner.client.on("presence", (p) => {
      if (p.c === ch.i && !p.on) offline.push(p.u);
    });

    const victim = nodes[2]!;
    let killed = false;
    let sent = 0;
    const senders = members.slice(0, 6);
    const acks = await Promise.all(
      senders.map(async (s, k) => {
        const mine = [];
        for (let n = 0; n < 40; n++) {
          mine.push(s.client.send(ch.i, `k${k}-${n}`));
          if (++sent === 90 && !killed) {
            killed = true;
            await cluster.kill(victim);
          }
          if (n % 5 === 4) await Promise.race([mine.at(-1), new Promise((r) => setTimeout(r, 20))]);
        }
        return Promise.all(mine);
      }),
    );
    expect(killed).toBe(true);
    const ids = new Set(acks.flat().map((a) => a.i));
    expect(ids.size).toBe(6 * 40);
    await until(
      () => members.every((m) => (m.messages.get(ch.i)?.length ?? 0) >= ids.size),
      30_000,
      "every message at every surviving client",
    );
    const totals = { lost: 0, duplicated: 0, reordered: 0 };
    for (const m of members) {
      const c = count(m, ch.i, ids);
      totals.lost += c.lost;
      totals.duplicated += c.duplicated;
      totals.reordered += c.reordered;
    }
    console.info(`SIGKILL of a node: ${JSON.stringify(totals)} over ${members.length} clients`);
    expect(totals).toEqual({ lost: 0, duplicated: 0, reordered: 0 });

    const started = Date.now();
    await until(() => offline.includes(ghost.client.user!.i), 4 * LEASE_MS, "the lease");
    console.info(`killed node's user offline everywhere after ${Date.now() - started} ms`);
    expect(offline.filter((u) => u === ghost.client.user!.i)).toHaveLength(1);
    // Users that moved to another node did not go offline.
    expect(offline.filter((u) => members.some((m) => m.client.user!.i === u))).toEqual([]);
    nodes.splice(2, 1);
  }, 90_000);

  it("a Redis restart mid-stream loses nothing: nodes reconnect and fill gaps from storage", async () => {
    const owner = await connect("owner5", 0);
    const { ch } = await owner.client.createChannel("outage");
    const members = [owner];
    for (let i = 0; i < 5; i++) {
      const m = await connect(`member5${i}`, (i + 1) % nodes.length);
      await m.client.joinChannel(ch.i);
      members.push(m);
    }
    const senders = members.slice(0, 4);
    let restarted: Promise<void> | undefined;
    let sent = 0;
    const acks = await Promise.all(
      senders.map(async (s, k) => {
        const mine = [];
        for (let n = 0; n < 30; n++) {
          mine.push(s.client.send(ch.i, `r${k}-${n}`));
          if (++sent === 40) {
            restarted = (async () => {
              await cluster.redis.kill();
              await cluster.redis.start();
            })();
          }
          if (n % 5 === 4) await Promise.race([mine.at(-1), new Promise((r) => setTimeout(r, 20))]);
        }
        return Promise.all(mine);
      }),
    );
    await restarted;
    // Nothing is sent after this: the channel stays quiet, so only catch-up can deliver.
    const ids = new Set(acks.flat().map((a) => a.i));
    await until(
      () => members.every((m) => (m.messages.get(ch.i)?.length ?? 0) >= ids.size),
      30_000,
      "every message at every client after the restart",
    );
    const totals = { lost: 0, duplicated: 0, reordered: 0 };
    for (const m of members) {
      const c = count(m, ch.i, ids);
      totals.lost += c.lost;
      totals.duplicated += c.duplicated;
      totals.reordered += c.reordered;
    }
    console.info(`Redis restart: ${JSON.stringify(totals)} over ${members.length} clients`);
    expect(totals).toEqual({ lost: 0, duplicated: 0, reordered: 0 });

    // And the cluster works on: a new message crosses nodes through the new Redis.
    const last = await members[1]!.client.send(ch.i, "after the outage");
    await until(() =>
      members.every((m) => (m.messages.get(ch.i) ?? []).some((e) => e.i === last.i)),
    );
  }, 90_000);
});
