import { EventType, type MessageEvent, type UploadReply } from "@parley/protocol";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestCluster } from "./cluster";
import { collect, until } from "./harness";
import { describeWith } from "./services";

describeWith(["postgres", "redis"], "files on a cluster of two nodes", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start(2);
  }, 120_000);
  afterAll(() => cluster?.stop(), 120_000);

  it("serves a file uploaded on node 1 from node 2, and stops when the message is deleted", async () => {
    const [first, second] = cluster.nodes;
    const aliceToken = await cluster.register("alice");
    const bobToken = await cluster.register("bob");
    const alice = await cluster.connect(first!, aliceToken);
    const bob = await cluster.connect(second!, bobToken);
    const { ch } = await alice.createChannel("shared");
    await bob.joinChannel(ch.i);
    const image = await sharp({
      create: { width: 640, height: 480, channels: 3, background: "#09c" },
    })
      .png()
      .toBuffer();
    const res = await fetch(`${first!.url}/api/v1/files?name=wide.png`, {
      method: "POST",
      headers: { authorization: `Bearer ${aliceToken}` },
      body: image as unknown as BodyInit,
    });
    expect(res.status).toBe(201);
    const file = (await res.json()) as UploadReply;
    const seen = collect(bob, ch.i);
    const { i } = await alice.send(ch.i, "across", { files: [file.id] });
    await until(() => seen.some((e) => e.t === EventType.MessagePosted && e.i === i));
    const event = seen.find((e) => e.t === EventType.MessagePosted && e.i === i) as MessageEvent;
    expect(event.f).toMatchObject([{ i: file.id, ty: "image/png", w: 640, h: 480, th: true }]);

    const fetched = await fetch(`${second!.url}/api/v1/files/${file.id}`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    expect(fetched.status).toBe(200);
    expect(Number(fetched.headers.get("content-length"))).toBe(file.size);
    expect(await sharp(Buffer.from(await fetched.arrayBuffer())).metadata()).toMatchObject({
      width: 640,
      height: 480,
    });
    const thumb = await fetch(`${second!.url}/api/v1/files/${file.id}/thumb`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    expect(thumb.status).toBe(200);
    await alice.deleteMessage(ch.i, i);
    const gone = await fetch(`${second!.url}/api/v1/files/${file.id}`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    expect(gone.status).toBe(404);
  }, 60_000);
});
