import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ParleyClient } from "@parley/client";
import { EventType, type LinkPreviewsEvent, type MessageEvent } from "@parley/protocol";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { collect, TestServer, until } from "./harness";

let page: Server;
let host: string;
let hits = 0;

beforeAll(async () => {
  const image = await sharp({
    create: { width: 800, height: 400, channels: 3, background: "#38c" },
  })
    .png()
    .toBuffer();
  page = createServer((req, res) => {
    hits++;
    if (req.url === "/article") {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(`<!doctype html><html><head>
        <meta property="og:title" content="Tides &amp; &lt;moons&gt;">
        <meta property="og:description" content="Why the sea rises">
        <meta property="og:site_name" content="Local News">
        <meta property="og:image" content="/tide.png">
        </head><body>…</body></html>`);
    } else if (req.url === "/tide.png") {
      res.setHeader("Content-Type", "image/png");
      res.end(image);
    } else if (req.url === "/to-metadata") {
      res.statusCode = 302;
      res.setHeader("Location", "http://169.254.169.254/latest/meta-data/");
      res.end();
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => page.listen(0, "127.0.0.1", r));
  host = `127.0.0.1:${(page.address() as AddressInfo).port}`;
});

afterAll(async () => {
  page.closeAllConnections();
  await new Promise<void>((r) => page.close(() => r()));
});

describe("link previews", () => {
  let server: TestServer;
  let alice: ParleyClient;
  let bob: ParleyClient;
  let carol: ParleyClient;
  let c: number;
  let bobToken: string;

  async function start(env: Record<string, string> = {}) {
    server = await new TestServer({
      PARLEY_LINK_PREVIEWS: "on",
      PARLEY_LINK_PREVIEW_LOCAL_ORIGINS: host,
      ...env,
    }).start();
    [alice, bob, carol] = (await Promise.all(
      ["alice", "bob", "carol"].map(async (n) =>
        server.connect({ token: await server.register(n) }),
      ),
    )) as [ParleyClient, ParleyClient, ParleyClient];
    bobToken = await server.register("bob2");
    const bob2 = await server.connect({ token: bobToken });
    c = (await alice.createChannel("news")).ch.i;
    await bob2.joinChannel(c);
    await bob.joinChannel(c);
    await carol.joinChannel(c);
  }
  afterEach(() => server.stop());

  it("attaches a preview as a later event, seen live, in history and with its image served by Parley", async () => {
    await start();
    const seen = collect(bob, c);
    const sent = await alice.send(c, `read http://${host}/article please`);
    await until(() => seen.some((e) => e.t === EventType.LinkPreviewsChanged));
    const event = seen.find((e) => e.t === EventType.LinkPreviewsChanged) as LinkPreviewsEvent;
    expect(event.s).toBeGreaterThan(sent.s);
    expect(event).toMatchObject({
      m: sent.i,
      an: "alice",
      lp: [
        {
          u: `http://${host}/article`,
          t: "Tides & <moons>",
          d: "Why the sea rises",
          s: "Local News",
          im: { w: 400, h: 200 },
        },
      ],
    });
    const page = await bob.history(c, { limit: 50 });
    const message = page.e.find(
      (e) => e.t === EventType.MessagePosted && e.i === sent.i,
    ) as MessageEvent;
    expect(message.lp).toEqual(event.lp);
    // The image is a file of the channel, served by Parley to members only.
    const id = event.lp[0]!.im!.i;
    const member = await fetch(`${server.url}/api/v1/files/${id}`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    expect(member.status).toBe(200);
    expect(member.headers.get("content-type")).toContain("image/webp");
    const res = await fetch(`${server.url}/api/v1/files/${id}`, {
      headers: { authorization: `Bearer ${await server.register("dave")}` },
    });
    expect(res.status).toBe(404);
  });

  it("lets the author remove a preview and refuses other members", async () => {
    await start();
    const seen = collect(bob, c);
    const sent = await alice.send(c, `http://${host}/article`);
    await until(() => seen.some((e) => e.t === EventType.LinkPreviewsChanged));
    await expect(carol.removeLinkPreview(c, sent.i)).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    await alice.removeLinkPreview(c, sent.i, `http://${host}/article`);
    await until(() => seen.filter((e) => e.t === EventType.LinkPreviewsChanged).length === 2);
    expect(seen.filter((e) => e.t === EventType.LinkPreviewsChanged).at(-1)).toMatchObject({
      lp: [],
    });
    const page = await bob.history(c, { limit: 50 });
    const message = page.e.find(
      (e) => e.t === EventType.MessagePosted && e.i === sent.i,
    ) as MessageEvent;
    expect(message.lp).toBeUndefined();
  });

  it("makes no preview of a redirect to the metadata address, nor of a page outside the local origins", async () => {
    await start();
    const seen = collect(bob, c);
    const port = (page.address() as AddressInfo).port;
    await alice.send(c, `http://${host}/to-metadata http://127.0.0.2:${port}/article`);
    const marker = await alice.send(c, `http://${host}/article`);
    await until(() => seen.some((e) => e.t === EventType.LinkPreviewsChanged));
    const previews = seen.filter(
      (e) => e.t === EventType.LinkPreviewsChanged,
    ) as LinkPreviewsEvent[];
    expect(previews.map((e) => e.m)).toEqual([marker.i]);
  });

  it("makes new previews after an edit that changes the links, and clears them when the links go", async () => {
    await start();
    const seen = collect(bob, c);
    const changes = () =>
      seen.filter((e) => e.t === EventType.LinkPreviewsChanged) as LinkPreviewsEvent[];
    const sent = await alice.send(c, "no link yet");
    await alice.editMessage(c, sent.i, 1, `now http://${host}/article`);
    await until(() => changes().length === 1);
    expect(changes()[0]).toMatchObject({ m: sent.i, lp: [{ t: "Tides & <moons>" }] });
    await alice.editMessage(c, sent.i, 2, "link gone");
    await until(() => changes().length === 2);
    expect(changes()[1]).toMatchObject({ m: sent.i, lp: [] });
    const page = await bob.history(c, { limit: 50 });
    const message = page.e.find(
      (e) => e.t === EventType.MessagePosted && e.i === sent.i,
    ) as MessageEvent;
    expect(message.lp).toBeUndefined();
  });

  it("sends the ack before any fetch and fetches nothing when off", async () => {
    await start({ PARLEY_LINK_PREVIEWS: "off" });
    const before = hits;
    await alice.send(c, `http://${host}/article`);
    const later = await alice.send(c, "after");
    expect(later.s).toBeGreaterThan(0);
    expect(hits).toBe(before);
  });
});
