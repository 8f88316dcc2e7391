import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EventType, type LinkPreviewsEvent, type MessageEvent } from "@parley/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ClusterNode, TestCluster } from "./cluster";
import { collect, until } from "./harness";
import { describeWith } from "./services";

describeWith(["postgres", "redis"], "link previews on a cluster of two nodes", () => {
  let cluster: TestCluster;
  let nodes: ClusterNode[];
  let page: Server;
  let host: string;
  let hits = 0;

  beforeAll(async () => {
    page = createServer((_req, res) => {
      hits++;
      res.setHeader("Content-Type", "text/html");
      res.end(
        `<head><title>Shared page</title><meta name="description" content="Seen by all"></head>`,
      );
    });
    await new Promise<void>((r) => page.listen(0, "127.0.0.1", r));
    host = `127.0.0.1:${(page.address() as AddressInfo).port}`;
    cluster = await TestCluster.start(2, {
      PARLEY_RATE_LIMITS: "register=50/10",
      PARLEY_LINK_PREVIEWS: "on",
      PARLEY_LINK_PREVIEW_LOCAL_ORIGINS: host,
    });
    nodes = cluster.nodes;
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    page?.closeAllConnections();
    await new Promise<void>((r) => (page ? page.close(() => r()) : r()));
  }, 120_000);

  it("makes the preview once, on the node that stored the message, live and in history on the other", async () => {
    const token = await cluster.register("poster");
    const author = await cluster.connect(nodes[0]!, token);
    const { ch } = await author.createChannel("shared-links");
    const reader = await cluster.connect(nodes[1]!, await cluster.register("viewer"));
    await reader.joinChannel(ch.i);
    const seen = collect(reader, ch.i);
    const sent = await author.send(ch.i, `http://${host}/a`);
    await until(
      () => seen.some((e) => e.t === EventType.LinkPreviewsChanged),
      15_000,
      "the preview on the other node",
    );
    const event = seen.find((e) => e.t === EventType.LinkPreviewsChanged) as LinkPreviewsEvent;
    expect(event).toMatchObject({
      m: sent.i,
      lp: [{ u: `http://${host}/a`, t: "Shared page", d: "Seen by all" }],
    });
    expect(hits).toBe(1);
    const history = await reader.history(ch.i);
    const m = history.e.find(
      (e) => e.t === EventType.MessagePosted && e.i === sent.i,
    ) as MessageEvent;
    expect(m.lp).toEqual(event.lp);
    // Removal on the other node, by the author, reaches the first node's members too.
    const seenByAuthor = collect(author, ch.i);
    const authorOnB = await cluster.connect(nodes[1]!, token);
    await authorOnB.removeLinkPreview(ch.i, sent.i);
    await until(
      () => seenByAuthor.some((e) => e.t === EventType.LinkPreviewsChanged),
      15_000,
      "the removal on the first node",
    );
    await expect(reader.removeLinkPreview(ch.i, sent.i)).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
  }, 60_000);
});
