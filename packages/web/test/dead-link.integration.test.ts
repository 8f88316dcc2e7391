import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FreezableProxy } from "../../server/test/freezable-proxy";
import {
  createChannel,
  joinChannel,
  messageText,
  registerInUi,
  say,
  WebHarness,
} from "./browser-harness";

/** The server's heartbeat here (its smallest setting); the web client takes it from the welcome. */
const HB = 1000;
/** Room for a loaded machine's timers on top of the documented bound of two intervals. */
const SLACK_MS = 2000;

const harness = new WebHarness();
let proxy: FreezableProxy;

beforeAll(async () => {
  await harness.start({}, { PARLEY_HEARTBEAT_MS: String(HB) });
  const url = new URL(harness.url);
  proxy = await new FreezableProxy({ host: url.hostname, port: Number(url.port) }).start();
}, 60_000);

afterEach(async () => {
  await harness.closeContexts();
  expect(harness.problems.splice(0)).toEqual([]);
});

afterAll(async () => {
  await proxy?.close();
  await harness.close();
});

describe("web client on a dead link", () => {
  it("shows Reconnecting… when its link goes silent, others see it offline, and its pending message is delivered once when it is back", async () => {
    // A reaches the server through a proxy that can silence the link; B connects directly.
    const a = await harness.open({ url: `http://127.0.0.1:${proxy.port}` });
    await registerInUi(a, "wanderer");
    await createChannel(a, "outage");
    const b = await harness.open();
    await registerInUi(b, "watcher");
    await joinChannel(b, "outage");
    const members = b.getByRole("complementary", { name: "Members" }).getByRole("listitem");
    await members.filter({ hasText: "wanderer, online" }).waitFor();
    await a.getByTestId("status").filter({ hasText: "Connected" }).waitFor();

    // Offline mode in this Chromium stops data frames and new connections, but WebSocket
    // control frames (pongs, the closing handshake) still pass, so the server would go on
    // seeing pongs. Freezing the proxy's links as well makes the link silent both ways, as a
    // network that is really gone.
    await a.context().setOffline(true);
    proxy.freezeAll();
    const deadline = Date.now() + 2 * HB + SLACK_MS;
    const bound = () => ({ timeout: Math.max(1, deadline - Date.now()) });
    await say(a, "written on a dead link");
    await a.getByTestId("pending").waitFor();

    await a.getByTestId("status").filter({ hasText: "Reconnecting…" }).waitFor(bound());
    await a.getByTestId("pending").filter({ hasText: "Waiting for the connection…" }).waitFor();
    // The server noticed by itself: nothing from A reaches it.
    await members.filter({ hasText: "wanderer, offline" }).waitFor(bound());
    expect(await messageText(b, "written on a dead link").count()).toBe(0);

    await a.context().setOffline(false);
    // Back online, the page reconnects at once (else when its backoff, at most 5 s, ends).
    await a.getByTestId("status").filter({ hasText: "Connected" }).waitFor({ timeout: 10_000 });
    await messageText(b, "written on a dead link").waitFor();
    await a.getByTestId("pending").waitFor({ state: "detached" });
    await members.filter({ hasText: "wanderer, online" }).waitFor();
    expect(await messageText(a, "written on a dead link").count()).toBe(1);
    expect(await messageText(b, "written on a dead link").count()).toBe(1);
  });
});
