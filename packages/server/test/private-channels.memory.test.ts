import type { ParleyClient } from "@parley/client";
import { EventType, LIMITS, Op, Role } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { collect, until } from "./harness";
import { MemoryNode } from "./memory-node";

/** Private channels, direct invitations and invite links on a real node, in memory. */
describe("private channels and invites (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  async function people(env: Record<string, string> = {}) {
    m = await MemoryNode.start(env);
    const [olga, mike, mary, bob] = await Promise.all(
      ["olga", "mike", "mary", "bob"].map(async (n) => m.connect({ token: await m.register(n) })),
    );
    return { olga: olga!, mike: mike!, mary: mary!, bob: bob! };
  }

  /** A private channel owned by olga with mike as moderator and mary as a member. */
  async function privateChannel() {
    const p = await people();
    const { ch } = await p.olga.createChannel("hideout", "", { private: true });
    await p.olga.inviteUser(ch.i, "mike");
    await p.olga.inviteUser(ch.i, "@mary");
    await p.olga.command(ch.i, "/mod @mike");
    return { ...p, c: ch.i };
  }

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: { code: number; message: string }) => ({ code: err.code, message: err.message }),
    );

  it("hides a private channel from the directory and answers a non-member as for a missing id", async () => {
    const { olga, bob, c } = await privateChannel();
    expect((await olga.channelInfo(c)).ch).toMatchObject({ pv: true, mc: 3 });
    const { ch: listed } = await bob.listChannels({});
    expect(listed.map((x) => x.i)).not.toContain(c);
    expect((await bob.listChannels({ q: "hide" })).ch).toEqual([]);
    expect((await olga.listChannels({ q: "hide" })).ch.map((x) => x.i)).toEqual([c]);
    const missing = 999_999;
    for (const ask of [
      (id: number) => bob.channelInfo(id),
      (id: number) => bob.joinChannel(id),
      (id: number) => bob.history(id),
      (id: number) => bob.send(id, "hi"),
      (id: number) => bob.pinnedMessages(id),
      (id: number) => bob.command(id, "/help"),
      (id: number) => bob.createInvite(id),
      (id: number) => bob.listInvites(id),
    ]) {
      const hidden = await refusal(ask(c));
      expect(hidden).toBeDefined();
      expect(hidden).toEqual(await refusal(ask(missing)));
    }
    // The taken name does not say whether it is private.
    const { ch: open } = await olga.createChannel("lobby");
    const privateTaken = await refusal(bob.createChannel("HIDEOUT"));
    expect(privateTaken).toEqual(await refusal(bob.createChannel("Lobby")));
    expect(privateTaken).toMatchObject({ code: 1202 });
    expect(open.pv).toBeUndefined();
  });

  it("/private and /public switch visibility for the owner only, live, with members kept", async () => {
    const p = await people();
    const { ch } = await p.olga.createChannel("town");
    await p.mary.joinChannel(ch.i);
    const seen = collect(p.mary, ch.i);
    await expect(p.mary.command(ch.i, "/private")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    expect((await p.olga.command(ch.i, "/private")).x).toBe("The channel is now private");
    expect((await p.olga.command(ch.i, "/private")).x).toBe("The channel is already private");
    await until(() => seen.some((e) => e.t === EventType.ChannelVisibilityChanged));
    expect(seen.find((e) => e.t === EventType.ChannelVisibilityChanged)).toMatchObject({
      pv: true,
      an: "olga",
    });
    expect((await p.mary.channelInfo(ch.i)).ch).toMatchObject({ pv: true, mc: 2 });
    await expect(p.bob.joinChannel(ch.i)).rejects.toMatchObject({ errorName: "NO_SUCH_CHANNEL" });
    await p.olga.command(ch.i, "/public");
    await until(() => seen.filter((e) => e.t === EventType.ChannelVisibilityChanged).length === 2);
    expect((await p.bob.joinChannel(ch.i)).ch.pv).toBeUndefined();
  });

  it("replays a visibility change to a member who was away", async () => {
    const p = await people();
    const token = await m.register("away");
    const away = await m.connect({ token });
    const { ch } = await p.olga.createChannel("later");
    const joined = await away.joinChannel(ch.i);
    await away.close();
    await p.olga.command(ch.i, "/private");
    const raw = await m.raw();
    await raw.request(Op.Hello, { tk: token, ls: { [ch.i]: joined.ch.ls } });
    const frame = await raw.waitFor((f) => f.o === Op.Events);
    expect((frame.d as { c: number; e: { t: number; pv?: boolean }[] }).e).toMatchObject([
      { t: EventType.ChannelVisibilityChanged, pv: true },
    ]);
  });

  it("/invite adds a user on every connection with the inviter in the join; only moderators may in a private channel", async () => {
    const { olga, mike, mary, bob, c } = await privateChannel();
    const second = await m.connect({ token: await m.register("bob2") });
    const tabs: ParleyClient[] = [second, await m.connect({ token: second.token! })];
    const added: number[] = [];
    for (const t of tabs) t.on("channelAdded", (ch) => added.push(ch.i));
    const seen = collect(olga, c);
    await expect(mary.command(c, "/invite @bob")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    expect((await mike.command(c, "/invite @bob2")).x).toBe("Invited bob2");
    await until(() => added.length === 2);
    expect(added).toEqual([c, c]);
    await until(() => seen.some((e) => e.t === EventType.MemberJoined && e.an === "bob2"));
    expect(seen.find((e) => e.an === "bob2")).toMatchObject({ iv: mike.user!.i, ivn: "mike" });
    await expect(olga.inviteUser(c, "bob2")).rejects.toMatchObject({
      errorName: "ALREADY_MEMBER",
    });
    await expect(olga.inviteUser(c, "nobody")).rejects.toMatchObject({ errorName: "NO_SUCH_USER" });
    await olga.command(c, "/ban @bob");
    await expect(olga.inviteUser(c, "bob")).rejects.toMatchObject({ errorName: "TARGET_BANNED" });
    await expect(bob.channelInfo(c)).rejects.toMatchObject({ errorName: "NO_SUCH_CHANNEL" });
  });

  it("lets any account member invite to a public channel, but never a guest", async () => {
    const { olga, mary, bob } = await people();
    const { ch } = await olga.createChannel("open");
    await mary.joinChannel(ch.i);
    expect(await mary.inviteUser(ch.i, "bob")).toMatchObject({ s: expect.any(Number) });
    const guest = await m.connect();
    await guest.joinChannel(ch.i);
    await expect(guest.command(ch.i, "/invite @mike")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    await expect(guest.createInvite(ch.i)).rejects.toMatchObject({ errorName: "FORBIDDEN" });
    await expect(guest.createChannel("mine", "", { private: true })).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    expect((await bob.channelInfo(ch.i)).ch.rl).toBe(Role.Member);
  });

  it("creates links with defaults and limits, lists them by role, and revokes by creator or owner", async () => {
    const { olga, mike, mary, c } = await privateChannel();
    const before = Date.now();
    const week = await olga.createInvite(c);
    expect(week.code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(week.ex! - before).toBeGreaterThanOrEqual(LIMITS.inviteExpiryDefault * 1000 - 1000);
    expect(week.ex! - Date.now()).toBeLessThanOrEqual(LIMITS.inviteExpiryDefault * 1000);
    expect(week.mu).toBeUndefined();
    const forever = await mike.createInvite(c, { expiresIn: 0, maxUses: 5 });
    expect(forever).toMatchObject({ mu: 5, uc: 0, an: "mike" });
    expect(forever.ex).toBeUndefined();
    await expect(mary.createInvite(c)).rejects.toMatchObject({ errorName: "FORBIDDEN" });
    await expect(
      olga.createInvite(c, { expiresIn: LIMITS.inviteExpiryMax + 1 }),
    ).rejects.toMatchObject({ errorName: "INVALID_PAYLOAD" });
    await expect(olga.createInvite(c, { maxUses: 1001 })).rejects.toMatchObject({
      errorName: "INVALID_PAYLOAD",
    });
    expect((await olga.listInvites(c)).iv.map((i) => i.i)).toEqual([forever.i, week.i]);
    expect((await mike.listInvites(c)).iv.map((i) => i.i)).toEqual([forever.i]);
    expect((await mary.listInvites(c)).iv).toEqual([]);
    // Listed invites never carry a code.
    expect(JSON.stringify(await olga.listInvites(c))).not.toContain(week.code);
    await expect(mike.revokeInvite(c, week.i)).rejects.toMatchObject({
      errorName: "INVITE_INVALID",
    });
    await mike.revokeInvite(c, forever.i);
    await olga.revokeInvite(c, week.i);
    expect((await olga.listInvites(c)).iv).toEqual([]);
    await expect(olga.revokeInvite(c, week.i)).rejects.toMatchObject({
      errorName: "INVITE_INVALID",
    });
  });

  it("redeems a link into the join snapshot; unknown, revoked and used-up codes get one answer", async () => {
    const { olga, bob, c } = await privateChannel();
    const once = await olga.createInvite(c, { maxUses: 1 });
    const seen = collect(olga, c);
    const joined = await bob.redeemInvite(once.code);
    expect(joined.ch).toMatchObject({ i: c, pv: true, rl: Role.Member, mc: 4 });
    expect(joined.m.map((x) => x.n)).toContain("bob");
    await until(() => seen.some((e) => e.t === EventType.MemberJoined && e.an === "bob"));
    expect(seen.find((e) => e.an === "bob")).toMatchObject({ iv: olga.user!.i, ivn: "olga" });
    // Already a member: the snapshot again, and no use taken.
    const multi = await olga.createInvite(c);
    expect((await bob.redeemInvite(multi.code)).ch.i).toBe(c);
    expect((await olga.listInvites(c)).iv.find((i) => i.i === multi.i)?.uc).toBe(0);
    const guest = await m.connect();
    const used = await refusal(guest.redeemInvite(once.code));
    const revokedLink = await olga.createInvite(c);
    await olga.revokeInvite(c, revokedLink.i);
    const revoked = await refusal(guest.redeemInvite(revokedLink.code));
    const unknown = await refusal(guest.redeemInvite("A".repeat(22)));
    expect(used).toMatchObject({ code: 1310 });
    expect(revoked).toEqual(used);
    expect(unknown).toEqual(used);
    await expect(guest.redeemInvite("no spaces!")).rejects.toMatchObject({
      errorName: "INVALID_PAYLOAD",
    });
  });

  it("lets a guest redeem and refuses a banned user with the ban", async () => {
    const { olga, mary, c } = await privateChannel();
    const link = await olga.createInvite(c);
    const guest = await m.connect();
    expect((await guest.redeemInvite(link.code)).ch).toMatchObject({ i: c, pv: true });
    await olga.command(c, "/ban @mary");
    await expect(mary.redeemInvite(link.code)).rejects.toMatchObject({ errorName: "BANNED" });
    expect((await olga.listInvites(c)).iv[0]?.uc).toBe(1);
  });

  it("skips a default channel an admin made private when it joins a new user", async () => {
    m = await MemoryNode.start({
      PARLEY_DEFAULT_CHANNELS: "general,random",
    });
    const root = await m.connect({ token: await m.registerAdmin("root") });
    const names = (c: ParleyClient) => c.welcome!.ch.map((x) => x.n).sort();
    expect(names(root)).toEqual(["general", "random"]);
    const general = root.welcome!.ch.find((x) => x.n === "general")!.i;
    await root.command(general, "/private");
    const newcomer = await m.connect();
    expect(names(newcomer)).toEqual(["random"]);
  });

  it("limits redemptions per user by the join bucket", async () => {
    m = await MemoryNode.start({ PARLEY_RATE_LIMITS: "join=3/0.01" });
    const flooder = await m.connect();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => flooder.redeemInvite("B".repeat(22))),
    );
    expect(results.map((r) => (r.status === "rejected" ? r.reason.errorName : "ok"))).toEqual([
      "INVITE_INVALID",
      "INVITE_INVALID",
      "INVITE_INVALID",
      "RATE_LIMITED",
      "RATE_LIMITED",
    ]);
  });
});
