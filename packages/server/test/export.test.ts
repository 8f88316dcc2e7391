import { ERRORS, type UploadReply } from "@parley/protocol";
import { strFromU8, unzipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestServer } from "./harness";

/** Downloads an export; resolves to its status, headers and, for a zip, its entries. */
async function download(server: TestServer, path: string, token?: string) {
  const res = await fetch(`${server.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const zip = res.headers.get("content-type") === "application/zip";
  const entries = zip ? unzipSync(bytes) : {};
  return {
    status: res.status,
    headers: res.headers,
    entries,
    // biome-ignore lint/suspicious/noExplicitAny: the tests read JSON entries of many shapes
    json: (name: string): any => JSON.parse(strFromU8(entries[name]!)),
    // biome-ignore lint/suspicious/noExplicitAny: an error answer
    error: (zip ? undefined : JSON.parse(strFromU8(bytes))) as any,
  };
}

async function upload(server: TestServer, token: string, name: string, body: string) {
  const res = await fetch(`${server.url}/api/v1/files?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as UploadReply;
}

describe("data exports", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(async () => {
    await server.stop();
  });

  it("gives a user their own profile, channels, live messages and uploads, and nobody else's", async () => {
    const aliceToken = await server.register("alice");
    const alice = await server.connect({ token: aliceToken });
    const bob = await server.connect({ token: await server.register("bob") });
    const { ch } = await alice.createChannel("garden");
    await bob.joinChannel(ch.i);
    const file = await upload(server, aliceToken, "../../notes.txt", "seed list: kale, chard");
    await alice.send(ch.i, "planting today", { files: [file.id] });
    const gone = await alice.send(ch.i, "a typo");
    await alice.deleteMessage(ch.i, gone.i);
    await bob.send(ch.i, "bob's own words");
    const dm = await alice.openDm(["bob"]);
    await alice.send(dm.ch.i, "just between us");
    const unattached = await upload(server, aliceToken, "draft.txt", "not sent yet");

    const got = await download(server, "/api/v1/export", aliceToken);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-disposition")).toMatch(
      /^attachment; filename="parley-alice-\d{4}-\d\d-\d\d\.zip"$/,
    );
    expect(got.headers.get("cache-control")).toBe("no-store");
    const names = Object.keys(got.entries).sort();
    expect(names).toEqual(
      [
        "files.json",
        "messages.json",
        "profile.json",
        `files/${file.id}-notes.txt`,
        `files/${unattached.id}-draft.txt`,
      ].sort(),
    );
    // No entry could write outside the folder the archive is unpacked into.
    for (const name of names) expect(name).not.toMatch(/(^|\/)\.\.(\/|$)|^\/|\\/);
    const profile = got.json("profile.json");
    expect(profile.user).toMatchObject({ id: alice.user!.i, username: "alice", guest: false });
    expect(profile.channels).toEqual(
      expect.arrayContaining([
        { id: ch.i, kind: "channel", name: "garden", role: "owner" },
        { id: dm.ch.i, kind: "direct", with: ["bob"] },
      ]),
    );
    const messages = got.json("messages.json");
    expect(messages.map((m: { content: string }) => m.content).sort()).toEqual([
      "just between us",
      "planting today",
    ]);
    expect(messages.find((m: { content: string }) => m.content === "planting today")).toMatchObject(
      { channel: { id: ch.i, name: "garden" }, seq: expect.any(Number), at: expect.any(Number) },
    );
    const files = got.json("files.json");
    expect(files).toHaveLength(2);
    const listed = files.find((f: { id: string }) => f.id === file.id);
    expect(listed).toMatchObject({ size: 22, path: `files/${file.id}-notes.txt` });
    expect(strFromU8(got.entries[listed.path]!)).toBe("seed list: kale, chard");

    // Bob's export holds none of Alice's words or files.
    const bobs = await download(server, "/api/v1/export", bob.token!);
    const text = Object.values(bobs.entries)
      .map((b) => strFromU8(b))
      .join("\n");
    expect(text).toContain("bob's own words");
    expect(text).not.toMatch(/planting today|just between us|seed list|not sent yet/);

    const anonymous = await download(server, "/api/v1/export");
    expect([anonymous.status, anonymous.error.error.c]).toEqual([401, ERRORS.UNAUTHENTICATED.code]);
  });

  it("gives an admin a channel's members, messages and files, audited; never a DM, and only to admins", async () => {
    const root = await server.registerAdmin("root");
    const ownerToken = await server.register("olga");
    const owner = await server.connect({ token: ownerToken });
    const member = await server.connect({ token: await server.register("milo") });
    const { ch } = await owner.createChannel("archive-me", "old times");
    await member.joinChannel(ch.i);
    const photo = await upload(server, ownerToken, "plan.txt", "the plan");
    const first = await owner.send(ch.i, "first draft", { files: [photo.id] });
    await owner.editMessage(ch.i, first.i, 1, "first, edited");
    await member.react(ch.i, first.i, "👍");
    await member.reply(ch.i, first.i, "agreed");
    const removed = await member.send(ch.i, "oops");
    await member.deleteMessage(ch.i, removed.i);

    const got = await download(server, `/api/v1/admin/channels/${ch.i}/export`, root);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-disposition")).toMatch(/filename="parley-archive-me-/);
    const channel = got.json("channel.json");
    expect(channel.channel).toMatchObject({ id: ch.i, name: "archive-me", topic: "old times" });
    expect(channel.members).toEqual([
      expect.objectContaining({ username: "olga", role: "owner" }),
      expect.objectContaining({ username: "milo", role: "member" }),
    ]);
    const messages = got.json("messages.json");
    expect(messages).toEqual([
      expect.objectContaining({
        id: first.i,
        author: { id: owner.user!.i, username: "olga" },
        content: "first, edited",
        version: 2,
        reactions: [{ emoji: "👍", users: ["milo"] }],
        files: [{ id: photo.id, name: "plan.txt", path: `files/${photo.id}-plan.txt` }],
      }),
      expect.objectContaining({ content: "agreed", replyTo: { id: first.i, seq: first.s } }),
    ]);
    expect(strFromU8(got.entries[`files/${photo.id}-plan.txt`]!)).toBe("the plan");
    expect(got.json("files.json")).toEqual([
      {
        id: photo.id,
        name: "plan.txt",
        type: "text/plain",
        size: 8,
        path: `files/${photo.id}-plan.txt`,
      },
    ]);

    const audit = await fetch(`${server.url}/api/v1/admin/audit?action=channelexport`, {
      headers: { authorization: `Bearer ${root}` },
    });
    expect((await audit.json()).entries).toMatchObject([
      { action: "channelexport", target: { kind: "channel", id: ch.i, username: "archive-me" } },
    ]);

    const dm = await owner.openDm(["milo"]);
    const direct = await download(server, `/api/v1/admin/channels/${dm.ch.i}/export`, root);
    expect([direct.status, direct.error.error.c]).toEqual([404, ERRORS.NO_SUCH_CHANNEL.code]);
    const refused = await download(server, `/api/v1/admin/channels/${ch.i}/export`, ownerToken);
    expect([refused.status, refused.error.error.c]).toEqual([403, ERRORS.FORBIDDEN.code]);
  });
});
