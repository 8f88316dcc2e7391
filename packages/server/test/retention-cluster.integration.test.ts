import { EventType } from "@parley/protocol";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestCluster } from "./cluster";
import { collect, until } from "./harness";
import { describeWith } from "./services";

describeWith(["postgres", "redis"], "retention on a cluster", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start(1, {
      PARLEY_RETENTION_DAYS: "1",
      PARLEY_RATE_LIMITS: "send=1000/1000",
    });
  }, 120_000);
  afterAll(() => cluster?.stop(), 120_000);

  it("deletes each expired message once when two nodes start sweeping at the same time, live on the first", async () => {
    const [first] = cluster.nodes;
    const token = await cluster.register("ancient");
    const client = await cluster.connect(first!, token);
    const { ch } = await client.createChannel("old-times");
    const ids: number[] = [];
    for (let i = 0; i < 250; i++) ids.push((await client.send(ch.i, `old ${i} fossilised`)).i);
    const seen = collect(client, ch.i);
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      // Two days old, as if sent then; then two more nodes start, each sweeping at once.
      await db.query("update messages set created_at = created_at - $1 where channel_id = $2", [
        2 * 86_400_000,
        ch.i,
      ]);
      await Promise.all([cluster.addNode(), cluster.addNode()]);
      await until(
        () => seen.filter((e) => e.t === EventType.MessageDeleted).length === ids.length,
        30_000,
        "every deletion, live on node 1",
      );
      const per = await db.query(
        "select message_id, count(*) as n from events where channel_id = $1 and type = $2 group by message_id",
        [ch.i, EventType.MessageDeleted],
      );
      expect(per.rows).toHaveLength(ids.length);
      expect(per.rows.every((r) => Number(r.n) === 1)).toBe(true);
      const live = await db.query(
        "select count(*) as n from messages where channel_id = $1 and (deleted_at is null or content <> '')",
        [ch.i],
      );
      expect(Number(live.rows[0].n)).toBe(0);
      // Seqs stay gap-free: the events of the channel are 1..last.
      const seqs = await db.query(
        "select min(seq) as lo, max(seq) as hi, count(*) as n from events where channel_id = $1",
        [ch.i],
      );
      expect(Number(seqs.rows[0].n)).toBe(Number(seqs.rows[0].hi));
    } finally {
      await db.end();
    }
  }, 90_000);
});
