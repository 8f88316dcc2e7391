import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, createChannel, registerInUi, signIn } from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

const levelMenu = (page: Page) => page.getByRole("combobox", { name: /^Notify me in #/ });

describe("notifications in the web client", () => {
  it("shows a channel's level set in one tab in the user's other tab, and after a reload", async () => {
    const a = await harness.open();
    await registerInUi(a, "olga");
    await createChannel(a, "alerts");
    const b = await harness.open();
    await signIn(b, "olga");
    await b.getByRole("heading", { level: 1, name: "alerts", exact: true }).waitFor();
    expect(await levelMenu(b).inputValue()).toBe("2");

    // Keyboard only: focus the menu and pick "All".
    await levelMenu(a).focus();
    await levelMenu(a).selectOption({ label: "All" });
    await expect.poll(() => levelMenu(b).inputValue()).toBe("1");
    await levelMenu(b).selectOption({ label: "Nothing" });
    await expect.poll(() => levelMenu(a).inputValue()).toBe("3");
    await a.reload();
    await a.getByRole("heading", { level: 1, name: "alerts", exact: true }).waitFor();
    expect(await levelMenu(a).inputValue()).toBe("3");
  });

  it("serves the service worker from the root, and it takes control under the strict policy", async () => {
    const res = await fetch(`${harness.url}/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    const page = await harness.open();
    const scope = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      return registration.scope;
    });
    expect(scope).toBe(`${harness.url}/`);
  });

  it("shows a push as a notification whose text is the payload's (a DM titled by its author), one per channel, opening at the message", async () => {
    const page = await harness.open();
    await page.context().grantPermissions(["notifications"]);
    await page.evaluate(async () => {
      await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
    });
    // The push service's delivery, as Chromium's DevTools protocol makes it (the data decrypted).
    const cdp = await page.context().newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string }[] = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (e) =>
      registrations.push(...e.registrations),
    );
    await cdp.send("ServiceWorker.enable");
    await expect.poll(() => registrations.length).toBeGreaterThan(0);
    const deliver = (payload: object) =>
      cdp.send("ServiceWorker.deliverPushMessage", {
        origin: harness.url,
        registrationId: registrations[0]!.registrationId,
        data: JSON.stringify(payload),
      });
    const shown = () =>
      page.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        return (await registration.getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          url: (n.data as { url: string }).url,
        }));
      });

    const markup = "<img src=x onerror=alert(1)> **not bold**";
    await deliver({ c: 7, cn: "ops", s: 41, m: 900, a: "zoe", x: markup, t: "mention" });
    await expect.poll(shown, { timeout: 10_000 }).toEqual([
      {
        title: "Mention in #ops",
        body: `zoe: ${markup}`,
        tag: "parley-channel-7",
        url: "/#/c/7/41",
      },
    ]);
    // A newer message of the same channel replaces it; another channel's stands beside it.
    await deliver({ c: 7, cn: "ops", s: 42, m: 901, a: "yan", x: "all clear", t: "message" });
    await deliver({ c: 8, cn: "", dm: true, s: 3, m: 902, a: "xia", x: "hi", t: "message" });
    await expect
      .poll(async () => (await shown()).map((n) => [n.title, n.body, n.url]).sort(), {
        timeout: 10_000,
      })
      .toEqual([
        ["#ops", "yan: all clear", "/#/c/7/42"],
        ["xia", "hi", "/#/c/8/3"],
      ]);
    // What is not a Parley payload shows nothing: the push after it is the only one added.
    await deliver({ hello: "world" });
    await deliver({ c: 9, cn: "last", s: 1, m: 903, a: "wu", x: "after", t: "message" });
    await expect
      .poll(async () => (await shown()).map((n) => n.title).sort(), { timeout: 10_000 })
      .toEqual(["#last", "#ops", "xia"]);
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`has no serious axe violations with the menu and the dialog open, on a phone, ${scheme}`, async () => {
      const page = await harness.open({ colorScheme: scheme });
      await registerInUi(page, `pat-${scheme}`);
      await createChannel(page, `quiet-${scheme}`);
      await page.setViewportSize({ width: 390, height: 844 });
      await levelMenu(page).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      // On a phone the account area is in the channels drawer.
      await page.getByRole("button", { name: "Channels", exact: true }).click();
      await page.getByRole("button", { name: "Notifications" }).click();
      const dialog = page.getByRole("dialog", { name: "Notifications" });
      await dialog.waitFor();
      const toggle = dialog.getByRole("checkbox", { name: "Push notifications on this device" });
      await toggle.waitFor();
      expect(await axeViolations(page)).toEqual([]);
      // Nothing asked for permission on the way here.
      expect(await page.evaluate(() => Notification.permission)).toBe("default");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
    });
  }
});
