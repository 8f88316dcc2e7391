import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { composer, continueAsGuest, messageText } from "./browser-harness";
import { webSuite } from "./web-suite";

// Dialogs driven by the keyboard alone: where focus lands on opening, after the dialog's work
// is done, and after Escape.
const harness = webSuite({}, async (h) => {
  const seeder = await h.client(await h.register("keeper"));
  await seeder.createChannel("keyboard-lounge", "Tab, Enter, Escape");
});

/** What has focus, as a person would name it: role and accessible name or label. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return "nothing";
    const label =
      el.getAttribute("aria-label") ??
      el.closest("label")?.querySelector(".field-label")?.textContent ??
      el.textContent?.trim();
    return `${el.tagName.toLowerCase()}${el.getAttribute("type") ? `[${el.getAttribute("type")}]` : ""} ${label}`;
  });
}

/** Presses a key on the focused element; never clicks. */
const press = (page: Page, key: string) => page.keyboard.press(key);

describe("keyboard use of dialogs", () => {
  it("focuses the search box of Browse channels, and the composer after joining", async () => {
    const page = await harness.open();
    await continueAsGuest(page);
    await page.getByRole("button", { name: "Browse channels" }).first().focus();
    await press(page, "Enter");
    await page.getByRole("dialog", { name: "Browse channels" }).waitFor();
    expect(await focused(page)).toBe("input[search] Search by name");

    await page.keyboard.type("keyboard-lounge");
    await page.getByRole("button", { name: "Join #keyboard-lounge" }).waitFor();
    // Tab from the search box reaches the only result's button.
    await press(page, "Tab");
    expect(await focused(page)).toBe("button[button] Join #keyboard-lounge");
    await press(page, "Enter");
    await page.getByRole("heading", { level: 1, name: "keyboard-lounge" }).waitFor();
    await page.getByRole("dialog").waitFor({ state: "detached" });
    expect(await focused(page)).toBe("textarea Message #keyboard-lounge");

    // Enter now belongs to the composer: it sends, and no dialog opens again.
    await press(page, "Enter");
    await page.keyboard.type("hello from the keyboard");
    await press(page, "Enter");
    await messageText(page, "hello from the keyboard").waitFor();
    expect(await page.getByRole("dialog").count()).toBe(0);
    expect(await focused(page)).toBe("textarea Message #keyboard-lounge");
  });

  it("focuses the name of Create a channel, and the new channel's composer after it", async () => {
    const page = await harness.open();
    await continueAsGuest(page);
    await page.getByRole("button", { name: "Create channel" }).first().focus();
    await press(page, "Enter");
    await page.getByRole("dialog", { name: "Create a channel" }).waitFor();
    expect(await focused(page)).toBe("input Name");
    await page.keyboard.type("made-by-keys");
    await press(page, "Enter");
    await page.getByRole("heading", { level: 1, name: "made-by-keys" }).waitFor();
    expect(await focused(page)).toBe("textarea Message #made-by-keys");
    await composer(page).press("Enter");
    expect(await page.getByRole("dialog").count()).toBe(0);
  });

  it("closes a dialog on Escape and gives focus back to the button that opened it", async () => {
    const page = await harness.open();
    await continueAsGuest(page);
    for (const name of ["Browse channels", "Create channel"]) {
      await page.getByRole("button", { name }).first().focus();
      await press(page, "Enter");
      await page.getByRole("dialog").waitFor();
      await press(page, "Escape");
      await page.getByRole("dialog").waitFor({ state: "detached" });
      expect(await focused(page)).toBe(`button[button] ${name}`);
    }
    // The channel list is untouched: nothing was joined or created.
    expect(await page.getByRole("heading", { level: 1, name: "Parley" }).count()).toBe(1);
  });
});
