import { MemberState, type ParleyClient } from "@parley/client";
import { EventType, type UserRef } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { collect, post, TestServer, until } from "./harness";

/** Every UserUpdated a client receives. */
function updates(client: ParleyClient): UserRef[] {
  const seen: UserRef[] = [];
  client.on("userUpdated", (u) => seen.push(u));
  return seen;
}

const register = (server: TestServer, token: string | undefined, body: Record<string, string>) =>
  post(`${server.url}/api/v1/auth/register`, body, token);

describe("user changes", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("a guest who registers under a new name is shown so, live, to every member it shares a channel with", async () => {
    server = await new TestServer().start();
    const alice = await server.connect({ token: await server.register("alice") });
    const guest = await server.connect();
    const { ch: one } = await alice.createChannel("one");
    const { ch: two } = await alice.createChannel("two");
    await guest.joinChannel(one.i);
    await guest.joinChannel(two.i);
    const members = new MemberState(alice);
    members.seed(one.i, (await alice.channelInfo(one.i)).m!);
    members.seed(two.i, (await alice.channelInfo(two.i)).m!);
    expect(members.get(one.i, guest.user!.i)).toMatchObject({ g: true });
    const seen = updates(alice);
    const own = updates(guest);

    const up = await register(server, guest.token, { password: "a-new-member", username: "gina" });
    expect(up).toMatchObject({ status: 200, body: { user: { i: guest.user!.i, n: "gina" } } });

    await until(() => seen.length > 0 && own.length > 0, 5000, "UserUpdated");
    // Shared through two channels, told once.
    expect(seen).toEqual([{ i: guest.user!.i, n: "gina" }]);
    expect(own).toEqual([{ i: guest.user!.i, n: "gina" }]);
    for (const c of [one.i, two.i]) {
      expect(members.get(c, guest.user!.i)).toMatchObject({ n: "gina" });
      expect(members.get(c, guest.user!.i)).not.toHaveProperty("g");
    }
    expect(guest.user).toMatchObject({ n: "gina" });
    expect(guest.user).not.toHaveProperty("g");

    // The new name is the account's: it logs in, writes and is listed under it.
    const events = collect(alice, one.i);
    await guest.send(one.i, "hello as gina");
    await until(() => events.length > 0);
    expect(events[0]).toMatchObject({ t: EventType.MessagePosted, an: "gina" });
    const login = await post(`${server.url}/api/v1/auth/login`, {
      username: "Gina",
      password: "a-new-member",
    });
    expect(login.status).toBe(200);
    expect((await alice.channelInfo(one.i)).m!.find((m) => m.i === guest.user!.i)).toMatchObject({
      n: "gina",
    });
  });

  it("keeps the guest's name when it sends its own, and refuses a taken, reserved or malformed one", async () => {
    server = await new TestServer().start();
    await server.register("taken");
    const guest = await server.connect();
    const name = guest.user!.n;

    const refused = [
      [{ username: "TAKEN", password: "long enough" }, 409, "USERNAME_TAKEN"],
      [{ username: "guest-mine", password: "long enough" }, 409, "USERNAME_RESERVED"],
      [{ username: "no spaces", password: "long enough" }, 400, "INVALID_PAYLOAD"],
    ] as const;
    for (const [body, status, code] of refused) {
      const out = await register(server, guest.token, body);
      expect(out, JSON.stringify(body)).toMatchObject({ status, body: { error: { name: code } } });
    }
    const reserved = await register(server, guest.token, {
      username: "Guest-Mine",
      password: "long enough",
    });
    expect(reserved.body.error.m).toMatch(/kept for guests/);

    // Still a guest after the refusals; its own name, in another case, keeps it as it was.
    const seen = updates(guest);
    const kept = await register(server, guest.token, {
      username: name.toUpperCase(),
      password: "long enough",
    });
    expect(kept).toMatchObject({ status: 200, body: { user: { n: name } } });
    await until(() => seen.length > 0);
    expect(seen).toEqual([{ i: guest.user!.i, n: name }]);
  });

  it("a guest in no channel learns its new name on its other connections", async () => {
    server = await new TestServer().start();
    const first = await server.connect();
    const second = await server.connect({ token: first.token! });
    const seen = updates(second);
    const up = await register(server, first.token, { username: "solo", password: "long enough" });
    expect(up.status).toBe(200);
    await until(() => seen.length > 0);
    expect(seen).toEqual([{ i: first.user!.i, n: "solo" }]);
    expect(second.user).toMatchObject({ n: "solo" });
  });

  it("a member that was disconnected during the change reads it from the member list on resume", async () => {
    server = await new TestServer().start();
    const alice = await server.connect({ token: await server.register("alice") });
    const guest = await server.connect();
    const { ch } = await alice.createChannel("resume");
    await guest.joinChannel(ch.i);
    const away = alice.waitFor("disconnect");
    alice.dropForTest();
    await away;
    // The change happens while alice is away (or reconnecting): the push is not replayed, the
    // member list read after the welcome is current.
    const back = alice.waitFor("welcome");
    const up = await register(server, guest.token, { username: "late", password: "long enough" });
    expect(up.status).toBe(200);
    await back;
    const member = (await alice.channelInfo(ch.i)).m!.find((m) => m.i === guest.user!.i);
    expect(member).toMatchObject({ n: "late" });
    expect(member).not.toHaveProperty("g");
  });
});
