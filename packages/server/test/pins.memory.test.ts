import { EventType, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { collect, until } from "./harness";
import { MemoryNode } from "./memory-node";

/** Pins end to end on a real node through in-memory sockets. */
describe("pins (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  /** A channel owned by an account, with a moderator and a member (accounts) and a guest. */
  async function moderated() {
    m = await MemoryNode.start();
    const [owner, mod, mary, root] = await Promise.all(
      ["olga", "mike", "mary", "root"].map(async (n) =>
        m.connect({ token: await (n === "root" ? m.registerAdmin(n) : m.register(n)) }),
      ),
    );
    const { ch } = await owner!.createChannel("pins");
    await mod!.joinChannel(ch.i);
    await mary!.joinChannel(ch.i);
    await owner!.command(ch.i, "/mod @mike");
    return { owner: owner!, mod: mod!, mary: mary!, root: root!, c: ch.i };
  }

  it("lets a moderator pin live for everyone, lists the pins and unpins by command", async () => {
    const { owner, mod, mary, c } = await moderated();
    const seen = collect(mary, c);
    const first = await mary.send(c, "worth keeping");
    const second = await owner.send(c, "also this");
    await mod.pinMessage(c, first.i);
    await owner.command(c, `/pin ${second.i}`);
    await until(() => seen.filter((e) => e.t === EventType.MessagePinned).length === 2);
    expect(seen.filter((e) => e.t === EventType.MessagePinned)).toMatchObject([
      { m: first.i, a: expect.any(Number), an: "mike" },
      { m: second.i, an: "olga" },
    ]);
    const { e } = await mary.pinnedMessages(c);
    expect(e.map((x) => [x.i, x.pn?.un])).toEqual([
      [second.i, "olga"],
      [first.i, "mike"],
    ]);
    await mod.command(c, `/unpin ${second.i}`);
    await until(() => seen.some((e) => e.t === EventType.MessageUnpinned));
    expect((await mary.pinnedMessages(c)).e.map((x) => x.i)).toEqual([first.i]);
    const page = await mary.history(c, { limit: 100 });
    const posted = page.e.find((x) => x.t === EventType.MessagePosted && x.i === first.i);
    expect(posted).toMatchObject({ pn: { un: "mike" } });
  });

  it("refuses pins to members and guests, and the pin list to non-members; lets an admin pin anywhere", async () => {
    const { owner, mary, root, c } = await moderated();
    const sent = await owner.send(c, "pin me");
    await expect(mary.pinMessage(c, sent.i)).rejects.toMatchObject({ errorName: "FORBIDDEN" });
    await expect(mary.command(c, `/pin ${sent.i}`)).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    const guest = await m.connect();
    await guest.joinChannel(c);
    await expect(guest.pinMessage(c, sent.i)).rejects.toMatchObject({ errorName: "FORBIDDEN" });
    const outsider = await m.connect();
    await expect(outsider.pinnedMessages(c)).rejects.toMatchObject({ errorName: "NOT_A_MEMBER" });
    await expect(outsider.pinMessage(c, sent.i)).rejects.toMatchObject({
      errorName: "NOT_A_MEMBER",
    });
    expect((await owner.pinnedMessages(c)).e).toEqual([]);
    // A server admin who is not a member may still pin (as moderators act everywhere).
    await root.pinMessage(c, sent.i);
    expect((await owner.pinnedMessages(c)).e.map((x) => x.i)).toEqual([sent.i]);
  });

  it("answers a bad /pin with its usage, and a missing or deleted message with NO_SUCH_MESSAGE", async () => {
    const { owner, c } = await moderated();
    await expect(owner.command(c, "/pin")).rejects.toMatchObject({ errorName: "BAD_COMMAND" });
    await expect(owner.command(c, "/pin soon")).rejects.toMatchObject({ errorName: "BAD_COMMAND" });
    await expect(owner.pinMessage(c, 999_999)).rejects.toMatchObject({
      errorName: "NO_SUCH_MESSAGE",
    });
    const sent = await owner.send(c, "gone soon");
    await owner.pinMessage(c, sent.i);
    await owner.deleteMessage(c, sent.i);
    expect((await owner.pinnedMessages(c)).e).toEqual([]);
    await expect(owner.pinMessage(c, sent.i)).rejects.toMatchObject({
      errorName: "NO_SUCH_MESSAGE",
    });
  });

  it("replays pins and unpins made while a client was away", async () => {
    const { owner, c } = await moderated();
    const sent = await owner.send(c, "read this");
    const tk = await m.register("away");
    const away = await m.raw();
    await away.request(Op.Hello, { tk });
    const join = await away.request(Op.ChannelJoin, { c });
    const seen = (join.d as { ch: { ls: number } }).ch.ls;
    away.close();
    await owner.pinMessage(c, sent.i);
    await owner.pinMessage(c, sent.i, false);
    const back = await m.raw();
    await back.request(Op.Hello, { tk, ls: { [c]: seen } });
    await back.waitFor((f) => f.o === Op.ReplayDone);
    const replayed = back.frames
      .filter((f) => f.o === Op.Events)
      .flatMap((f) => (f.d as { e: { t: number; m?: number }[] }).e);
    expect(replayed).toMatchObject([
      { t: EventType.MessagePinned, m: sent.i },
      { t: EventType.MessageUnpinned, m: sent.i },
    ]);
  });
});
