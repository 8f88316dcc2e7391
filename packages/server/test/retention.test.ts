import { existsSync } from "node:fs";
import { join } from "node:path";
import { EventType, type MessageDeletedEvent, type UploadReply } from "@parley/protocol";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { openStorage } from "../src/main";
import { collect, expectNotInDatabaseFile, TestServer, until } from "./harness";

const DAY_MS = 86_400_000;

describe("message retention", () => {
  let server: TestServer;
  let clock = Date.now();
  let sweeps = 0;
  afterEach(() => server.stop());

  async function start(env: Record<string, string> = {}) {
    clock = Date.now();
    sweeps = 0;
    server = await new TestServer(env, {
      retentionSweep: { now: () => clock, intervalMs: 20, onSwept: () => sweeps++ },
    }).start();
  }

  /** Waits for two whole sweeps after now, so one started after the last change has run. */
  async function swept() {
    const from = sweeps;
    await until(() => sweeps > from + 1, 10_000, "two sweeps");
  }

  it("deletes messages older than the server's retention, with their files, search entries and text in the database file; live and in history", async () => {
    await start({ PARLEY_RETENTION_DAYS: "7" });
    const token = await server.register("keeper");
    const keeper = await server.connect({ token });
    const { ch } = await keeper.createChannel("archive");
    const watcher = await server.connect({ token: await server.register("watcher") });
    await watcher.joinChannel(ch.i);
    const seen = collect(watcher, ch.i);
    const marker = "antediluvian-quokka";
    const up = await fetch(`${server.url}/api/v1/files?name=old.txt`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: `old bytes ${marker}`,
    });
    const file = (await up.json()) as UploadReply;
    const old = await keeper.send(ch.i, `old ${marker}`, { files: [file.id] });
    const filePath = join(server.dir, "files", file.id.slice(0, 2), file.id);
    expect(existsSync(filePath)).toBe(true);

    // Six days on, nothing is due; eight days on, the message goes.
    clock += 6 * DAY_MS;
    await swept();
    expect(seen.filter((e) => e.t === EventType.MessageDeleted)).toEqual([]);
    clock += 2 * DAY_MS;
    await until(
      () => seen.some((e) => e.t === EventType.MessageDeleted),
      10_000,
      "the expiry, live",
    );
    const deletion = seen.find((e) => e.t === EventType.MessageDeleted) as MessageDeletedEvent;
    expect(deletion).toMatchObject({ m: old.i, ex: true, a: 0 });
    const history = (await watcher.history(ch.i)).e.filter((e) => e.t === EventType.MessagePosted);
    expect(history.map((e) => [e.i, (e as { x: string }).x])).toEqual([[old.i, ""]]);
    expect((await watcher.search(marker)).r).toEqual([]);
    await until(() => !existsSync(filePath), 10_000, "the file's bytes swept");
    expectNotInDatabaseFile(server.dir, marker);
  });

  it("applies a channel's own shorter retention, set by its owner, and an admin's server setting live", async () => {
    await start();
    const ownerToken = await server.register("owner");
    const owner = await server.connect({ token: ownerToken });
    const { ch: brief } = await owner.createChannel("brief");
    const { ch: lasting } = await owner.createChannel("lasting");
    const member = await server.connect({ token: await server.register("member") });
    await member.joinChannel(brief.i);
    const seen = collect(member, brief.i);
    const refused = await member.command(brief.i, "/retention 1").catch((e) => e);
    expect(refused).toMatchObject({ errorName: "FORBIDDEN" });
    expect((await owner.command(brief.i, "/retention 2")).x).toBe(
      "Messages here are deleted once 2 days old",
    );
    const bad = await owner.command(brief.i, "/retention soon").catch((e) => e);
    expect(bad).toMatchObject({ errorName: "BAD_COMMAND" });
    await until(() => seen.some((e) => e.t === EventType.RetentionChanged), 5000, "the change");
    expect((await member.channelInfo(brief.i)).ch.rd).toBe(2);
    const a = await owner.send(brief.i, "short lived");
    const b = await owner.send(lasting.i, "long lived");

    clock += 3 * DAY_MS;
    await swept();
    const text = async (c: number, id: number) =>
      (
        (await owner.history(c)).e.find((e) => e.t === EventType.MessagePosted && e.i === id) as {
          x: string;
        }
      ).x;
    expect(await text(brief.i, a.i)).toBe("");
    expect(await text(lasting.i, b.i)).toBe("long lived");

    // The server's retention, set by an admin, reaches every channel.
    const root = await server.registerAdmin("root");
    const res = await fetch(`${server.url}/api/v1/admin/settings`, {
      method: "POST",
      headers: { authorization: `Bearer ${root}`, "content-type": "application/json" },
      body: JSON.stringify({ retentionDays: 1 }),
    });
    expect(res.status).toBe(200);
    await swept();
    expect(await text(lasting.i, b.i)).toBe("");
  });

  it("finishes purging a channel whose deletion a stop cut short", async () => {
    await start();
    const owner = await server.connect({ token: await server.register("owner") });
    const { ch } = await owner.createChannel("halfway");
    const marker = "interrupted-pangolin";
    for (let i = 0; i < 3; i++) await owner.send(ch.i, `${marker} ${i}`);
    // The deletion's first step only, as a node that stopped right after it leaves it.
    const storage = await openStorage(server.config, pino({ level: "silent" }));
    try {
      await storage.deleteChannelAudited(ch.i, {
        actor: { id: owner.user!.i, name: "owner" },
        action: "channeldelete",
        targetKind: "channel",
        target: { id: ch.i, name: "halfway" },
        before: {},
        after: null,
      });
      expect(await storage.deletedChannels(10)).toEqual([ch.i]);
      await swept();
      expect(await storage.deletedChannels(10)).toEqual([]);
    } finally {
      await storage.close();
    }
    expectNotInDatabaseFile(server.dir, marker);
  });
});
