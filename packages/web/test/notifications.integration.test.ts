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
