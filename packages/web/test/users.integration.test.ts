import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { continueAsGuest, messageText, say } from "./browser-harness";
import { webSuite } from "./web-suite";

// A server with a default channel, as a fresh install has: people land in #general.
const harness = webSuite({}, undefined, { PARLEY_DEFAULT_CHANNELS: "general" });

/** The member list panel. */
const memberPanel = (page: Page) => page.getByRole("complementary", { name: "Members" });

/** A member's row in the member list, found by its name. */
const memberRow = (page: Page, name: string) =>
  memberPanel(page).locator(".member", { has: page.locator(".member-name", { hasText: name }) });

describe("people and their names", () => {
  it("a new guest lands in the default channel, and a registration under a new name shows live to the other person", async () => {
    const alice = await harness.open();
    const aliceName = await continueAsGuest(alice);
    await alice.getByRole("heading", { level: 1, name: "general", exact: true }).waitFor();
    const bob = await harness.open();
    const bobName = await continueAsGuest(bob);
    await bob.getByRole("heading", { level: 1, name: "general", exact: true }).waitFor();
    await say(bob, "hello from a guest");
    await messageText(alice, "hello from a guest").waitFor();
    await memberRow(alice, bobName).getByText("Guest", { exact: true }).waitFor();

    // Bob registers under a name of his own; the form offers his current one.
    await bob.getByRole("button", { name: /register to keep this name/ }).click();
    const username = bob.getByLabel("Username");
    expect(await username.inputValue()).toBe(bobName);
    await username.fill("guest-not-allowed");
    await bob.getByLabel("Password").fill("correct horse battery");
    await bob.getByRole("button", { name: "Register", exact: true }).click();
    await bob.getByRole("alert").filter({ hasText: "kept for guests" }).waitFor();
    await username.fill("bobby");
    await bob.getByRole("button", { name: "Register", exact: true }).click();
    await bob.getByTestId("me").filter({ hasText: "bobby" }).waitFor();
    await bob.getByText("Signed in").waitFor();

    // Alice, without reloading, sees the new name with no guest badge, in the list and on his
    // message.
    await memberRow(alice, "bobby").waitFor();
    expect(await memberRow(alice, "bobby").getByText("Guest", { exact: true }).count()).toBe(0);
    expect(await memberRow(alice, bobName).count()).toBe(0);
    await alice.getByTestId("timeline").locator(".author", { hasText: "bobby" }).first().waitFor();
    expect(
      await alice.getByTestId("timeline").locator(".author", { hasText: bobName }).count(),
    ).toBe(0);
    expect(await memberRow(alice, aliceName).getByText("Guest", { exact: true }).count()).toBe(1);
  }, 60_000);

  it("folds offline guests into one toggle that the keyboard opens", async () => {
    const owner = await harness.open();
    await continueAsGuest(owner);
    await owner.getByRole("heading", { level: 1, name: "general", exact: true }).waitFor();
    const gone: string[] = [];
    for (let k = 0; k < 2; k++) {
      const page = await harness.open();
      gone.push(await continueAsGuest(page));
      await page.getByRole("heading", { level: 1, name: "general", exact: true }).waitFor();
      await memberRow(owner, gone[k]!).waitFor();
      await page.context().close();
    }
    // Offline guests of earlier specs are folded too: count what the toggle says.
    const toggle = memberPanel(owner).getByRole("button", { name: /guests? offline$/ });
    for (const name of gone) await memberRow(owner, name).waitFor({ state: "detached" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    const [count] = /^\d+/.exec((await toggle.textContent()) ?? "") ?? [];
    expect(Number(count)).toBeGreaterThanOrEqual(2);

    await toggle.focus();
    await owner.keyboard.press("Enter");
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    for (const name of gone) await memberRow(owner, name).waitFor();
    await owner.keyboard.press("Enter");
    for (const name of gone) await memberRow(owner, name).waitFor({ state: "detached" });
  }, 60_000);
});
