import type { ParleyClient } from "@parley/client";
import { type ChannelEvent, EventType, Role } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, TestServer, until } from "./harness";

describe("moderation", () => {
  let server: TestServer;
  let owner: ParleyClient;
  let mod: ParleyClient;
  let member: ParleyClient;
  let guest: ParleyClient;
  let channelId: number;
  let logs: ChannelEvent[][];

  const as = async (name: string) => server.connect({ token: await server.register(name) });
  const asAdmin = async (name: string) =>
    server.connect({ token: await server.registerAdmin(name) });
  /** Waits until every member's log has an event of `type`, and returns the owner's. */
  const seenByAll = async (type: number, clients = logs) => {
    await until(() => clients.every((log) => log.some((e) => e.t === type)), 5000, `event ${type}`);
    return logs[0]!.filter((e) => e.t === type).at(-1)!;
  };

  beforeEach(async () => {
    server = await new TestServer().start();
    owner = await as("olivia");
    mod = await as("mike");
    member = await as("mary");
    guest = await server.connect();
    channelId = (await owner.createChannel("modded")).ch.i;
    for (const c of [mod, member, guest]) await c.joinChannel(channelId);
    logs = [owner, mod, member, guest].map((c) => collect(c, channelId));
    await owner.command(channelId, "/mod @mike");
    await seenByAll(EventType.RoleChanged);
  });
  afterEach(() => server.stop());

  it("announces the command list with usage and minimum role in the welcome", () => {
    const names = owner.welcome!.cmd.map((c) => c.n);
    expect(names).toEqual(
      expect.arrayContaining([
        "kick",
        "mute",
        "unmute",
        "ban",
        "unban",
        "mod",
        "unmod",
        "topic",
        "slow",
        "modlog",
        "help",
        "me",
        "invite",
        "private",
        "public",
      ]),
    );
    expect(owner.welcome!.cmd.find((c) => c.n === "mute")).toMatchObject({
      u: "/mute @user [duration] [reason]",
      rl: Role.Moderator,
    });
    expect(owner.welcome!.cmd.find((c) => c.n === "invite")).toMatchObject({
      u: "/invite @user",
      rl: Role.Member,
    });
    expect(owner.welcome!.cmd.find((c) => c.n === "private")).toMatchObject({ rl: Role.Owner });
  });

  it("announces to each user only the commands it may use somewhere", async () => {
    const names = (c: ParleyClient) => c.welcome!.cmd.map((x) => x.n).sort();
    const channelCommands = [
      "automod",
      "ban",
      "help",
      "invite",
      "kick",
      "me",
      "mod",
      "modlog",
      "mute",
      "pin",
      "private",
      "public",
      "retention",
      "slow",
      "topic",
      "unban",
      "unmod",
      "unmute",
      "unpin",
    ];
    // An account may own a channel (one it creates), so it hears of every channel command.
    expect(names(member)).toEqual(channelCommands);
    expect(names(owner)).toEqual(channelCommands);
    expect(names(guest)).toEqual(["help", "me"]);
    const root = await asAdmin("root");
    expect(names(root)).toEqual([...channelCommands, "serverban", "serverunban"].sort());
  });

  it("/mod makes a moderator, seen by every member; /unmod reverts it", async () => {
    expect(logs[2]!.find((e) => e.t === EventType.RoleChanged)).toMatchObject({
      u: mod.user!.i,
      un: "mike",
      rl: Role.Moderator,
      an: "olivia",
    });
    await expect(mod.command(channelId, "/mod @mary")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    await owner.command(channelId, "/unmod mike");
    await until(() =>
      logs.every((l) => l.filter((e) => e.t === EventType.RoleChanged).length === 2),
    );
    await expect(mod.command(channelId, "/kick @mary")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
  });

  it("/kick removes the user on all tabs, announces the reason, and allows a rejoin", async () => {
    const secondTab = await server.connect({ token: member.token! });
    const removed = [member.waitFor("channelRemoved"), secondTab.waitFor("channelRemoved")];
    const reply = await mod.command(channelId, "/kick @Mary flooding the channel");
    expect(reply.x).toMatch(/Kicked/);
    const kicked = await seenByAll(EventType.MemberKicked, [logs[0]!, logs[1]!, logs[3]!]);
    expect(kicked).toMatchObject({
      u: member.user!.i,
      un: "mary",
      rs: "flooding the channel",
      an: "mike",
    });
    for (const r of removed) expect((await r)[0]).toEqual({ c: channelId, why: "kicked" });
    // The kicked user learned who kicked them and why, before the channel was removed.
    expect(logs[2]!.find((e) => e.t === EventType.MemberKicked)).toMatchObject({
      an: "mike",
      rs: "flooding the channel",
    });
    await expect(secondTab.send(channelId, "still here?")).rejects.toMatchObject({
      errorName: "NOT_A_MEMBER",
    });
    await member.joinChannel(channelId);
  });

  it("refuses: no permission, higher or equal rank, unknown user, non-member, self, guest", async () => {
    const outsider = await as("otto");
    const cases: [ParleyClient, string, string][] = [
      [member, "/kick @guest-none", "FORBIDDEN"],
      [member, `/mute @${guest.user!.n}`, "FORBIDDEN"],
      [mod, "/kick @olivia", "FORBIDDEN"],
      [mod, "/mute @olivia 1m", "FORBIDDEN"],
      [owner, "/kick @nobody-here", "NO_SUCH_USER"],
      [owner, "/kick @otto", "TARGET_NOT_MEMBER"],
      [owner, "/kick @olivia", "FORBIDDEN"],
      [guest, "/kick @mary", "FORBIDDEN"],
      [owner, "/bogus", "UNKNOWN_COMMAND"],
      [owner, "/kick", "BAD_COMMAND"],
    ];
    for (const [client, text, name] of cases) {
      await expect(client.command(channelId, text), text).rejects.toMatchObject({
        errorName: name,
      });
    }
    const another = await as("mod2");
    await another.joinChannel(channelId);
    await owner.command(channelId, "/mod mod2");
    await expect(mod.command(channelId, "/kick @mod2")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    expect(outsider.user).toBeDefined();
  });

  it("refuses a command above the caller's rank with FORBIDDEN and no usage line", async () => {
    for (const [client, text] of [
      [member, "/kick @guest-none"],
      [guest, "/mute @mary 1m"],
      [mod, "/mod @mary"],
      [owner, "/serverban @mary"],
    ] as const) {
      const err = await client.command(channelId, text).catch((e: unknown) => e);
      expect(err, text).toMatchObject({ errorName: "FORBIDDEN" });
      expect((err as { usage?: string }).usage, text).toBeUndefined();
    }
  });

  it("rejects a bad duration with the usage line", async () => {
    for (const text of [
      "/mute @mary 10x",
      "/mute @mary 29d",
      "/ban @mary 0s spam",
      "/mute @mary 5",
    ]) {
      await expect(owner.command(channelId, text), text).rejects.toMatchObject({
        errorName: "BAD_COMMAND",
        usage: expect.stringMatching(/^\/(mute|ban) @user \[duration\] \[reason\]$/),
      });
    }
  });

  it("/mute blocks sending, reacting and typing with the time left; muting again updates; /unmute lifts", async () => {
    const ack = await owner.send(channelId, "react to this");
    await mod.command(channelId, "/mute @mary 10m spamming");
    const muted = await seenByAll(EventType.MemberMuted);
    expect(muted).toMatchObject({ u: member.user!.i, rs: "spamming" });
    expect((muted as { ut: number }).ut).toBeGreaterThan(Date.now() + 9 * 60_000);

    const refusal = member.send(channelId, "let me talk");
    await expect(refusal).rejects.toMatchObject({ errorName: "MUTED" });
    const err = await refusal.catch((e) => e);
    expect(err.retryAfterMs).toBeGreaterThan(9 * 60_000);
    expect(err.message).toMatch(/9m|10m/);
    await expect(member.react(channelId, ack.i, "👍")).rejects.toMatchObject({
      errorName: "MUTED",
    });
    await expect(member.request(22, { c: channelId, on: true })).rejects.toMatchObject({
      errorName: "MUTED",
    });
    await expect(member.command(channelId, "/me waves")).rejects.toMatchObject({
      errorName: "MUTED",
    });

    await mod.command(channelId, "/mute @mary");
    await until(() => logs[0]!.filter((e) => e.t === EventType.MemberMuted).length === 2);
    const indefinite = await member.send(channelId, "now?").catch((e) => e);
    expect(indefinite).toMatchObject({ errorName: "MUTED" });
    expect(indefinite.retryAfterMs).toBeUndefined();

    await mod.command(channelId, "/unmute mary");
    await seenByAll(EventType.MemberUnmuted);
    await member.send(channelId, "free again");
    await expect(mod.command(channelId, "/unmute mary")).rejects.toMatchObject({
      errorName: "BAD_COMMAND",
    });
  });

  it("announces a mute's expiry to the channel, by the server", async () => {
    await mod.command(channelId, "/mute @mary 1s");
    await seenByAll(EventType.MemberMuted);
    const unmuted = await seenByAll(EventType.MemberUnmuted);
    expect(unmuted).toMatchObject({ u: member.user!.i, a: 0 });
    await member.send(channelId, "the mute is over");
  });

  it("/ban removes at once, refuses rejoining until /unban, and survives a restart", async () => {
    const removed = member.waitFor("channelRemoved");
    await mod.command(channelId, "/ban @mary 7d rude");
    expect((await removed)[0]).toEqual({ c: channelId, why: "banned" });
    expect(await seenByAll(EventType.MemberBanned, [logs[0]!, logs[1]!, logs[3]!])).toMatchObject({
      u: member.user!.i,
      rs: "rude",
    });
    const refused = await member.joinChannel(channelId).catch((e) => e);
    expect(refused).toMatchObject({ errorName: "BANNED" });
    expect(refused.retryAfterMs).toBeGreaterThan(6 * 86_400_000);

    const token = member.token!;
    const ownerToken = owner.token!;
    await server.restart();
    const mary = await server.connect({ token });
    expect(mary.welcome!.ch.map((c) => c.i)).not.toContain(channelId);
    await expect(mary.joinChannel(channelId)).rejects.toMatchObject({ errorName: "BANNED" });
    const olivia = await server.connect({ token: ownerToken });
    await olivia.command(channelId, "/unban @mary");
    await mary.joinChannel(channelId);
  });

  it("slow mode refuses a member's second message inside the window, accepts one after, exempts moderators", async () => {
    await mod.command(channelId, "/slow 1");
    expect(await seenByAll(EventType.SlowModeChanged)).toMatchObject({ sl: 1 });
    await member.send(channelId, "first");
    const err = await member.send(channelId, "second").catch((e) => e);
    expect(err).toMatchObject({ errorName: "SLOW_MODE" });
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(err.retryAfterMs).toBeLessThanOrEqual(1000);
    await mod.send(channelId, "mods are exempt");
    await mod.send(channelId, "really");
    await new Promise((r) => setTimeout(r, err.retryAfterMs + 20));
    await member.send(channelId, "after the window");
    await mod.command(channelId, "/slow off");
    await member.send(channelId, "no limit");
    await member.send(channelId, "at all");
    await expect(mod.command(channelId, "/slow soon")).rejects.toMatchObject({
      errorName: "BAD_COMMAND",
    });
  });

  it("/topic changes the topic for everyone; /me posts an action; /help lists what you may use", async () => {
    await mod.command(channelId, "/topic Ship it on Friday");
    expect(await seenByAll(EventType.TopicChanged)).toMatchObject({ tp: "Ship it on Friday" });
    expect((await member.channelInfo(channelId)).ch.tp).toBe("Ship it on Friday");
    const me = await member.command(channelId, "/me waves");
    expect(me.m?.s).toBeGreaterThan(0);
    const action = await seenByAll(EventType.MessagePosted);
    expect(action).toMatchObject({ x: "waves", k: 1, an: "mary" });
    const help = await guest.command(channelId, "/help");
    expect(help.x).toContain("/me");
    expect(help.x).not.toContain("/kick");
    expect((await owner.command(channelId, "/help")).x).toContain("/mod");
  });

  it("/modlog lists every action in order, for moderators only", async () => {
    await mod.command(channelId, "/mute @mary 5m noisy");
    await mod.command(channelId, "/unmute @mary");
    await mod.command(channelId, "/kick @mary");
    await mod.command(channelId, "/topic quiet please");
    const reply = (await mod.command(channelId, "/modlog 10")) as {
      log: { ac: string; an: string; un?: string; rs?: string }[];
    };
    expect(reply.log.map((e) => e.ac)).toEqual(["topic", "kick", "unmute", "mute", "mod"]);
    expect(reply.log[3]).toMatchObject({ an: "mike", un: "mary", rs: "noisy" });
    await expect(guest.command(channelId, "/modlog")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
  });

  it("/modlog's text reads as sentences, times in UTC marked as such", async () => {
    await mod.command(channelId, "/mute @mary 5m noisy");
    await mod.command(channelId, "/unmute @mary");
    await mod.command(channelId, "/kick @mary");
    await mod.command(channelId, "/topic quiet please");
    await mod.command(channelId, "/slow 90");
    await mod.command(channelId, "/slow off");
    const { x, log } = await mod.command(channelId, "/modlog 7");
    const lines = x?.split("\n") ?? [];
    const stamp = (ms: number) =>
      `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
    expect(lines).toEqual([
      `${stamp(log![0]!.ts)}  mike turned slow mode off`,
      `${stamp(log![1]!.ts)}  mike turned slow mode on: one message every 1m 30s`,
      `${stamp(log![2]!.ts)}  mike set the topic to “quiet please”`,
      `${stamp(log![3]!.ts)}  mike removed mary`,
      `${stamp(log![4]!.ts)}  mike unmuted mary`,
      `${stamp(log![5]!.ts)}  mike muted mary until ${stamp(log![5]!.ut!)}: noisy`,
      `${stamp(log![6]!.ts)}  olivia made mike a moderator`,
    ]);
  });

  it("never demotes an owner by /unmod or /mod, even for an admin", async () => {
    const root = await asAdmin("root");
    await expect(root.command(channelId, "/unmod @olivia")).rejects.toMatchObject({
      errorName: "BAD_COMMAND",
    });
    await expect(root.command(channelId, "/mod @olivia")).rejects.toMatchObject({
      errorName: "BAD_COMMAND",
    });
    await expect(owner.command(channelId, "/mod @mike")).rejects.toMatchObject({
      errorName: "BAD_COMMAND",
    });
    const info = await owner.channelInfo(channelId);
    expect(info.m?.find((m) => m.n === "olivia")?.rl).toBe(Role.Owner);
  });

  it("bans someone who is not a member, refusing their first join", async () => {
    const stranger = await as("stranger");
    await mod.command(channelId, "/ban @stranger 1h pre-emptive");
    await expect(stranger.joinChannel(channelId)).rejects.toMatchObject({ errorName: "BANNED" });
  });

  it("exempts moderators' /me from slow mode but not members'", async () => {
    await mod.command(channelId, "/slow 60");
    await mod.command(channelId, "/me checks in");
    await mod.command(channelId, "/me checks in again");
    await member.command(channelId, "/me arrives");
    await expect(member.command(channelId, "/me leaves")).rejects.toMatchObject({
      errorName: "SLOW_MODE",
    });
  });

  it("an admin acts in any channel, even one it is not in", async () => {
    const root = await asAdmin("root");
    expect(root.user!.ad).toBe(true);
    await root.command(channelId, "/kick @olivia");
    await seenByAll(EventType.MemberKicked, [logs[1]!, logs[2]!, logs[3]!]);
    // Ownership passed on when the owner was removed: to the moderator, by the server.
    await until(() => logs[1]!.some((e) => e.t === EventType.RoleChanged && e.rl === Role.Owner));
    const handover = logs[1]!.filter((e) => e.t === EventType.RoleChanged).at(-1);
    expect(handover).toMatchObject({ u: mod.user!.i, rl: Role.Owner, a: 0 });
    await mod.command(channelId, "/kick @mary");
  });
});
