import { ERRORS, LIMITS, type Member } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryNode } from "./memory-node";

/** Big channels' member lists: the first page in a join's reply, the rest through MemberList. */
describe("member pages (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  it("lists the first page of a big channel in the join's reply and pages through the rest with MemberList, each member once, in name order", async () => {
    m = await MemoryNode.start();
    const owner = await m.connect({ token: await m.register("owner") });
    const { ch } = await owner.createChannel("crowd");
    const total = LIMITS.memberPage + 30;
    // Members who are not connected: guests made and joined by the services (a connection each
    // would wait on the rate limits of one address).
    const { auth, channels } = m.node.services;
    for (let i = 1; i < total; i++) {
      const { user } = await auth.createGuest();
      await channels.join({ id: user.id, name: user.username, isGuest: true }, ch.i);
    }
    const late = await m.connect();
    const joined = await late.joinChannel(ch.i);
    expect(joined.m).toHaveLength(LIMITS.memberPage);
    expect(joined.mm).toBe(true);
    expect(joined.ch.mc).toBe(total + 1);
    const seen: Member[] = [...joined.m];
    let more = joined.mm === true;
    while (more) {
      const page = await late.memberList(ch.i, { after: seen.at(-1)!.n });
      seen.push(...page.m);
      more = page.mm === true;
    }
    expect(seen).toHaveLength(total + 1);
    expect(new Set(seen.map((x) => x.i)).size).toBe(total + 1);
    const keys = seen.map((x) => x.n.toLowerCase());
    expect(keys).toEqual([...keys].sort());
    expect(seen.find((x) => x.n === "owner")).toMatchObject({ rl: 3, on: true });
    // By prefix, as a mention's completion asks.
    const found = await late.memberList(ch.i, { prefix: "OWN" });
    expect(found.m.map((x) => x.n)).toEqual(["owner"]);
    expect(found.mm).toBeUndefined();
    // A small page, and ChannelInfo's list, the same way.
    const two = await late.memberList(ch.i, { limit: 2 });
    expect(two.m.map((x) => x.n)).toEqual(seen.slice(0, 2).map((x) => x.n));
    expect(two.mm).toBe(true);
    const info = await late.channelInfo(ch.i);
    expect(info.m).toHaveLength(LIMITS.memberPage);
    expect(info.mm).toBe(true);
  });

  it("lists a small channel whole, and refuses strangers and bad pages", async () => {
    m = await MemoryNode.start();
    const owner = await m.connect({ token: await m.register("hostess") });
    const { ch } = await owner.createChannel("nook");
    const joined = await owner.joinChannel(ch.i);
    expect(joined.m.map((x) => x.n)).toEqual(["hostess"]);
    expect(joined.mm).toBeUndefined();
    const stranger = await m.connect({ token: await m.register("stranger") });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 0,
        (err: { code: number }) => err.code,
      );
    expect(await code(stranger.memberList(ch.i))).toBe(ERRORS.NOT_A_MEMBER.code);
    expect(await code(owner.memberList(ch.i, { limit: LIMITS.memberPage + 1 }))).toBe(
      ERRORS.INVALID_PAYLOAD.code,
    );
    expect(await code(owner.memberList(ch.i, { prefix: "" }))).toBe(ERRORS.INVALID_PAYLOAD.code);
    expect(await code(owner.memberList(999_999))).toBe(ERRORS.NO_SUCH_CHANNEL.code);
  });
});
