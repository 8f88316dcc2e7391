import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  joinChannel,
  memberRow,
  messageText,
  openProfileCard,
  say,
  signIn,
  twoPeople,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

/** The open profile card of `name`. */
const card = (page: Page, name: string) => page.getByRole("dialog", { name, exact: true });

/** Whether the element has focus. */
const focused = (element: Locator) => element.evaluate((el) => el === document.activeElement);

const MODERATION = /^(Mute…|Unmute|Kick…|Ban…|Make moderator|Remove moderator)$/;

describe("the profile card in the web client", () => {
  it("lets the owner mute and then kick a member from the member's card, and the member sees both live", async () => {
    const { a: owner, b: member } = await twoPeople(harness, "card-room", "olive", "mark");
    const mark = await openProfileCard(owner, "mark");
    await mark.getByText("Member in #card-room").waitFor();
    await mark.getByText("Account", { exact: true }).waitFor();
    await mark.getByText("Online", { exact: true }).waitFor();
    expect(await axeViolations(owner)).toEqual([]);

    await mark.getByRole("button", { name: "Mute…" }).click();
    await mark.getByLabel("Duration").selectOption({ label: "10 minutes" });
    await mark.getByLabel("Reason (optional)").fill("cool off");
    expect(await axeViolations(owner)).toEqual([]);
    await mark.getByRole("button", { name: "Mute", exact: true }).click();
    await mark.waitFor({ state: "detached" });
    // Closed on success, with focus back on the row that opened it.
    expect(await focused(memberRow(owner, "mark"))).toBe(true);
    await member.getByText("You are muted (cool off).").waitFor();

    // The mute is in the events held: the card now offers Unmute instead.
    const again = await openProfileCard(owner, "mark");
    await again.getByRole("button", { name: "Unmute" }).waitFor();
    expect(await again.getByRole("button", { name: "Mute…" }).count()).toBe(0);
    await again.getByRole("button", { name: "Kick…" }).click();
    await again.getByLabel("Reason (optional)").fill("enough");
    await again.getByRole("button", { name: "Kick", exact: true }).click();
    await again.waitFor({ state: "detached" });

    await member.getByText("You were removed from #card-room by olive").waitFor();
    await member
      .getByRole("navigation")
      .getByRole("button", { name: /card-room/ })
      .waitFor({ state: "detached" });
    await memberRow(owner, "mark").waitFor({ state: "detached" });
    // The row had focus back when it went: focus moves to the list's title, not to the page.
    await owner.waitForFunction(() => document.activeElement?.classList.contains("panel-title"));
  });

  it("shows a member no moderation on the owner's card opened from an author name, and Message opens a DM both see", async () => {
    const { a: owner, b: member } = await twoPeople(harness, "card-talk", "oscar", "mina");
    await say(owner, "hello from the owner");
    await messageText(member, "hello from the owner").waitFor();

    const author = member
      .getByTestId("timeline")
      .getByRole("button", { name: "oscar", exact: true });
    await author.click();
    const oscar = card(member, "oscar");
    await oscar.getByText("Owner in #card-talk").waitFor();
    // Next to the name it was opened from, below it or (near the bottom) above it, never on it.
    const name = await author.boundingBox();
    const box = await oscar.boundingBox();
    const clear = (n: typeof name, b: typeof box) =>
      n !== null && b !== null && (b.y >= n.y + n.height || b.y + b.height <= n.y);
    expect(clear(name, box)).toBe(true);
    expect(box && name && Math.abs(box.x - name.x)).toBeLessThan(2);
    await oscar.getByRole("button", { name: "Message" }).waitFor();
    await oscar.getByRole("button", { name: "Block" }).waitFor();
    expect(await oscar.getByRole("button", { name: MODERATION }).count()).toBe(0);
    expect(await axeViolations(member)).toEqual([]);

    // Escape closes it and focus goes back to the name; Enter opens it again.
    await member.keyboard.press("Escape");
    await oscar.waitFor({ state: "detached" });
    expect(await focused(author)).toBe(true);
    await member.keyboard.press("Enter");
    await oscar.waitFor();

    await oscar.getByRole("button", { name: "Message" }).click();
    await oscar.waitFor({ state: "detached" });
    await member.getByRole("heading", { level: 1, name: "oscar", exact: true }).waitFor();
    const dm = member.getByRole("combobox", { name: "Message oscar" });
    await dm.fill("a word in private");
    await dm.press("Enter");
    await owner
      .getByRole("list", { name: "Direct messages" })
      .getByRole("button", { name: /^mina/ })
      .click();
    await messageText(owner, "a word in private").waitFor();
  });

  it("offers nothing but the facts on one's own card, and shows the server's refusal of a DM in the card", async () => {
    const tess = await harness.client(await harness.register("tess"));
    await tess.createChannel("card-block");
    await harness.register("uma");
    const page = await harness.open();
    await signIn(page, "uma");
    await joinChannel(page, "card-block");
    await tess.block("uma", true);

    const own = await openProfileCard(page, "uma");
    await own.getByText("Member in #card-block").waitFor();
    // Its only button is Close.
    expect(await own.getByRole("button").count()).toBe(1);
    await own.getByRole("button", { name: "Close" }).waitFor();
    // A popover beside the member list (left of the row), closed by a click outside it.
    const row = await memberRow(page, "uma").boundingBox();
    const box = await own.boundingBox();
    expect(row && box && box.x + box.width <= row.x).toBe(true);
    await page.mouse.click(10, 790);
    await own.waitFor({ state: "detached" });

    const other = await openProfileCard(page, "tess");
    await other.getByRole("button", { name: "Message" }).click();
    await other.getByRole("alert").filter({ hasText: "You cannot message this user" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`shows the card as a bottom sheet on a phone with its ban confirmation, with no serious or critical violation, in ${scheme} mode`, async () => {
      const quinn = await harness.client(await harness.register(`quinn-${scheme}`));
      const { ch } = await quinn.createChannel(`card-phone-${scheme}`);
      await harness.register(`rhea-${scheme}`);
      const page = await harness.open({ colorScheme: scheme });
      await signIn(page, `rhea-${scheme}`);
      await joinChannel(page, `card-phone-${scheme}`);
      // rhea moderates here; quinn (the owner) hands the role over from the SDK.
      const sam = await harness.client(await harness.register(`sam-${scheme}`));
      await sam.joinChannel(ch.i);
      await quinn.command(ch.i, `/mod @rhea-${scheme}`);
      await page
        .locator(".member", { hasText: `rhea-${scheme}` })
        .getByText("Mod", { exact: true })
        .waitFor();

      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole("button", { name: /^Members:/ }).click();
      const sheet = await openProfileCard(page, `sam-${scheme}`);
      await sheet.getByRole("button", { name: "Ban…" }).waitFor();
      expect(await sheet.getByRole("button", { name: "Make moderator" }).count()).toBe(0);
      const box = await sheet.boundingBox();
      expect(box && Math.round(box.y + box.height)).toBe(844);
      expect(box && Math.round(box.width)).toBe(390);
      expect(await axeViolations(page)).toEqual([]);

      await sheet.getByRole("button", { name: "Ban…" }).click();
      await sheet.getByLabel("Duration").selectOption({ label: "1 day" });
      await sheet.getByRole("button", { name: "Continue" }).click();
      await sheet.getByText(`Ban sam-${scheme} from #card-phone-${scheme} for 1 day?`).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await sheet.getByRole("button", { name: `Ban sam-${scheme}` }).click();
      await sheet.waitFor({ state: "detached" });
      await memberRow(page, `sam-${scheme}`).waitFor({ state: "detached" });
    });
  }
});
