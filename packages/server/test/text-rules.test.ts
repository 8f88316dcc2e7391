import type { ParleyClient } from "@parley/client";
import { ERRORS, EventType, type MessageEvent, Op } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, TestServer } from "./harness";
import { RawClient } from "./raw-client";

/** The texts of the messages (and actions) in a channel's latest history page. */
async function stored(client: ParleyClient, channelId: number): Promise<string[]> {
  const page = await client.history(channelId, { limit: 100 });
  return page.e.filter((e) => e.t === EventType.MessagePosted).map((e) => (e as MessageEvent).x);
}

describe("text rules", () => {
  let server: TestServer;
  let owner: ParleyClient;
  let target: ParleyClient;
  let channelId: number;

  beforeAll(async () => {
    server = await new TestServer().start();
    owner = await server.connect({ token: await server.registerAdmin("olivia") });
    target = await server.connect({ token: await server.register("tessa") });
    channelId = (await owner.createChannel("rules")).ch.i;
    await target.joinChannel(channelId);
  });
  afterAll(() => server.stop());

  describe("/me", () => {
    it("refuses control characters, invisible-only text and open bidi overrides, as a send does", async () => {
      for (const action of [
        "rings \u0007",
        "hides \u0000",
        "paints \u001b[31mred",
        "\u200B\u200B",
        "flips \u202E",
      ]) {
        const asSend = owner.send(channelId, action);
        await expect(asSend, JSON.stringify(action)).rejects.toMatchObject({
          errorName: "INVALID_PAYLOAD",
        });
        const asAction = owner.command(channelId, `/me ${action}`);
        await expect(asAction, JSON.stringify(action)).rejects.toMatchObject({
          errorName: "BAD_COMMAND",
          usage: "/me <action>",
          message: expect.stringMatching(/^action: /),
        });
      }
      expect(await stored(owner, channelId)).toEqual([]);
      // What a send accepts, /me accepts: several lines, balanced bidi controls.
      await owner.command(channelId, "/me waves\nand \u2067שלום\u2069 says");
      expect(await stored(owner, channelId)).toEqual(["waves\nand \u2067שלום\u2069 says"]);
    });
  });

  describe("moderation reasons", () => {
    it("refuses kick, mute, ban and server-ban reasons that break the topic rules, storing nothing", async () => {
      const before = (await owner.command(channelId, "/modlog")).x;
      for (const command of [
        "/kick @tessa \u001b[2J",
        "/mute @tessa 10m \u0007",
        "/ban @tessa 1h \u0000",
        "/serverban @tessa \u202Eoops",
        `/kick @tessa ${"a".repeat(251)}`,
      ]) {
        await expect(owner.command(channelId, command), command).rejects.toMatchObject({
          errorName: "BAD_COMMAND",
          message: expect.stringMatching(/^reason: /),
        });
      }
      expect((await owner.command(channelId, "/modlog")).x).toBe(before);
      // A reason within the rules is stored as given.
      await owner.command(channelId, "/mute @tessa 10m spamming links");
      const log = await owner.command(channelId, "/modlog 1");
      expect(log.x).toContain("spamming links");
      await owner.command(channelId, "/unmute @tessa");
    });

    it("refuses a topic with an unclosed bidi override", async () => {
      await expect(owner.command(channelId, "/topic \u202Etxt.exe")).rejects.toMatchObject({
        errorName: "BAD_COMMAND",
        message: expect.stringMatching(/^topic: every bidi/),
      });
    });
  });

  describe("well-formed UTF-16", () => {
    const lone = "a\uD800b";
    const surrogateIssue = /lone surrogate/;

    it("refuses a lone surrogate in every string field of every op, naming the field", async () => {
      const raw = await RawClient.open(server.wsUrl);
      const refusedHello = await raw.request(Op.Hello, { tk: lone });
      expect(refusedHello.d).toMatchObject({ c: ERRORS.INVALID_PAYLOAD.code });
      expect((refusedHello.d as { m: string }).m).toMatch(/^tk: .*lone surrogate/);
      expect(await raw.request(Op.Hello, { rt: "\uDC00" })).toMatchObject({ o: Op.Error });
      await raw.request(Op.Hello, {});
      await raw.request(Op.ChannelJoin, { c: channelId });
      const c = channelId;
      const requests: [number, Record<string, unknown>, string][] = [
        [Op.ChannelList, { q: lone }, "q"],
        [Op.ChannelCreate, { n: lone }, "n"],
        [Op.ChannelCreate, { n: "fine", tp: lone }, "tp"],
        [Op.MessageSend, { c, n: "n1", x: lone }, "x"],
        [Op.MessageSend, { c, n: lone, x: "hi" }, "n"],
        [Op.ReactionAdd, { c, m: 1, e: "\uD83D" }, "e"],
        [Op.ReactionRemove, { c, m: 1, e: "\uDE00" }, "e"],
        [Op.Command, { c, x: `/me ${lone}` }, "x"],
        [Op.Command, { c, x: "/me hi", n: lone }, "n"],
      ];
      for (const [op, d, field] of requests) {
        const reply = await raw.request(op, d);
        expect(reply.d, `${op} ${field}`).toMatchObject({ c: ERRORS.INVALID_PAYLOAD.code, op });
        expect((reply.d as { m: string }).m).toMatch(new RegExp(`^${field}: .*lone surrogate`));
      }
      raw.close();
      expect(await stored(owner, channelId)).not.toContainEqual(expect.stringContaining("\uFFFD"));
    });

    it("refuses a lone surrogate in HTTP bodies", async () => {
      for (const [path, body] of [
        ["/api/v1/auth/register", { username: "ursula", password: `long enough ${lone}` }],
        ["/api/v1/auth/login", { username: "olivia", password: `correct horse\uDFFF` }],
        ["/api/v1/auth/register", { username: "urs\uD800", password: "long enough pw" }],
      ] as const) {
        const res = await post(`${server.url}${path}`, body);
        expect(res.status, path).toBe(400);
        expect(res.body.error).toMatchObject({ c: ERRORS.INVALID_PAYLOAD.code });
        expect(res.body.error.m).toMatch(surrogateIssue);
      }
    });
  });

  describe("look-alike names and invisible text", () => {
    it("refuses channel names with zero-width or bidi characters and look-alikes of a taken name", async () => {
      await owner.createChannel("Lobby");
      for (const name of ["gen\u200Beral", "\u202Eybbol", "lob\u2066by\u2069", "\u3164"]) {
        await expect(owner.createChannel(name), JSON.stringify(name)).rejects.toMatchObject({
          errorName: "INVALID_PAYLOAD",
        });
      }
      for (const name of ["Ｌｏｂｂｙ", "LOBBY", "ＬＯＢＢＹ", "lobby"]) {
        await expect(owner.createChannel(name), name).rejects.toMatchObject({
          errorName: "CHANNEL_NAME_TAKEN",
        });
      }
      const found = await owner.listChannels({ q: "ｌｏｂ" });
      expect(found.ch.map((ch) => ch.n)).toEqual(["Lobby"]);
    });

    it("refuses a message of only invisible characters and keeps right-to-left text as sent", async () => {
      for (const x of ["\u200B\u200B\u200B", "\u200D \u2060\uFEFF", "\u2800", "\u3164\u115F"]) {
        await expect(owner.send(channelId, x), JSON.stringify(x)).rejects.toMatchObject({
          errorName: "INVALID_PAYLOAD",
          message: expect.stringMatching(/^x: a message needs a visible character/),
        });
      }
      const rtl = "\u200Fשלום\u200F and \u202Bمرحبا\u202C";
      await owner.send(channelId, rtl);
      expect(await stored(owner, channelId)).toContain(rtl);
    });
  });
});
