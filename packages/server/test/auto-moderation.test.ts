import { ERRORS, EventType, type MessageEvent } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { post, TestServer } from "./harness";

describe("auto-moderation", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(async () => {
    await server.stop();
  });

  it("refuses blocked words, a new account's links and mention spam before storing anything; moderators are exempt", async () => {
    const root = await server.registerAdmin("root");
    const owner = await server.connect({ token: await server.register("olive") });
    const member = await server.connect({ token: await server.register("newbie") });
    const { ch } = await owner.createChannel("market");
    await member.joinChannel(ch.i);
    const earlier = await member.send(ch.i, "hello all");
    const set = await post(
      `${server.url}/api/v1/admin/settings`,
      { blockedWords: ["Scam", "free money"], linkMinAccountHours: 24, maxMentions: 2 },
      root,
    );
    expect(set.status).toBe(200);
    expect(set.body.settings).toMatchObject({
      blockedWords: ["scam", "free money"],
      linkMinAccountHours: 24,
      maxMentions: 2,
    });

    const refused = async (work: Promise<unknown>) => {
      try {
        await work;
        return "stored";
      } catch (err) {
        return (err as { code: number }).code;
      }
    };
    expect(await refused(member.send(ch.i, "not a s.c.a.m, promise"))).toBe(
      ERRORS.MESSAGE_BLOCKED.code,
    );
    expect(await refused(member.send(ch.i, "FREE  mоney inside"))).toBe(
      ERRORS.MESSAGE_BLOCKED.code,
    );
    expect(await refused(member.command(ch.i, "/me runs a ѕсаm"))).toBe(
      ERRORS.MESSAGE_BLOCKED.code,
    );
    expect(await refused(member.editMessage(ch.i, earlier.i, 1, "hello, sc4m"))).toBe(
      ERRORS.MESSAGE_BLOCKED.code,
    );
    expect(await refused(member.send(ch.i, "look https://example.com/deal"))).toBe(
      ERRORS.LINKS_NOT_ALLOWED.code,
    );
    expect(await refused(member.send(ch.i, "@olive @root @nobody hi"))).toBe(
      ERRORS.TOO_MANY_MENTIONS.code,
    );
    // The connection is fine, and innocent words pass.
    expect(await refused(member.send(ch.i, "a scamper in the market"))).toBe("stored");
    // The channel's owner is exempt.
    expect(await refused(owner.send(ch.i, "warning: scam at https://example.com"))).toBe("stored");

    const page = await owner.history(ch.i);
    const texts = page.e
      .filter((e): e is MessageEvent => e.t === EventType.MessagePosted)
      .map((e) => e.x);
    expect(texts).toEqual([
      "hello all",
      "a scamper in the market",
      "warning: scam at https://example.com",
    ]);

    // Turned off, it refuses nothing.
    await post(
      `${server.url}/api/v1/admin/settings`,
      { reset: ["blockedWords", "linkMinAccountHours", "maxMentions"] },
      root,
    );
    expect(await refused(member.send(ch.i, "scam https://example.com @olive @root @x"))).toBe(
      "stored",
    );
    const bad = await post(`${server.url}/api/v1/admin/settings`, { blockedWords: ["a|b"] }, root);
    expect(bad.status).toBe(400);
  });

  it("lets a channel's moderators block words of their own with /automod, a stored event, in the log", async () => {
    const owner = await server.connect({ token: await server.register("keeper") });
    const member = await server.connect({ token: await server.register("reader") });
    const { ch } = await owner.createChannel("books");
    const { ch: other } = await owner.createChannel("films");
    await member.joinChannel(ch.i);
    await member.joinChannel(other.i);
    const refused = async (work: Promise<unknown>) => {
      try {
        await work;
        return "ok";
      } catch (err) {
        return (err as { code: number }).code;
      }
    };
    expect(await refused(member.command(ch.i, "/automod block spoiler*"))).toBe(
      ERRORS.FORBIDDEN.code,
    );
    const blocked = await owner.command(ch.i, "/automod block Spoiler*");
    expect(blocked.x).toBe('Blocked "spoiler*" in this channel');
    expect((await owner.command(ch.i, "/automod block spoiler*")).x).toBe(
      '"spoiler*" was blocked here already',
    );
    expect((await owner.command(ch.i, "/automod list")).x).toBe("Blocked here: spoiler*");
    expect(await refused(member.send(ch.i, "SP0ILERS: the butler did it"))).toBe(
      ERRORS.MESSAGE_BLOCKED.code,
    );
    // Another channel, and the owner, are not held to it.
    expect(await refused(member.send(other.i, "spoilers: the butler did it"))).toBe("ok");
    expect(await refused(owner.send(ch.i, "no spoilers please"))).toBe("ok");
    const events = (await owner.history(ch.i)).e;
    expect(events.find((e) => e.t === EventType.BlockedWordsChanged)).toMatchObject({
      an: "keeper",
      bw: 1,
    });
    const log = await owner.command(ch.i, "/modlog");
    expect(log.log?.map((l) => [l.ac, l.rs])).toContainEqual(["automod", "block spoiler*"]);

    expect((await owner.command(ch.i, "/automod unblock spoiler*")).x).toBe(
      'Unblocked "spoiler*" in this channel',
    );
    expect(await refused(member.send(ch.i, "spoilers now"))).toBe("ok");
    for (const bad of ["/automod", "/automod ban x", "/automod block a|b", "/automod block"])
      expect([bad, await refused(owner.command(ch.i, bad))]).toEqual([
        bad,
        ERRORS.BAD_COMMAND.code,
      ]);
  });
  it("holds sends with the server's held words for review; a blocked word wins; the setting is live", async () => {
    const root = await server.registerAdmin("root");
    const owner = await server.connect({ token: await server.register("hosta") });
    const member = await server.connect({ token: await server.register("sender") });
    const { ch } = await owner.createChannel("plants");
    await member.joinChannel(ch.i);
    const set = await post(
      `${server.url}/api/v1/admin/settings`,
      { heldWords: ["Giveaway", "free seeds"], blockedWords: ["scam"] },
      root,
    );
    expect(set.status).toBe(200);
    expect(set.body.settings).toMatchObject({ heldWords: ["giveaway", "free seeds"] });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 0,
        (err: { code: number }) => err.code,
      );
    expect(await code(member.send(ch.i, "a G1VEAWAY for all"))).toBe(ERRORS.MESSAGE_HELD.code);
    expect(await code(member.send(ch.i, "giveaway scam"))).toBe(ERRORS.MESSAGE_BLOCKED.code);
    expect(await code(owner.send(ch.i, "the owner's giveaway"))).toBe(0);
    const open = await owner.reports();
    expect(open.rp).toEqual([
      expect.objectContaining({ hd: true, x: "a G1VEAWAY for all", rs: "giveaway" }),
    ]);
    // Approved through the admin API, as the console does.
    const approved = await post(
      `${server.url}/api/v1/admin/reports/${open.rp[0]!.id}/resolve`,
      { status: "resolved" },
      root,
    );
    expect(approved.status).toBe(200);
    const texts = (await owner.history(ch.i)).e.flatMap((e) =>
      e.t === EventType.MessagePosted ? [e.x] : [],
    );
    expect(texts).toEqual(["the owner's giveaway", "a G1VEAWAY for all"]);
    await post(`${server.url}/api/v1/admin/settings`, { reset: ["heldWords"] }, root);
    expect(await code(member.send(ch.i, "another giveaway"))).toBe(0);
  });
});
