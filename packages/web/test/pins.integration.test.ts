import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  createChannel,
  joinChannel,
  message,
  messageText,
  registerInUi,
  say,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

function pinsButton(page: Page) {
  return page.getByRole("button", { name: /^Pinned messages/ });
}

async function openPins(page: Page) {
  await pinsButton(page).click();
  const dialog = page.getByRole("dialog", { name: /^Pinned in #/ });
  await dialog.waitFor();
  return dialog;
}

describe("pinned messages in the web client", () => {
  it("shows a moderator's pin live to a member, in the panel, and its unpin to both", async () => {
    const a = await harness.open();
    await registerInUi(a, "mike");
    await createChannel(a, "pins");
    const b = await harness.open();
    await registerInUi(b, "nora");
    await joinChannel(b, "pins");
    await say(a, "the wifi password is on the fridge");
    await say(a, "lunch at noon");
    await messageText(b, "lunch at noon").waitFor();

    // A member has no Pin tool.
    const theirs = message(b, "the wifi password is on the fridge");
    await theirs.hover();
    await theirs.getByRole("button", { name: "Add reaction" }).waitFor();
    expect(await theirs.getByRole("button", { name: "Pin message" }).count()).toBe(0);

    // The owner pins from the toolbar; the other person sees the marker live.
    const mine = message(a, "the wifi password is on the fridge");
    await mine.hover();
    await mine.getByRole("button", { name: "Pin message" }).click();
    await theirs.getByTestId("pinned").getByText("Pinned by mike").waitFor();
    await mine.getByRole("button", { name: "Unpin message" }).waitFor();
    expect(await message(b, "lunch at noon").getByTestId("pinned").count()).toBe(0);
    await expect.poll(() => pinsButton(b).getAttribute("aria-label")).toBe("Pinned messages: 1");

    // The member finds it in the panel, and jumps to it in the timeline.
    const panel = await openPins(b);
    const item = panel.getByTestId("pin-item");
    await item.getByText("the wifi password is on the fridge").waitFor();
    expect(await item.count()).toBe(1);
    await item.getByText("mike", { exact: true }).waitFor();
    expect(await panel.getByRole("button", { name: /^Unpin/ }).count()).toBe(0);
    await item.getByRole("button", { name: /^mike/ }).click();
    await panel.waitFor({ state: "detached" });
    await expect.poll(() => theirs.getAttribute("class")).toMatch(/\bhighlight\b/);

    // The member keeps the panel open; the owner unpins from the panel.
    const open = await openPins(b);
    await open.getByTestId("pin-item").waitFor();
    const ownerPanel = await openPins(a);
    await ownerPanel.getByRole("button", { name: "Unpin the message by mike" }).click();
    await ownerPanel.getByText("Nothing is pinned here yet.").waitFor();
    await open.getByText("Nothing is pinned here yet.").waitFor();
    await a.keyboard.press("Escape");
    await ownerPanel.waitFor({ state: "detached" });
    // Focus is back on the header button that opened the panel.
    await expect
      .poll(() => pinsButton(a).evaluate((el) => el === document.activeElement))
      .toBe(true);
    for (const page of [a, b])
      await message(page, "the wifi password is on the fridge")
        .getByTestId("pinned")
        .waitFor({ state: "detached" });
    await expect.poll(() => pinsButton(a).getAttribute("aria-label")).toBe("Pinned messages: 0");
  });

  it("pins from the keyboard through the message toolbar, and a reload shows the pin", async () => {
    const page = await harness.open();
    await registerInUi(page, "olga");
    await createChannel(page, "pin-keys");
    await say(page, "pin me by keyboard");
    await page.getByTestId("pending").waitFor({ state: "detached" });

    const toolbar = message(page, "pin me by keyboard").getByRole("toolbar", {
      name: "Message actions",
    });
    await toolbar.getByRole("button", { name: "Add reaction" }).focus();
    await page.keyboard.press("ArrowRight"); // Reply
    await page.keyboard.press("ArrowRight"); // Edit
    await page.keyboard.press("ArrowRight"); // Pin
    const pin = toolbar.getByRole("button", { name: "Pin message" });
    expect(await pin.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    await message(page, "pin me by keyboard").getByText("Pinned by olga").waitFor();
    await page.keyboard.press("End"); // More actions, the last tool
    expect(
      await toolbar
        .getByRole("button", { name: "More actions" })
        .evaluate((el) => el === document.activeElement),
    ).toBe(true);

    await page.reload();
    await message(page, "pin me by keyboard").getByText("Pinned by olga").waitFor();
    // Keyboard in the panel: Enter on the item jumps and focuses the message's toolbar.
    await pinsButton(page).focus();
    await page.keyboard.press("Enter");
    const panel = page.getByRole("dialog", { name: "Pinned in #pin-keys" });
    await panel.getByTestId("pin-item").waitFor();
    await panel.getByRole("button", { name: /^olga/ }).focus();
    await page.keyboard.press("Enter");
    await panel.waitFor({ state: "detached" });
    await expect
      .poll(() =>
        page.evaluate(
          () => document.activeElement?.closest("[data-testid=message]")?.textContent ?? "",
        ),
      )
      .toContain("pin me by keyboard");
  });
});
