import { ERRORS, EventType, type UploadReply, type UserRef } from "@parley/protocol";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { post, TestServer, until } from "./harness";

describe("profiles", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(async () => {
    await server.stop();
  });

  const profile = (token: string | undefined, body: unknown) =>
    post(`${server.url}/api/v1/profile`, body, token);
  const upload = async (token: string, name: string, body: Uint8Array<ArrayBuffer> | string) => {
    const res = await fetch(`${server.url}/api/v1/files?name=${name}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body,
    });
    return (await res.json()) as UploadReply;
  };
  const image = (background: string) =>
    sharp({ create: { width: 640, height: 300, channels: 3, background } })
      .png()
      .toBuffer();
  const avatar = (id: string) => fetch(`${server.url}/api/v1/avatars/${id}`);

  it("sets a display name, status and avatar that members and the user's other tabs see live, and new connections read", async () => {
    const token = await server.register("alice");
    const alice = await server.connect({ token });
    const otherTab = await server.connect({ token });
    const bob = await server.connect({ token: await server.register("bob") });
    const { ch } = await alice.createChannel("studio");
    await bob.joinChannel(ch.i);
    const seen: UserRef[] = [];
    const mine: UserRef[] = [];
    bob.on("userUpdated", (u) => seen.push(u));
    otherTab.on("userUpdated", (u) => mine.push(u));

    const file = await upload(token, "me.png", await image("#c33"));
    const res = await profile(token, {
      displayName: "  Alice Liddell ",
      status: "painting the roses",
      avatar: file.id,
    });
    expect(res.status).toBe(200);
    const user = res.body.user as UserRef;
    expect(user).toMatchObject({
      i: alice.user!.i,
      n: "alice",
      dn: "Alice Liddell",
      sx: "painting the roses",
      av: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    await until(() => seen.length > 0 && mine.length > 0, 5000, "both told");
    expect(seen.at(-1)).toEqual(user);
    expect(mine.at(-1)).toEqual(user);
    expect(otherTab.user).toMatchObject({ dn: "Alice Liddell" });

    // The avatar: a 256 px square WebP, served without a token, cacheable for good.
    const got = await avatar(user.av!);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/webp");
    expect(got.headers.get("cache-control")).toContain("immutable");
    const meta = await sharp(Buffer.from(await got.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 256, 256]);

    // A fresh connection, a member list and a DM's summary carry the profile.
    const later = await server.connect({ token });
    expect(later.user).toMatchObject({ dn: "Alice Liddell", sx: "painting the roses" });
    const joined = await bob.joinChannel(ch.i);
    expect(joined.m.find((m) => m.i === alice.user!.i)).toMatchObject({ dn: "Alice Liddell" });
    const dm = await bob.openDm(["alice"]);
    expect(dm.ch.dm).toEqual([expect.objectContaining({ n: "alice", dn: "Alice Liddell" })]);

    // A new avatar replaces the old one, whose bytes go; null clears a field.
    const second = await upload(token, "me2.png", await image("#3c3"));
    const next = (await profile(token, { avatar: second.id, status: null })).body.user as UserRef;
    expect(next.av).not.toBe(user.av);
    expect(next).not.toHaveProperty("sx");
    expect(next.dn).toBe("Alice Liddell");
    expect((await avatar(user.av!)).status).toBe(404);
    expect((await avatar(next.av!)).status).toBe(200);
    const none = (await profile(token, { avatar: null, displayName: null })).body.user;
    expect(none).toEqual({ i: alice.user!.i, n: "alice" });
    expect((await avatar(next.av!)).status).toBe(404);
  });

  it("tells a channel's members a newcomer's profile with its MemberJoined; a newcomer without one costs nothing", async () => {
    const host = await server.connect({ token: await server.register("hostess") });
    const { ch } = await host.createChannel("salon");
    const order: string[] = [];
    host.on("events", (c, events) => {
      if (c === ch.i) for (const e of events) order.push(`event:${e.t}:${e.an ?? ""}`);
    });
    host.on("userUpdated", (u) => order.push(`user:${u.n}:${u.dn ?? ""}`));
    const token = await server.register("painter");
    expect((await profile(token, { displayName: "The Painter" })).status).toBe(200);
    const painter = await server.connect({ token });
    await painter.joinChannel(ch.i);
    const plain = await server.connect({ token: await server.register("plainjoe") });
    await plain.joinChannel(ch.i);
    await until(() => order.length >= 3, 5000, "the joins and the profile");
    // A round trip lets any stray push arrive: the newcomer without a profile brings none.
    await host.history(ch.i);
    expect(order.sort()).toEqual([
      `event:${EventType.MemberJoined}:painter`,
      `event:${EventType.MemberJoined}:plainjoe`,
      "user:painter:The Painter",
    ]);
  });

  it("refuses guests, someone else's file, a file that is no image and bad fields", async () => {
    const token = await server.register("carol");
    const guest = await server.connect();
    const byGuest = await profile(guest.token!, { displayName: "Officially Staff" });
    expect([byGuest.status, byGuest.body.error.c]).toEqual([403, ERRORS.FORBIDDEN.code]);
    const daveToken = await server.register("dave");
    const daves = await upload(daveToken, "dave.png", await image("#33c"));
    const taken = await profile(token, { avatar: daves.id });
    expect([taken.status, taken.body.error.c]).toEqual([404, ERRORS.NO_SUCH_FILE.code]);
    const text = await upload(token, "notes.txt", "just words");
    const notImage = await profile(token, { avatar: text.id });
    expect([notImage.status, notImage.body.error.c]).toEqual([422, ERRORS.BAD_IMAGE.code]);
    for (const bad of [
      {},
      { displayName: "" },
      { displayName: "   " },
      { displayName: "two\nlines" },
      { displayName: "x".repeat(65) },
      { status: "y".repeat(101) },
      { avatar: "not-an-id" },
      { nickname: "c" },
    ]) {
      const res = await profile(token, bad);
      expect([JSON.stringify(bad), res.status]).toEqual([JSON.stringify(bad), 400]);
    }
    expect((await profile(undefined, { displayName: "Carol" })).status).toBe(401);
    expect((await avatar("../../parley.db")).status).toBe(404);
    expect((await avatar("A".repeat(22))).status).toBe(404);
  });

  it("takes a deleted account's profile and avatar with it", async () => {
    const root = await server.registerAdmin("root");
    const token = await server.register("erin");
    const file = await upload(token, "erin.png", await image("#999"));
    const set = (await profile(token, { displayName: "Erin", avatar: file.id })).body.user;
    const id = set.i as number;
    const deleted = await post(
      `${server.url}/api/v1/admin/users/${id}/delete`,
      { messages: "keep" },
      root,
    );
    expect(deleted.status).toBe(200);
    expect((await avatar(set.av)).status).toBe(404);
  });
});
