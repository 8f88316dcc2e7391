import { EventType, type MemberEvent } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { collect, TestServer, until } from "./harness";

const DAY = 86_400_000;

/** A server whose guest sweep runs every 20 ms on a clock the test moves. */
async function sweptServer(days: string) {
  const clock = { now: Date.now(), sweeps: 0 };
  const server = await new TestServer(
    { PARLEY_GUEST_MEMBERSHIP_DAYS: days },
    {
      guestSweep: {
        intervalMs: 20,
        now: () => clock.now,
        onSwept: () => {
          clock.sweeps++;
        },
      },
    },
  ).start();
  /** Resolves once two sweeps completed after the call (so one started after it). */
  const swept = () => {
    const target = clock.sweeps + 2;
    return until(() => clock.sweeps >= target, 5000, "a sweep");
  };
  return { server, clock, swept };
}

describe("guest memberships", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("a guest not seen for the set days leaves its channels by the server; online guests and accounts stay", async () => {
    const t = await sweptServer("3");
    server = t.server;
    const { clock, swept } = t;
    const alice = await server.connect({ token: await server.register("alice") });
    const bob = await server.connect({ token: await server.register("bob") });
    const { ch } = await alice.createChannel("lobby");
    const gone = await server.connect();
    const online = await server.connect();
    for (const c of [bob, gone, online]) await c.joinChannel(ch.i);
    const goneId = gone.user!.i;
    await gone.close();
    await bob.close();
    const events = collect(alice, ch.i);

    // Two days on: within the period, nothing goes.
    clock.now += 2 * DAY;
    await swept();
    expect(events).toEqual([]);

    clock.now += 2 * DAY;
    await until(() => events.length > 0, 5000, "the expiry");
    await swept();
    // Removed once, though every sweep since finds the same clock.
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ t: EventType.MemberLeft, a: goneId, g: true, ex: true });
    const members = (await alice.channelInfo(ch.i)).m!.map((m) => m.n).sort();
    expect(members).toEqual(["alice", "bob", online.user!.n].sort());
    expect(((await alice.history(ch.i)).e.at(-1) as MemberEvent).ex).toBe(true);
  });

  it("a guest that comes back within the period keeps its memberships", async () => {
    const t = await sweptServer("3");
    server = t.server;
    const { clock, swept } = t;
    const alice = await server.connect({ token: await server.register("alice") });
    const { ch } = await alice.createChannel("lobby");
    const guest = await server.connect();
    await guest.joinChannel(ch.i);
    const token = guest.token!;
    await guest.close();
    const events = collect(alice, ch.i);

    // It comes back (activity is stamped by the real clock: now), then is away again. Two days
    // after that visit it stays; four days after, it goes.
    const back = await server.connect({ token });
    await back.close();
    clock.now = Date.now() + 2 * DAY;
    await swept();
    expect(events).toEqual([]);
    clock.now = Date.now() + 4 * DAY;
    await until(() => events.length > 0, 5000, "the expiry");
    expect(events[0]).toMatchObject({ t: EventType.MemberLeft, a: guest.user!.i, ex: true });
  });

  it("never removes anyone when the period is 0", async () => {
    const t = await sweptServer("0");
    server = t.server;
    const { clock } = t;
    const alice = await server.connect({ token: await server.register("alice") });
    const { ch } = await alice.createChannel("lobby");
    const guest = await server.connect();
    await guest.joinChannel(ch.i);
    await guest.close();
    clock.now += 3650 * DAY;
    // With the period 0 the sweep is off: it never runs, whatever the clock says.
    await alice.channelInfo(ch.i);
    expect((await alice.channelInfo(ch.i)).m).toHaveLength(2);
    expect(clock.sweeps).toBe(0);
  });
});
