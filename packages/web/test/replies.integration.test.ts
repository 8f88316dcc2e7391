import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  composer,
  createChannel,
  joinChannel,
  message,
  messageText,
  openChannel,
  registerInUi,
  say,
  signIn,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

function quoteIn(page: Page, text: string) {
  return message(page, text).getByTestId("reply-quote");
}

async function replyTo(page: Page, original: string, text: string): Promise<void> {
  const m = message(page, original).first();
  await m.hover();
  await m.getByRole("button", { name: "Reply" }).click();
  await page.getByTestId("reply-bar").waitFor();
  // The composer took focus: typing goes straight into the reply.
  await expect
    .poll(() => composer(page).evaluate((el) => el === document.activeElement))
    .toBe(true);
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

describe("replies in the web client", () => {
  it("shows a reply's quote live, follows the original's edit and deletion, and jumps to it", async () => {
    const a = await harness.open();
    await registerInUi(a, "mike");
    await createChannel(a, "replies");
    const b = await harness.open();
    await registerInUi(b, "nora");
    await joinChannel(b, "replies");
    await say(b, "who has the <b>keys</b> to the office?");
    await messageText(a, "who has the <b>keys</b>").waitFor();

    await replyTo(a, "who has the <b>keys</b>", "I do, at the front desk");
    await a.getByTestId("reply-bar").waitFor({ state: "detached" });
    // Both see the quote: author and excerpt, as text.
    for (const page of [a, b]) {
      const quote = quoteIn(page, "I do, at the front desk");
      await quote.getByText("who has the <b>keys</b> to the office?").waitFor();
      expect(await quote.locator(".reply-quote-author").textContent()).toBe("nora");
      expect(await quote.locator("b").count()).toBe(0);
    }

    // B edits the original: A's quote follows.
    const original = message(b, "who has the <b>keys</b>").first();
    await original.hover();
    await original.getByRole("button", { name: "Edit message" }).click();
    const editor = b.getByRole("textbox", { name: "Edit message" });
    await editor.fill("who has the spare keys?");
    await editor.press("Enter");
    await quoteIn(a, "I do, at the front desk").getByText("who has the spare keys?").waitFor();
    await quoteIn(b, "I do, at the front desk").getByText("who has the spare keys?").waitFor();

    // Clicking the quote jumps to the original: highlighted, its toolbar focused.
    await say(a, "filler one");
    await quoteIn(a, "I do, at the front desk").click();
    await expect
      .poll(() => message(a, "who has the spare keys?").first().getAttribute("class"))
      .toMatch(/\bhighlight\b/);
    await expect
      .poll(() =>
        a.evaluate(() => document.activeElement?.closest("[data-testid=message]")?.textContent),
      )
      .toContain("who has the spare keys?");

    // B deletes the original: both quotes say so.
    const edited = message(b, "who has the spare keys?").first();
    await edited.hover();
    await edited.getByRole("button", { name: "Delete message" }).click();
    await b
      .getByRole("dialog", { name: "Delete message" })
      .getByRole("button", { name: "Delete", exact: true })
      .click();
    for (const page of [a, b]) {
      const quote = quoteIn(page, "I do, at the front desk");
      await quote.getByText("Original message deleted").waitFor();
      expect(await quote.textContent()).not.toContain("spare keys");
    }
    // A reload reads the quote from history in its current state.
    await a.reload();
    await quoteIn(a, "I do, at the front desk").getByText("Original message deleted").waitFor();
  });

  it("replies from the keyboard, cancels with Escape, and jumps with Enter on the quote", async () => {
    const page = await harness.open();
    await registerInUi(page, "olga");
    await createChannel(page, "reply-keys");
    await say(page, "first thought");
    await page.getByTestId("pending").waitFor({ state: "detached" });

    const toolbar = message(page, "first thought").first().getByRole("toolbar", {
      name: "Message actions",
    });
    await toolbar.getByRole("button", { name: "Add reaction" }).focus();
    await page.keyboard.press("ArrowRight");
    const reply = toolbar.getByRole("button", { name: "Reply" });
    expect(await reply.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    const bar = page.getByTestId("reply-bar");
    await bar.getByText("Replying to olga:").waitFor();
    await bar.getByText("first thought").waitFor();
    await page.keyboard.press("Escape");
    await bar.waitFor({ state: "detached" });
    // Without the bar, a send is a plain message.
    await say(page, "not a reply");
    await page.getByTestId("pending").waitFor({ state: "detached" });
    expect(await quoteIn(page, "not a reply").count()).toBe(0);

    // Reply again, and the quote shows on the sent message.
    await reply.focus();
    await page.keyboard.press("Enter");
    await bar.waitFor();
    await page.keyboard.type("second thought");
    await page.keyboard.press("Enter");
    await quoteIn(page, "second thought").getByText("first thought").waitFor();
    await page.getByTestId("pending").waitFor({ state: "detached" });
    // Enter on the quote jumps to the original.
    await quoteIn(page, "second thought").focus();
    await page.keyboard.press("Enter");
    await expect
      .poll(() => message(page, "first thought").first().getAttribute("class"))
      .toMatch(/\bhighlight\b/);
  });

  it("shows a quoted message older than the messages loaded, read around it", async () => {
    const token = await harness.register("pia");
    const pia = await harness.client(token);
    const channel = (await pia.createChannel("reply-old")).ch.i;
    const first = await pia.send(channel, "the very first line");
    // More than the latest page the client reads (50), so the original is not loaded (but
    // within the page read around it, which then reaches the latest).
    for (let k = 0; k < 55; k++) await pia.send(channel, `line ${k}`);
    await pia.reply(channel, first.i, "answering the first line");

    const page = await harness.open();
    await signIn(page, "pia");
    await openChannel(page, "reply-old");
    const quote = quoteIn(page, "answering the first line");
    await quote.getByText("the very first line").waitFor();
    expect(await messageText(page, "the very first line").count()).toBe(0);
    await quote.click();
    await messageText(page, "the very first line").waitFor();
    await expect
      .poll(() => message(page, "the very first line").first().getAttribute("class"), {
        timeout: 5000,
        interval: 50,
      })
      .toMatch(/\bhighlight\b/);
    // The page read around it reaches the messages held: one timeline, at the live end.
    await messageText(page, "answering the first line").waitFor();
    expect(await page.getByRole("button", { name: "Jump to present" }).count()).toBe(0);
  });
});
