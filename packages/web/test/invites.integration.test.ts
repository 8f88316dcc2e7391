import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  createChannel,
  joinChannel,
  openChannel,
  registerInUi,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

async function createPrivateChannel(page: Page, name: string) {
  await page.getByRole("button", { name: "Create channel" }).first().click();
  await page.getByLabel("Name").fill(name);
  await page.getByRole("checkbox", { name: /Private channel/ }).check();
  await page.getByRole("button", { name: "Create channel", exact: true }).last().click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

async function openInvites(page: Page) {
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: /^Invite people to #/ });
  await dialog.waitFor();
  return dialog;
}

/** Creates a link in the open invite dialog with the given use limit; resolves to it. */
async function createLink(page: Page, uses: string): Promise<string> {
  const dialog = page.getByRole("dialog", { name: /^Invite people to #/ });
  await dialog.getByLabel("Most uses").selectOption(uses);
  await dialog.getByRole("button", { name: "Create invite link" }).click();
  const field = dialog.getByLabel("Invite link (shown once)");
  await field.waitFor();
  return field.inputValue();
}

describe("private channels and invite links in the web client", () => {
  it("keeps a private channel out of another person's directory until they open its invite link", async () => {
    const alice = await harness.open();
    await registerInUi(alice, "alice");
    await createPrivateChannel(alice, "war-room");
    await alice
      .getByRole("navigation", { name: "Channels" })
      .getByRole("button", { name: /war-room/ })
      .getByRole("img", { name: "Private channel" })
      .waitFor();

    const bob = await harness.open();
    await registerInUi(bob, "bob");
    await bob.getByRole("button", { name: "Browse channels" }).first().click();
    await bob.getByRole("searchbox").fill("war");
    await bob.getByText("No channel matches.").waitFor();
    await bob.keyboard.press("Escape");

    const dialog = await openInvites(alice);
    const link = await createLink(alice, "1");
    expect(link).toMatch(/\/#\/invite\/[A-Za-z0-9_-]{22}$/);
    await dialog.getByText(/by alice · expires .* · 0 of 1 uses/).waitFor();
    await alice.keyboard.press("Escape");

    await bob.goto(link);
    await bob.getByRole("heading", { level: 1, name: "war-room" }).waitFor();
    await bob.getByRole("img", { name: "Private channel" }).first().waitFor();
    await alice.getByText("bob joined, invited by alice").waitFor();
    // The route is gone from the address bar, so a reload does not redeem again.
    expect(new URL(bob.url()).hash).toBe("");

    // The link had one use: a third person is told it is not valid.
    const carol = await harness.open();
    await registerInUi(carol, "carol");
    await carol.goto(link);
    await carol.getByText("Could not open the invite: That invite is not valid").waitFor();
    expect(await carol.getByRole("heading", { level: 1, name: "war-room" }).count()).toBe(0);
  });

  it("adds a person by name and revokes a link from the invite dialog", async () => {
    const owner = await harness.open();
    await registerInUi(owner, "olive");
    await createChannel(owner, "open-house");
    const pat = await harness.client(await harness.register("pat"));
    await pat.createChannel("corner");
    await joinChannel(owner, "corner");
    await openChannel(owner, "open-house");
    const dialog = await openInvites(owner);
    // Names from the owner's other channels are offered as suggestions.
    await expect
      .poll(() =>
        dialog
          .locator("#invite-people option")
          .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
      )
      .toEqual(["pat"]);
    await dialog.getByLabel("Add a person by name").fill("@pat");
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    await dialog.getByText("pat was added to #open-house.").waitFor();
    await createLink(owner, "0");
    const revoke = dialog.getByRole("button", { name: /^Revoke link by olive/ });
    await revoke.waitFor();
    await revoke.click();
    await dialog.getByText("No active links.").waitFor();
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`finds no serious or critical violation in the invite dialog in ${scheme} mode, on a phone too`, async () => {
      const page = await harness.open({ colorScheme: scheme });
      await registerInUi(page, `axe-${scheme}`);
      await createPrivateChannel(page, `axe-room-${scheme}`);
      const dialog = await openInvites(page);
      await createLink(page, "5");
      await dialog.getByText(/0 of 5 uses/).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await axeViolations(page)).toEqual([]);
      const box = await dialog.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      // Keyboard: Tab reaches the selects and the copy button inside the dialog.
      await dialog.getByLabel("Add a person by name").focus();
      const reached = new Set<string>();
      for (let i = 0; i < 10; i++) {
        await page.keyboard.press("Tab");
        reached.add(
          await page.evaluate(
            () =>
              document.activeElement?.getAttribute("name") ??
              document.activeElement?.textContent ??
              "",
          ),
        );
      }
      expect([...reached]).toEqual(
        expect.arrayContaining(["invite-expiry", "invite-uses", "Copy link"]),
      );
    });
  }
});
