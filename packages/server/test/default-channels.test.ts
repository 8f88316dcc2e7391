import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "./harness";

describe("default channels", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("are created at start, once, and every new user, guest or account, is a member", async () => {
    server = await new TestServer({ PARLEY_DEFAULT_CHANNELS: "general, Random" }).start();
    const guest = await server.connect();
    expect(guest.welcome!.ch.map((c) => c.n)).toEqual(["general", "Random"]);
    const account = await server.connect({ token: await server.register("alice") });
    expect(account.welcome!.ch.map((c) => c.n)).toEqual(["general", "Random"]);
    const general = guest.welcome!.ch[0]!;
    // Both joins are stored events that the members see.
    const info = await account.channelInfo(general.i);
    expect(info.m!.map((m) => m.i).sort()).toEqual([guest.user!.i, account.user!.i].sort());
    expect(info.ch.mc).toBe(2);

    // A restart on the same database creates nothing new.
    await server.restart();
    const later = await server.connect();
    const listed = (await later.listChannels()).ch.map((c) => c.n);
    expect(listed.sort()).toEqual(["Random", "general"]);
    expect(later.welcome!.ch.map((c) => c.i)).toEqual(guest.welcome!.ch.map((c) => c.i));
  });

  it("are none when the setting is empty", async () => {
    server = await new TestServer({ PARLEY_DEFAULT_CHANNELS: "" }).start();
    const guest = await server.connect();
    expect(guest.welcome!.ch).toEqual([]);
    expect((await guest.listChannels()).ch).toEqual([]);
  });

  it("a full default channel is skipped: the user is still created", async () => {
    server = await new TestServer({
      PARLEY_DEFAULT_CHANNELS: "small,other",
      PARLEY_MAX_MEMBERS_PER_CHANNEL: "1",
    }).start();
    const first = await server.connect();
    expect(first.welcome!.ch.map((c) => c.n)).toEqual(["small", "other"]);
    const second = await server.connect();
    expect(second.user).toBeDefined();
    expect(second.welcome!.ch).toEqual([]);
  });
});
