import { describe, expect, it } from "vitest";
import {
  composer,
  continueAsGuest,
  createChannel,
  joinChannel,
  messageText,
  myName,
  registerInUi,
  say,
  signIn,
} from "./browser-harness";
import { webSuite } from "./web-suite";

// Short typing timings keep the typing spec fast; everything else runs with the defaults.
const harness = webSuite({ typing: { throttleMs: 300, expireMs: 1000 } });

describe("web client", () => {
  it("lets a guest and a registered user chat in a channel", async () => {
    const alice = await harness.open();
    await registerInUi(alice, "alice");
    await createChannel(alice, "lobby", "Say hello");

    const guestPage = await harness.open();
    const guest = await continueAsGuest(guestPage);
    expect(guest).toMatch(/^guest-[0-9a-z]{6}$/);
    await joinChannel(guestPage, "lobby");

    await say(alice, "hello from alice");
    await messageText(guestPage, "hello from alice").waitFor();
    await say(guestPage, "hi alice, a guest here");
    await messageText(alice, "hi alice, a guest here").waitFor();

    // Each side sees its own message marked as its own, and confirmed (not pending).
    const own = alice.locator(".group.own .message-text", { hasText: "hello from alice" });
    await own.waitFor();
    await alice.getByTestId("pending").waitFor({ state: "detached" });
    // The guest's join is shown as a system line for alice.
    await alice
      .getByTestId("system")
      .filter({ hasText: `${guest} joined as a guest` })
      .waitFor();
    // Exactly one copy of each message (the ack and the push must not duplicate it).
    expect(await messageText(alice, "hello from alice").count()).toBe(1);
    expect(await messageText(guestPage, "hello from alice").count()).toBe(1);
  });

  it("shows the typing line to the other user and clears it", async () => {
    const a = await harness.open();
    const typist = await continueAsGuest(a);
    await createChannel(a, "typing-room");
    const b = await harness.open();
    await continueAsGuest(b);
    await joinChannel(b, "typing-room");

    const line = b.getByTestId("typing");
    await composer(a).pressSequentially("hel");
    await line.filter({ hasText: `${typist} is typing…` }).waitFor();
    await composer(a).fill("");
    await line.filter({ hasText: "typing" }).waitFor({ state: "detached" });
    expect((await line.textContent())?.trim()).toBe("");
  });

  it("shows a reaction with the reactor's name and removes it when toggled off", async () => {
    const a = await harness.open();
    await continueAsGuest(a);
    await createChannel(a, "reactions");
    await say(a, "react to this");
    const b = await harness.open();
    const reactor = await continueAsGuest(b);
    await joinChannel(b, "reactions");

    const target = b.getByTestId("message").filter({ hasText: "react to this" });
    await target.hover();
    await target.getByRole("button", { name: "Add reaction" }).click();
    const picker = b.getByRole("dialog", { name: "Add reaction" });
    await picker.getByRole("searchbox", { name: "Search emoji" }).fill("+1");
    await picker.getByRole("button", { name: "thumbs up", exact: true }).click();

    const chip = a
      .getByTestId("message")
      .filter({ hasText: "react to this" })
      .locator(".chip[data-emoji='👍']");
    await chip.filter({ hasText: "1" }).waitFor();
    expect(await chip.getAttribute("title")).toBe(`${reactor} reacted with 👍`);

    // Toggle off from the reactor's own chip.
    await target.locator(".chip[data-emoji='👍']").click();
    await chip.waitFor({ state: "detached" });
  });

  it("disables a muted member's composer with a countdown until the mute ends", async () => {
    // Guests cannot moderate: the channel's owner is an account.
    const mod = await harness.open();
    await registerInUi(mod, "moderator");
    await createChannel(mod, "moderated");
    const b = await harness.open();
    const target = await continueAsGuest(b);
    await joinChannel(b, "moderated");

    await composer(mod).fill(`/mute @${target} 3s cooling off`);
    await composer(mod).press("Escape"); // close the autocomplete
    await composer(mod).press("Enter");
    await mod
      .getByTestId("note")
      .filter({ hasText: `Muted ${target}` })
      .waitFor();
    await b.getByTestId("mute-countdown").filter({ hasText: "cooling off" }).waitFor();
    expect(await composer(b).isDisabled()).toBe(true);
    await b
      .getByTestId("system")
      .filter({ hasText: `moderator muted ${target}` })
      .waitFor();
    // The mute runs out by itself; the composer comes back.
    await b.getByTestId("mute-countdown").waitFor({ state: "detached", timeout: 8000 });
    expect(await composer(b).isDisabled()).toBe(false);
    await b
      .getByTestId("system")
      .filter({ hasText: `${target}'s mute ended` })
      .waitFor();
    await say(b, "back again");
    await messageText(mod, "back again").waitFor();
  });

  it("shows commands by role, usage errors, slow mode and a kick notice", async () => {
    await harness.register("warden");
    const mod = await harness.open();
    await signIn(mod, "warden");
    await createChannel(mod, "patrolled");
    const b = await harness.open();
    const member = await continueAsGuest(b);
    await joinChannel(b, "patrolled");

    // Autocomplete offers what the role allows, with usage and description.
    await composer(b).fill("/m");
    const memberList = b.getByRole("listbox", { name: "Commands" });
    await memberList.getByRole("option", { name: /^\/me <action>/ }).waitFor();
    expect(await memberList.getByRole("option", { name: /\/mute/ }).count()).toBe(0);
    await composer(b).fill("");
    await composer(mod).fill("/m");
    await mod
      .getByRole("listbox", { name: "Commands" })
      .getByRole("option", { name: /^\/mute @user/ })
      .waitFor();

    // A refused command shows the server's message and usage under the composer.
    await composer(mod).fill("/mute");
    await composer(mod).press("Enter");
    await mod
      .getByTestId("composer-error")
      .filter({ hasText: "Name a user. Usage: /mute @user [duration] [reason]" })
      .waitFor();

    // Slow mode: after a message, the member sees when the next one may go.
    await say(mod, "/slow 30");
    await b.getByTestId("system").filter({ hasText: "turned on slow mode" }).waitFor();
    await say(b, "one message");
    await messageText(mod, "one message").waitFor();
    await b
      .getByTestId("slow-countdown")
      .filter({ hasText: /send again in (30|2\d)s/ })
      .waitFor();

    // A kick removes the channel with a notice. (The server's removal overtakes the kick
    // event, so the notice cannot name the moderator or the reason.)
    await say(mod, `/kick @${member} off-topic`);
    await b.getByRole("status").filter({ hasText: "You were removed from #patrolled" }).waitFor();
    await b.getByRole("button", { name: /patrolled/ }).waitFor({ state: "detached" });
  });

  it("loads older pages when scrolling up", async () => {
    const token = await harness.register("archivist");
    const seeder = await harness.client(token);
    const { ch } = await seeder.createChannel("archive");
    for (let k = 1; k <= 150; k++) await seeder.send(ch.i, `archived message ${k}`);

    const page = await harness.open();
    await continueAsGuest(page);
    await joinChannel(page, "archive");
    await messageText(page, "archived message 150").waitFor();
    const messages = page.getByTestId("timeline").getByTestId("message");
    expect(await messages.count()).toBeLessThanOrEqual(60);

    const scroller = page.getByTestId("scroller");
    const first = messageText(page, "archived message 1").filter({
      hasText: /^archived message 1$/,
    });
    for (let round = 0; round < 10 && (await first.count()) === 0; round++) {
      const before = await messages.count();
      await scroller.evaluate((el) => {
        el.scrollTop = 0;
      });
      await page.waitForFunction(
        (n) => document.querySelectorAll("[data-testid=timeline] [data-testid=message]").length > n,
        before,
      );
    }
    await first.waitFor();
    // Every message once, in order.
    const seqs = await messages.evaluateAll((els) =>
      els.map((el) => Number(el.getAttribute("data-seq"))),
    );
    expect(seqs).toHaveLength(150);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    // The reading position was kept: the newest message is not in view any more.
    await page.getByRole("button", { name: "Jump to latest" }).click();
    await messageText(page, "archived message 150").waitFor();
  });

  it("keeps the session across a reload", async () => {
    const page = await harness.open();
    const name = await continueAsGuest(page);
    await createChannel(page, "reloaded");
    await say(page, "before the reload");
    await messageText(page, "before the reload").waitFor();

    await page.reload();
    expect(await myName(page)).toBe(name);
    await page.getByRole("heading", { level: 1, name: "reloaded", exact: true }).waitFor();
    await messageText(page, "before the reload").waitFor();
  });

  it("registers a guest under its name, signs out, and refuses a revoked session", async () => {
    const page = await harness.open();
    const name = await continueAsGuest(page);
    await page.getByRole("button", { name: /register to keep this name/ }).click();
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await page.getByText("Signed in").waitFor();
    await page.reload();
    expect(await myName(page)).toBe(name);
    await page.getByText("Signed in").waitFor();

    // The account signs in elsewhere; signing out here revokes only this session.
    const other = await harness.open();
    await signIn(other, name);
    const token = await page.evaluate(() => localStorage.getItem("parley.session"));
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Continue as guest" }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Continue as guest" }).waitFor();
    expect(await myName(other)).toBe(name);

    // A stored token the server refuses leads back to sign-in with a notice.
    await page.evaluate((t) => localStorage.setItem("parley.session", t ?? ""), token);
    await page.reload();
    await page.getByRole("status").filter({ hasText: "Your session has ended" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("parley.session"))).toBeNull();
  });

  it("renders markup in a message as text", async () => {
    const evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    const a = await harness.open();
    await continueAsGuest(a);
    await createChannel(a, "markup");
    const b = await harness.open();
    await continueAsGuest(b);
    await joinChannel(b, "markup");
    const dialogs: string[] = [];
    for (const page of [a, b]) page.on("dialog", (d) => dialogs.push(d.message()));

    await say(a, evil);
    for (const page of [a, b]) {
      const shown = page.getByTestId("timeline").locator(".message-text", { hasText: evil });
      await shown.waitFor();
      expect(await shown.textContent()).toBe(evil);
      expect(await page.getByTestId("timeline").locator("img, script").count()).toBe(0);
    }
    expect(dialogs).toEqual([]);
  });

  it("isolates right-to-left text and its bidi controls within the message", async () => {
    // An override opened and closed inside the message: allowed, but it must not leak out.
    const rtl = "שלום \u202Eevil\u202C עולם";
    const a = await harness.open();
    await continueAsGuest(a);
    await createChannel(a, "bidi");
    await say(a, rtl);
    const text = a.getByTestId("timeline").locator(".message-text", { hasText: "evil" });
    await text.waitFor();
    // The content sits in a <bdi>, which the browser isolates from its surroundings.
    const isolated = await text.evaluate((el) => {
      const bdi = el.querySelector("bdi");
      return bdi ? getComputedStyle(bdi).unicodeBidi : null;
    });
    expect(isolated).toBe("isolate");
    expect(await text.textContent()).toBe(rtl);
  });

  // Restarts the shared server, so it runs last.
  it("reconnects after a server restart with every message exactly once", async () => {
    const page = await harness.open();
    await continueAsGuest(page);
    await createChannel(page, "resilient");
    await say(page, "before the restart");
    await messageText(page, "before the restart").waitFor();
    const other = await harness.client();
    const [{ ch }] = [await other.listChannels({ q: "resilient" })];
    const channelId = ch[0]!.i;
    await other.joinChannel(channelId);
    const otherBack = other.waitFor("welcome", () => true, 20_000);

    await harness.restart(async () => {
      await page.getByTestId("status").filter({ hasText: "Reconnecting…" }).waitFor();
      // Typed while the server is down: shown as pending, sent after the reconnect.
      await say(page, "sent while offline");
      await page.getByTestId("pending").waitFor();
    });
    await otherBack;
    await other.send(channelId, "posted after the restart");

    await page.getByTestId("status").filter({ hasText: "Connected" }).waitFor({ timeout: 20_000 });
    await messageText(page, "posted after the restart").waitFor();
    await page.getByTestId("pending").waitFor({ state: "detached" });
    for (const text of ["before the restart", "sent while offline", "posted after the restart"])
      expect(await messageText(page, text).count()).toBe(1);
    const seqs = await page
      .getByTestId("timeline")
      .getByTestId("message")
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-seq"))));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
