import { existsSync, readdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import type { ParleyClient } from "@parley/client";
import type { UploadReply } from "@parley/protocol";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, inHistory, posted, TestServer, until } from "./harness";

/** A PNG of `w` × `h` made by sharp (noise, so it does not compress to nothing). */
async function png(w: number, h: number): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: "#3a7" } })
    .png()
    .toBuffer();
}

/** A JPEG carrying a GPS position in its EXIF. */
async function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: "#a33" } })
    .jpeg()
    .withExif({
      IFD0: { Make: "Parley test camera" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 24/1" },
    })
    .toBuffer();
}

/** Every object in the server's disk store, sorted (temporary names too). */
function filesOnDisk(server: TestServer): string[] {
  const root = join(server.dir, "files");
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .flatMap((dir) => readdirSync(join(root, dir)))
    .sort();
}

/** A PNG's signature, header and end that claim `w` × `h` pixels, with almost no image data. */
function pngClaiming(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.alloc(64))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

async function upload(server: TestServer, token: string, body: Uint8Array | string, name: string) {
  const res = await fetch(`${server.url}/api/v1/files?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: body as unknown as BodyInit,
  });
  const json = (await res.json()) as UploadReply & { error?: { name: string } };
  return { status: res.status, body: json };
}

async function download(server: TestServer, token: string, path: string, headers = {}) {
  const res = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The error name of an HTTP error answer. */
async function errorOf(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { error?: { name: string } }).error?.name;
}

describe("files over HTTP", () => {
  let server: TestServer;
  let ownerToken: string;
  let memberToken: string;
  let strangerToken: string;
  let owner: ParleyClient;
  let member: ParleyClient;
  let channelId: number;

  beforeEach(async () => {
    server = await new TestServer({ PARLEY_UPLOAD_MAX_BYTES: String(1 << 20) }).start();
    ownerToken = await server.register("olga");
    memberToken = await server.register("mark");
    strangerToken = await server.register("sam");
    owner = await server.connect({ token: ownerToken });
    member = await server.connect({ token: memberToken });
    channelId = (await owner.createChannel("photos")).ch.i;
    await member.joinChannel(channelId);
  });
  afterEach(() => server.stop());

  /** Uploads as the owner and sends the file in the channel; resolves to the stored file. */
  async function attached(body: Uint8Array | string, name: string): Promise<UploadReply> {
    const { status, body: file } = await upload(server, ownerToken, body, name);
    expect(status).toBe(201);
    await owner.send(channelId, "", { files: [file.id] });
    return file;
  }

  it("stores a PNG with its dimensions and thumbnail, and a member fetches both", async () => {
    const image = await png(1200, 600);
    const events = collect(member, channelId);
    const { status, body: file } = await upload(
      server,
      ownerToken,
      image,
      "../../etc/sun\u0007.png",
    );
    expect(status).toBe(201);
    expect(file).toMatchObject({
      name: "sun.png",
      type: "image/png",
      w: 1200,
      h: 600,
      thumb: true,
    });
    const ack = await owner.send(channelId, "look", { files: [file.id] });
    await until(() => posted(events, ack.i) !== undefined);
    const ref = {
      i: file.id,
      n: "sun.png",
      sz: file.size,
      ty: "image/png",
      w: 1200,
      h: 600,
      th: true,
    };
    expect(posted(events, ack.i)?.f).toEqual([ref]);
    expect((await inHistory(member, channelId, ack.i))?.f).toEqual([ref]);

    const { res, bytes } = await download(server, memberToken, `/api/v1/files/${file.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(res.headers.get("content-disposition")).toMatch(/^inline; filename="sun.png"/);
    expect(res.headers.get("cache-control")).toMatch(/^private/);
    expect(bytes.length).toBe(file.size);
    expect(await sharp(bytes).metadata()).toMatchObject({
      format: "png",
      width: 1200,
      height: 600,
    });

    const thumb = await download(server, memberToken, `/api/v1/files/${file.id}/thumb`);
    expect(thumb.res.status).toBe(200);
    expect(await sharp(thumb.bytes).metadata()).toMatchObject({
      format: "webp",
      width: 400,
      height: 200,
    });
  });

  it("takes the type from the bytes: text named .png is text/plain, served as an attachment", async () => {
    const file = await attached("not an image, only words\n", "photo.png");
    expect(file).toMatchObject({ type: "text/plain", name: "photo.png" });
    expect(file.w).toBeUndefined();
    const { res, bytes } = await download(server, memberToken, `/api/v1/files/${file.id}`);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; /);
    expect(bytes.toString()).toBe("not an image, only words\n");
    const binary = await attached(new Uint8Array([0x68, 0x69, 0x00, 0xff]), "notes.txt");
    expect(binary.type).toBe("application/octet-stream");
  });

  it("strips the GPS position and the rest of a JPEG's EXIF from what it serves", async () => {
    const original = await jpegWithGps();
    expect((await sharp(original).metadata()).exif?.includes("Parley test camera")).toBe(true);
    const file = await attached(original, "where.jpg");
    const { bytes } = await download(server, memberToken, `/api/v1/files/${file.id}`);
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.exif).toBeUndefined();
    expect(bytes.includes(Buffer.from("Parley test camera"))).toBe(false);
    expect(bytes.includes(Buffer.from("GPS"))).toBe(false);
  });

  it("answers a non-member, a kicked and a banned member as for a file that does not exist", async () => {
    const file = await attached("secret plans", "plans.txt");
    const path = `/api/v1/files/${file.id}`;
    const missing = await download(server, strangerToken, "/api/v1/files/AAAAAAAAAAAAAAAAAAAAAA");
    expect(missing.res.status).toBe(404);
    const stranger = await download(server, strangerToken, path);
    expect([stranger.res.status, stranger.bytes.toString()]).toEqual([
      missing.res.status,
      missing.bytes.toString(),
    ]);
    expect((await download(server, memberToken, path)).res.status).toBe(200);
    await owner.command(channelId, "/kick @mark");
    expect((await download(server, memberToken, path)).res.status).toBe(404);
    await member.joinChannel(channelId);
    expect((await download(server, memberToken, path)).res.status).toBe(200);
    await owner.command(channelId, "/ban @mark");
    expect((await download(server, memberToken, path)).res.status).toBe(404);
    expect((await download(server, memberToken, `${path}/url`)).res.status).toBe(404);
  });

  it("serves a range with 206 and refuses one past the end with 416", async () => {
    const text = "0123456789".repeat(1000);
    const file = await attached(text, "digits.txt");
    const path = `/api/v1/files/${file.id}`;
    const part = await download(server, memberToken, path, { range: "bytes=5-14" });
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get("content-range")).toBe(`bytes 5-14/${text.length}`);
    expect(part.bytes.toString()).toBe(text.slice(5, 15));
    const tail = await download(server, memberToken, path, { range: "bytes=-3" });
    expect(tail.bytes.toString()).toBe("789");
    const past = await download(server, memberToken, path, { range: `bytes=${text.length}-` });
    expect(past.res.status).toBe(416);
    expect(past.res.headers.get("content-range")).toBe(`bytes */${text.length}`);
  });

  /** Streams 64 KiB chunks (up to 256 MiB) until the server answers; resolves to the answer. */
  function streamUntilAnswer(headers: Record<string, string>) {
    return new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
      let sent = 0;
      let done = false;
      const req = request(`${server.url}/api/v1/files?name=big.bin`, {
        method: "POST",
        headers: { authorization: `Bearer ${ownerToken}`, ...headers },
      });
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (!done && sent < 256 << 20) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once("drain", pump);
            return;
          }
        }
      };
      req.on("response", (res) => {
        done = true;
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body, sent });
          req.destroy();
        });
      });
      req.on("error", (err) => (done ? undefined : reject(err)));
      pump();
    });
  }

  it("refuses a file over the size limit with 413 without reading the rest of it", async () => {
    const answer = await streamUntilAnswer({ "transfer-encoding": "chunked" });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.name).toBe("FILE_TOO_LARGE");
    // The client got its answer long before it could send 256 MiB: the server stopped reading.
    expect(answer.sent).toBeLessThan(64 << 20);
    // A declared length over the limit is refused before a byte is read.
    const declared = await streamUntilAnswer({ "content-length": String(256 << 20) });
    expect(declared.status).toBe(413);
    expect(declared.sent).toBeLessThan(64 << 20);
  });

  it("refuses a decompression bomb and a broken image with BAD_IMAGE, keeping nothing of either", async () => {
    // A PNG of 80 bytes that claims 100,000 × 100,000 pixels (40 GB decoded).
    const bomb = pngClaiming(100_000, 100_000);
    expect(bomb.length).toBeLessThan(100);
    const refused = await upload(server, ownerToken, bomb, "bomb.png");
    expect(refused.status).toBe(422);
    expect(refused.body.error?.name).toBe("BAD_IMAGE");
    // A PNG of 64 × 64 whose image data is garbage (its signature and header intact).
    const broken = pngClaiming(64, 64);
    broken.fill(0x5a, 41, broken.length - 16);
    const garbled = await upload(server, ownerToken, broken, "broken.png");
    expect(garbled.status).toBe(422);
    expect(garbled.body.error?.name).toBe("BAD_IMAGE");
    // The server goes on, and the refused uploads took none of the quota or the store.
    const fine = await upload(server, ownerToken, await png(40, 30), "fine.png");
    expect(fine.status).toBe(201);
    expect(fine.body).toMatchObject({ w: 40, h: 30 });
    expect(filesOnDisk(server)).toEqual([fine.body.id, `${fine.body.id}.t`]);
  });

  it("refuses uploads past the quota of live files, and a guest's upload", async () => {
    await server.stop();
    server = await new TestServer({ PARLEY_UPLOAD_QUOTA_BYTES: "1000" }).start();
    const token = await server.register("quinn");
    expect((await upload(server, token, "x".repeat(600), "a.txt")).status).toBe(201);
    const over = await upload(server, token, "y".repeat(600), "b.txt");
    expect([over.status, over.body.error?.name]).toEqual([413, "UPLOAD_QUOTA"]);
    expect((await upload(server, token, "z".repeat(300), "c.txt")).status).toBe(201);
    const guest = await server.connect();
    const refused = await upload(server, guest.token!, "hello", "g.txt");
    expect([refused.status, refused.body.error?.name]).toEqual([403, "FORBIDDEN"]);
  });

  it("attaches only your own unattached uploads, and a message may be files alone", async () => {
    const mine = (await upload(server, ownerToken, "mine", "mine.txt")).body;
    const theirs = (await upload(server, memberToken, "theirs", "theirs.txt")).body;
    await expect(owner.send(channelId, "", { files: [theirs.id] })).rejects.toMatchObject({
      errorName: "NO_SUCH_FILE",
    });
    await expect(
      owner.send(channelId, "x", { files: ["AAAAAAAAAAAAAAAAAAAAAA"] }),
    ).rejects.toMatchObject({ errorName: "NO_SUCH_FILE" });
    const ack = await owner.send(channelId, "", { files: [mine.id] });
    expect((await inHistory(member, channelId, ack.i))?.x).toBe("");
    await expect(owner.send(channelId, "again", { files: [mine.id] })).rejects.toMatchObject({
      errorName: "FILE_ATTACHED",
    });
    // Of two sends of one file at once, one attaches it.
    const other = (await upload(server, ownerToken, "race", "race.txt")).body;
    const results = await Promise.allSettled([
      owner.send(channelId, "a", { files: [other.id] }),
      owner.send(channelId, "b", { files: [other.id] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    await expect(owner.send(channelId, "")).rejects.toMatchObject({ errorName: "INVALID_PAYLOAD" });
  });

  it("keeps the files through an edit and deletes them, bytes too, with the message", async () => {
    const file = (await upload(server, ownerToken, await png(50, 50), "dot.png")).body;
    const ack = await owner.send(channelId, "a dot", { files: [file.id] });
    await owner.editMessage(channelId, ack.i, 1, "a green dot");
    expect((await inHistory(member, channelId, ack.i))?.f?.[0]?.i).toBe(file.id);
    const onDisk = join(server.dir, "files", file.id.slice(0, 2), file.id);
    expect(existsSync(onDisk)).toBe(true);
    await owner.deleteMessage(channelId, ack.i);
    expect((await download(server, memberToken, `/api/v1/files/${file.id}`)).res.status).toBe(404);
    expect((await inHistory(member, channelId, ack.i))?.f).toBeUndefined();
    await until(() => !existsSync(onDisk) && !existsSync(`${onDisk}.t`), 10_000, "bytes deleted");
  });

  it("gives signed links that work without the header, and refuses forged and expired ones", async () => {
    const file = await attached(await png(20, 10), "tiny.png");
    const link = await member.fileLink(file.id);
    expect(link.thumb).toBeDefined();
    const plain = await fetch(link.url);
    expect(plain.status).toBe(200);
    expect((await fetch(link.thumb!)).status).toBe(200);
    const forged = link.url.replace(/s=[^&]+/, "s=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect((await fetch(forged)).status).toBe(404);
    const longer = link.url.replace(/e=\d+/, `e=${link.exp + 3_600_000}`);
    expect((await fetch(longer)).status).toBe(404);
    // A link for the file is not one for the thumbnail.
    expect((await fetch(link.url.replace("?", "/thumb?"))).status).toBe(404);
    await owner.command(channelId, "/kick @mark");
    expect((await fetch(link.url)).status).toBe(404);
  });
});

describe("files over HTTP, with a clock", () => {
  let server: TestServer;
  let clock = Date.now();
  afterEach(() => server.stop());

  it("refuses an expired link with FILE_LINK_EXPIRED, and sweeps an upload never attached", async () => {
    clock = Date.now();
    let sweeps = 0;
    server = await new TestServer(
      { PARLEY_UPLOAD_ORPHAN_MINUTES: "60", PARLEY_FILE_LINK_SECONDS: "60" },
      { fileSweep: { now: () => clock, intervalMs: 20, onSwept: () => sweeps++ } },
    ).start();
    const token = await server.register("otto");
    const client = await server.connect({ token });
    const { ch } = await client.createChannel("old");
    const kept = (await upload(server, token, "kept", "kept.txt")).body;
    const orphan = (await upload(server, token, "orphan", "orphan.txt")).body;
    await client.send(ch.i, "keep", { files: [kept.id] });
    const link = await client.fileLink(kept.id);
    clock += 61_000;
    const expired = await fetch(link.url);
    expect([expired.status, await errorOf(expired)]).toEqual([403, "FILE_LINK_EXPIRED"]);

    const orphanPath = join(server.dir, "files", orphan.id.slice(0, 2), orphan.id);
    expect(existsSync(orphanPath)).toBe(true);
    clock += 60 * 60_000;
    const from = sweeps;
    await until(() => sweeps > from + 1 && !existsSync(orphanPath), 10_000, "the orphan swept");
    expect((await download(server, token, `/api/v1/files/${orphan.id}`)).res.status).toBe(404);
    expect((await download(server, token, `/api/v1/files/${kept.id}`)).res.status).toBe(200);
    const late = await client.send(ch.i, "too late", { files: [orphan.id] }).catch((e) => e);
    expect(late).toMatchObject({ errorName: "NO_SUCH_FILE" });
  });
});
