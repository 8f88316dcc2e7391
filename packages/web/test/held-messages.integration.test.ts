import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  composer,
  createChannel,
  joinChannel,
  messageText,
  registerInUi,
  say,
} from "./browser-harness";
import { webSuite } from "./web-suite";

// Two people per spec, each in a browser context of their own: the channel's owner, who
// moderates it, and a member whose messages auto-moderation holds for the owner's review.
const harness = webSuite();

/** The member's lines about their held messages (only they see them). */
function heldLines(page: Page) {
  return page.getByTestId("held-message");
}

function waitingLine(page: Page, text: string) {
  return heldLines(page)
    .filter({ hasText: "Your message is waiting for a moderator's review" })
    .filter({ hasText: text });
}

function droppedLine(page: Page, text: string) {
  return heldLines(page)
    .filter({ hasText: "A moderator did not approve your message" })
    .filter({ hasText: text });
}

/** The owner's reports panel, opened from the sidebar. */
async function openReports(mod: Page) {
  await mod.getByTestId("reports-button").click();
  const panel = mod.getByRole("dialog", { name: "Reports" });
  await panel.waitFor();
  return panel;
}

describe("messages held for review in the web client", () => {
  it("holds a member's message for the moderator, who approves one and drops another; the member follows each", async () => {
    const mod = await harness.open();
    await registerInUi(mod, "desk-owner");
    await createChannel(mod, "review-desk");
    // The member in dark mode: at desktop width first, on a phone later.
    const member = await harness.open({ colorScheme: "dark" });
    await registerInUi(member, "desk-member");
    await joinChannel(member, "review-desk");

    await say(mod, "/automod hold crypto*");
    await mod
      .getByTestId("note")
      .filter({ hasText: 'Messages with "crypto*" are held for review in this channel' })
      .waitFor();
    await member
      .getByTestId("system")
      .filter({ hasText: "desk-owner changed the channel's words held for review (1 now)" })
      .waitFor();

    // The member's send is held: a waiting line with the text as written (never markup), not a
    // failed send with Retry.
    const first = "cryptocoins <b>cheap</b> today";
    await say(member, first);
    const waiting = waitingLine(member, first);
    await waiting.waitFor();
    await waiting.getByText(first, { exact: true }).waitFor();
    expect(await waiting.locator("b").count()).toBe(0);
    expect(await member.getByText(/^Not sent\./).count()).toBe(0);
    expect(await member.getByRole("button", { name: "Retry" }).count()).toBe(0);
    expect(await member.getByTestId("pending").count()).toBe(0);
    expect(await composer(member).inputValue()).toBe("");
    expect(await axeViolations(member)).toEqual([]);

    // The moderator's tab has it live, as a held message, not a member's report.
    await mod.getByTestId("open-reports").filter({ hasText: "1" }).waitFor();
    expect(await messageText(mod, "cheap").count()).toBe(0);
    const panel = await openReports(mod);
    const items = panel.getByTestId("report-item");
    const held = items.filter({ hasText: "today" });
    await held.getByText("Held by auto-moderation: matched “crypto*”").waitFor();
    expect(await held.getAttribute("data-held")).toBe("");
    expect(await held.getByRole("button", { name: /^Resolve/ }).count()).toBe(0);
    expect(await held.getByRole("button", { name: "Show message" }).count()).toBe(0);
    expect(await axeViolations(mod)).toEqual([]);
    await held
      .getByRole("button", { name: "Approve and post the held message by desk-member" })
      .click();
    await panel
      .getByRole("status")
      .filter({ hasText: "Approved: desk-member's message is posted in #review-desk." })
      .waitFor();
    await panel.getByText("No open reports.").waitFor();

    // Posted as the member's for both; the member's waiting line goes.
    await messageText(member, "cheap").waitFor();
    await messageText(mod, "cheap").waitFor();
    await waiting.waitFor({ state: "detached" });
    expect(await heldLines(member).count()).toBe(0);
    await mod
      .locator("li.group")
      .filter({ hasText: "cheap" })
      .getByRole("button", { name: "desk-member", exact: true })
      .waitFor();

    // A second one joins the open panel live; the moderator drops it by keyboard.
    const second = "crypto tips inside";
    await say(member, second);
    await waitingLine(member, second).waitFor();
    const next = items.filter({ hasText: second });
    await next.waitFor();
    await next.getByRole("button", { name: "Drop the held message by desk-member" }).focus();
    await mod.keyboard.press("Enter");
    await panel
      .getByRole("status")
      .filter({ hasText: "Dropped desk-member's held message: it is not posted." })
      .waitFor();
    await panel.getByText("No open reports.").waitFor();

    // The member is told, and takes the text back into the composer to edit and send again.
    const dropped = droppedLine(member, second);
    await dropped.waitFor();
    expect(await waitingLine(member, second).count()).toBe(0);
    expect(await axeViolations(member)).toEqual([]);
    await dropped.getByRole("button", { name: "Edit and resend" }).click();
    await dropped.waitFor({ state: "detached" });
    await expect.poll(() => composer(member).inputValue()).toBe(second);
    expect(await composer(member).evaluate((el) => el === document.activeElement)).toBe(true);
    await composer(member).fill("tips inside, no coins");
    await composer(member).press("Enter");
    await messageText(mod, "tips inside, no coins").waitFor();
    expect(await messageText(mod, second).count()).toBe(0);
    expect(await messageText(member, second).count()).toBe(0);

    // A waiting line is dismissed from the keyboard (Escape), and focus goes to the composer.
    const third = "crypto once more";
    await say(member, third);
    const dismissable = waitingLine(member, third);
    await dismissable.getByRole("button", { name: "Dismiss" }).focus();
    await member.keyboard.press("Escape");
    await dismissable.waitFor({ state: "detached" });
    await expect
      .poll(() => composer(member).evaluate((el) => el === document.activeElement))
      .toBe(true);

    // An approval the server refuses says why beside the message, which stays held.
    await items.filter({ hasText: third }).waitFor();
    await mod.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    await say(mod, "/mute @desk-member 10m");
    await mod.getByTestId("note").filter({ hasText: "Muted desk-member" }).waitFor();
    await openReports(mod);
    const refused = items.filter({ hasText: third });
    await refused
      .getByRole("button", { name: "Approve and post the held message by desk-member" })
      .click();
    await refused
      .getByRole("alert")
      .filter({ hasText: "Not approved: its author is muted in the channel. It is still held." })
      .waitFor();
    expect(await items.count()).toBe(1);
    expect(await messageText(mod, third).count()).toBe(0);
    expect(await axeViolations(mod)).toEqual([]);
    await refused.getByRole("button", { name: "Drop the held message by desk-member" }).click();
    await panel.getByText("No open reports.").waitFor();

    // Dismissed while waiting, its drop is still news to the member: on a phone, in dark mode.
    await member.setViewportSize({ width: 390, height: 844 });
    const late = droppedLine(member, third);
    await late.waitFor();
    await late.getByRole("button", { name: "Edit and resend" }).waitFor();
    expect(await axeViolations(member)).toEqual([]);
    const width = await member.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await late.getByRole("button", { name: "Dismiss" }).click();
    await late.waitFor({ state: "detached" });

    // The moderation log tells each decision and the channel's held word.
    await mod.keyboard.press("Escape");
    await say(mod, "/modlog");
    const log = mod.getByTestId("note").last();
    await log.getByText("desk-owner approved a held message by desk-member: crypto*").waitFor();
    await expect
      .poll(() => log.getByText("desk-owner dropped a held message by desk-member").count())
      .toBe(2);
    await log.getByText("desk-owner set “crypto*” to be held for review in the channel").waitFor();
  }, 90_000);

  it("gives a dropped reply back with its reply bar, and the text joins what is being written", async () => {
    const mod = await harness.open();
    await registerInUi(mod, "quote-owner");
    await createChannel(mod, "quote-desk");
    const member = await harness.open();
    await registerInUi(member, "quote-member");
    await joinChannel(member, "quote-desk");
    await say(mod, "/automod hold moon");
    await mod.getByTestId("note").filter({ hasText: "held for review" }).waitFor();
    await say(mod, "where are we going?");
    await messageText(member, "where are we going?").waitFor();

    // The member replies with a held word.
    await member
      .getByTestId("message")
      .filter({ hasText: "where are we going?" })
      .click({ button: "right" });
    await member.getByRole("menuitem", { name: "Reply" }).click();
    await member.getByTestId("reply-bar").waitFor();
    await say(member, "to the moon");
    await waitingLine(member, "to the moon").waitFor();
    await member.getByTestId("reply-bar").waitFor({ state: "detached" });

    // The moderator on a phone, in dark mode: the panel opens from the channels drawer.
    await mod.emulateMedia({ colorScheme: "dark" });
    await mod.setViewportSize({ width: 390, height: 844 });
    await mod.getByRole("button", { name: "Channels" }).click();
    const panel = await openReports(mod);
    const item = panel.getByTestId("report-item").filter({ hasText: "to the moon" });
    await item.getByText("Held by auto-moderation: matched “moon”").waitFor();
    expect(await axeViolations(mod)).toEqual([]);
    expect(await mod.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await item.getByRole("button", { name: "Drop the held message by quote-member" }).click();
    await panel.getByText("No open reports.").waitFor();

    const dropped = droppedLine(member, "to the moon");
    await dropped.waitFor();
    // Something written meanwhile is kept: the text comes after it, on a line of its own.
    await composer(member).fill("draft so far");
    await dropped.getByRole("button", { name: "Edit and resend" }).click();
    await expect.poll(() => composer(member).inputValue()).toBe("draft so far\nto the moon");
    await member.getByTestId("reply-bar").filter({ hasText: "where are we going?" }).waitFor();
    await composer(member).fill("to the stars");
    await composer(member).press("Enter");
    const answer = mod.getByTestId("message").filter({ hasText: "to the stars" });
    await answer.waitFor();
    await answer.getByText("where are we going?").waitFor();
  });
});
