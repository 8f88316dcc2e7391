import type { ParleyClient } from "@parley/client";
import { EventType, NotifyLevel, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { collect, until } from "./harness";
import { MemoryNode } from "./memory-node";

/** Direct messages, group DMs and blocks on a real node, in memory. */
describe("direct messages and blocks (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  /** Tokens by name, to open more tabs of a user. */
  const tokens = new Map<string, string>();
  const tab = (name: string) => m.connect({ token: tokens.get(name)! });

  /** Alice, bob, carol and dave, each with a tab; with `admin`, that one is a server admin. */
  async function people(env: Record<string, string> = {}, admin?: string) {
    m = await MemoryNode.start(env);
    const [alice, bob, carol, dave] = await Promise.all(
      ["alice", "bob", "carol", "dave"].map(async (n) => {
        tokens.set(n, await (n === admin ? m.registerAdmin(n) : m.register(n)));
        return tab(n);
      }),
    );
    return { alice: alice!, bob: bob!, carol: carol!, dave: dave! };
  }

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: { errorName: string; message: string }) => ({
        name: err.errorName,
        message: err.message,
      }),
    );

  const names = (c: ParleyClient, id: number) =>
    (c.welcome?.ch.find((ch) => ch.i === id)?.dm ?? []).map((u) => u.n);

  it("opens one conversation per member set, in any order, with or without yourself or an @", async () => {
    const { alice, bob, carol } = await people();
    const first = await alice.openDm(["bob"]);
    expect(first.ch).toMatchObject({ pv: true, rl: 1, mc: 2, dm: [{ n: "bob" }] });
    expect(first.m.map((x) => x.n)).toEqual(["alice", "bob"]);
    for (const again of [["@bob"], ["BOB", "alice"], ["bob", "bob"]]) {
      expect((await alice.openDm(again)).ch.i).toBe(first.ch.i);
    }
    expect((await bob.openDm(["alice"])).ch.i).toBe(first.ch.i);
    const group = await carol.openDm(["bob", "alice"]);
    expect(group.ch.i).not.toBe(first.ch.i);
    expect(group.ch.dm?.map((u) => u.n)).toEqual(["alice", "bob"]);
    expect((await bob.openDm(["carol", "@alice"])).ch.i).toBe(group.ch.i);
  });

  it("tells every connection of every member that the DM was created, titled by the others", async () => {
    const { alice, bob, carol } = await people();
    const second = await tab("bob");
    const added = [bob, second].map((c) => c.waitFor("channelAdded"));
    const aliceAdded = (await tab("alice")).waitFor("channelAdded");
    const { ch } = await alice.openDm(["bob"]);
    for (const [summary] of await Promise.all(added)) {
      expect(summary).toMatchObject({ i: ch.i, pv: true, dm: [{ n: "alice" }] });
    }
    expect((await aliceAdded)[0]).toMatchObject({ i: ch.i, dm: [{ n: "bob" }] });
    // The welcome carries it too; no one else gets it.
    expect(names(await tab("bob"), ch.i)).toEqual(["alice"]);
    expect((await tab("carol")).welcome?.ch.some((c) => c.i === ch.i)).toBe(false);
    void carol;
  });

  it("never lists a DM, not even to its members, and answers outsiders as for a missing id", async () => {
    const { alice, bob, carol, dave: admin } = await people({}, "dave");
    expect(admin.user?.ad).toBe(true);
    const { ch } = await alice.openDm(["bob"]);
    for (const who of [alice, bob, carol]) {
      expect((await who.listChannels({})).ch.map((c) => c.i)).not.toContain(ch.i);
      expect((await who.listChannels({ q: "dm" })).ch).toEqual([]);
    }
    const missing = 999_999;
    for (const outsider of [carol, admin]) {
      for (const ask of [
        (id: number) => outsider.channelInfo(id),
        (id: number) => outsider.joinChannel(id),
        (id: number) => outsider.history(id),
        (id: number) => outsider.send(id, "hi"),
        (id: number) => outsider.createInvite(id),
      ]) {
        const hidden = await refusal(ask(ch.i));
        expect(hidden).toBeDefined();
        expect(hidden).toEqual(await refusal(ask(missing)));
      }
    }
  });

  it("refuses invites, moderation, pins, topics and leaving in a DM with FORBIDDEN", async () => {
    const { alice, bob, carol } = await people();
    const { ch } = await alice.openDm(["bob"]);
    const { i: msg } = await bob.send(ch.i, "hello");
    for (const ask of [
      () => alice.inviteUser(ch.i, "carol"),
      () => alice.createInvite(ch.i),
      () => alice.command(ch.i, "/kick @bob"),
      () => alice.command(ch.i, "/ban @bob"),
      () => alice.command(ch.i, "/mod @bob"),
      () => alice.command(ch.i, "/topic secrets"),
      () => alice.command(ch.i, "/invite @carol"),
      () => alice.pinMessage(ch.i, msg),
      () => alice.leaveChannel(ch.i),
    ]) {
      expect(await refusal(ask())).toMatchObject({ name: "FORBIDDEN" });
    }
    expect((await alice.channelInfo(ch.i)).m?.map((x) => [x.n, x.rl])).toEqual([
      ["alice", 1],
      ["bob", 1],
    ]);
    expect(carol.welcome?.ch.some((c) => c.i === ch.i)).toBe(false);
  });

  it("leaves a server admin who is a member of a DM without moderator rights there", async () => {
    const { bob, dave } = await people({}, "dave");
    const { ch } = await dave.openDm(["bob"]);
    const { i: msg } = await bob.send(ch.i, "mine");
    for (const ask of [
      () => dave.command(ch.i, "/kick @bob"),
      () => dave.command(ch.i, "/topic ours"),
      () => dave.pinMessage(ch.i, msg),
      () => dave.deleteMessage(ch.i, msg),
      () => dave.messageVersions(ch.i, msg),
      () => dave.inviteUser(ch.i, "carol"),
    ]) {
      expect(await refusal(ask())).toMatchObject({ name: "FORBIDDEN" });
    }
    expect((await dave.channelInfo(ch.i)).m?.map((x) => x.n)).toEqual(["bob", "dave"]);
  });

  it("carries every message op: send, reply, edit, delete, react, history, versions, read state", async () => {
    const { alice, bob } = await people();
    const { ch } = await alice.openDm(["bob"]);
    const seen = collect(bob, ch.i);
    const first = await alice.send(ch.i, "hi bob");
    const answer = await bob.reply(ch.i, first.i, "hi alice");
    const edited = await alice.editMessage(ch.i, first.i, 1, "hi Bob");
    expect(edited.v).toBe(2);
    expect((await alice.messageVersions(ch.i, first.i)).vs.map((v) => v.x)).toEqual([
      "hi bob",
      "hi Bob",
    ]);
    await bob.react(ch.i, first.i, "👍");
    await alice.typing(ch.i, true);
    await bob.deleteMessage(ch.i, answer.i);
    await until(() => seen.some((e) => e.t === EventType.MessageEdited));
    const page = await bob.history(ch.i);
    expect(page.e.filter((e) => e.t === EventType.MessagePosted).length).toBe(2);
    await alice.send(ch.i, "are you there?");
    const reopened = await tab("bob");
    const summary = reopened.welcome?.ch.find((c) => c.i === ch.i);
    expect(summary?.uc).toBe(2);
    expect((await bob.markRead(ch.i, summary!.ls)).uc).toBe(0);
    expect((await bob.setNotify(ch.i, NotifyLevel.All)).nl).toBe(NotifyLevel.All);
  });

  it("caps members at PARLEY_DM_MAX_MEMBERS, the opener included", async () => {
    const { alice } = await people({ PARLEY_DM_MAX_MEMBERS: "3" });
    expect((await alice.openDm(["bob", "carol"])).ch.mc).toBe(3);
    expect(await refusal(alice.openDm(["bob", "carol", "dave"]))).toMatchObject({
      name: "LIMIT_REACHED",
    });
  });

  it("names every unknown user in one NO_SUCH_USER, and refuses a DM with yourself alone", async () => {
    const { alice } = await people();
    const unknown = await refusal(alice.openDm(["bob", "nobody", "@ghost"]));
    expect(unknown).toEqual({ name: "NO_SUCH_USER", message: "No user named nobody, ghost" });
    expect(await refusal(alice.openDm(["alice"]))).toMatchObject({ name: "INVALID_PAYLOAD" });
    const raw = await m.raw();
    await raw.request(Op.Hello, { tk: tokens.get("alice") });
    const empty = await raw.request(Op.DmOpen, { u: [] });
    expect(empty).toMatchObject({ o: Op.Error, d: { c: 1002 } });
  });

  it("lets a guest DM only the people it shares a channel with", async () => {
    const { alice, bob } = await people();
    const guest = await m.connect();
    const guestName = guest.user!.n;
    expect(await refusal(guest.openDm(["alice"]))).toMatchObject({ name: "FORBIDDEN" });
    expect(await refusal(alice.openDm([guestName]))).toMatchObject({ name: "FORBIDDEN" });
    const { ch } = await alice.createChannel("porch");
    await guest.joinChannel(ch.i);
    const dm = await guest.openDm(["alice"]);
    expect(dm.ch.dm?.map((u) => u.n)).toEqual(["alice"]);
    expect((await alice.openDm([guestName])).ch.i).toBe(dm.ch.i);
    // Sharing a DM is not sharing a channel.
    expect(await refusal(guest.openDm(["bob"]))).toMatchObject({ name: "FORBIDDEN" });
    expect((await bob.openDm(["alice"])).ch.mc).toBe(2);
  });

  it("blocks both ways: no new DM, no send in an existing one, the same words either way", async () => {
    const { alice, bob, carol } = await people();
    const { ch } = await alice.openDm(["bob"]);
    const group = await carol.openDm(["alice", "bob"]);
    const bobTab = await tab("bob");
    const told = bobTab.waitFor("blockChanged");
    await bob.block("@alice", true);
    expect((await told)[0]).toEqual({ u: alice.user!.i, on: true });
    expect((await tab("bob")).welcome?.bl).toEqual([alice.user!.i]);
    const fromAlice = await refusal(alice.openDm(["bob"]));
    expect(fromAlice).toMatchObject({ name: "BLOCKED" });
    expect(await refusal(bob.openDm(["alice"]))).toEqual(fromAlice);
    expect(await refusal(carol.openDm(["bob", "dave"]))).toBeUndefined();
    for (const [who, c] of [
      [alice, ch.i],
      [bob, ch.i],
      [alice, group.ch.i],
    ] as const) {
      expect(await refusal(who.send(c, "psst"))).toMatchObject({ name: "BLOCKED" });
    }
    expect((await carol.send(group.ch.i, "anyone?")).i).toBeGreaterThan(0);
    // In a shared channel the server still delivers (the web folds them).
    const { ch: town } = await carol.createChannel("town");
    await alice.joinChannel(town.i);
    await bob.joinChannel(town.i);
    const seen = collect(bob, town.i);
    const { i } = await alice.send(town.i, "hello all");
    await until(() => seen.some((e) => e.t === EventType.MessagePosted && e.i === i));
    await bob.block("alice", false);
    expect((await tab("bob")).welcome?.bl).toEqual([]);
    expect((await alice.send(ch.i, "hi again")).i).toBeGreaterThan(0);
    expect(await refusal(alice.block("alice", true))).toMatchObject({ name: "INVALID_PAYLOAD" });
    expect(await refusal(alice.block("nobody", true))).toMatchObject({ name: "NO_SUCH_USER" });
  });
});
