import type { ParleyClient } from "@parley/client";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  message,
  messageText,
  openChannel,
  registerInUi,
  signIn,
  type WebHarness,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

/**
 * A channel by `owner` (a fresh account) with `count` messages, the first "the very first
 * line", the rest "line k"; members join before the messages are sent.
 */
async function longChannel(
  h: WebHarness,
  owner: string,
  name: string,
  count: number,
  members: string[] = [],
): Promise<{ client: ParleyClient; channel: number; first: { i: number; s: number } }> {
  const client = await h.client(await h.register(owner));
  const channel = (await client.createChannel(name)).ch.i;
  for (const m of members) await (await h.client(await h.register(m))).joinChannel(channel);
  const first = await client.send(channel, "the very first line");
  for (let k = 1; k < count; k++) await client.send(channel, `line ${k}`);
  return { client, channel, first };
}

function quoteIn(page: Page, text: string) {
  return message(page, text).getByTestId("reply-quote");
}

function present(page: Page) {
  return page.getByRole("button", { name: "Jump to present" });
}

/** The text of the message that holds focus (or an element in it). */
function focusedMessage(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () => document.activeElement?.closest("[data-testid=message]")?.textContent ?? undefined,
  );
}

async function expectHighlighted(page: Page, text: string): Promise<void> {
  // The highlight lasts 1.6 s: polled often, from before the jump.
  await expect
    .poll(() => message(page, text).first().getAttribute("class"), { timeout: 5000, interval: 50 })
    .toMatch(/\bhighlight\b/);
}

describe("jumping to any message in the web client", () => {
  it("shows an old quoted original from a window, then Jump to present shows what came meanwhile", async () => {
    const {
      client: bob,
      channel,
      first,
    } = await longChannel(harness, "bob", "history", 150, ["alice"]);
    await bob.reply(channel, first.i, "an answer to the start");
    const page = await harness.open();
    await signIn(page, "alice");
    await openChannel(page, "history");
    await quoteIn(page, "an answer to the start").getByText("the very first line").waitFor();
    expect(await messageText(page, "the very first line").count()).toBe(0);

    await quoteIn(page, "an answer to the start").click();
    await messageText(page, "the very first line").waitFor();
    await expectHighlighted(page, "the very first line");
    await expect.poll(() => focusedMessage(page)).toContain("the very first line");
    await present(page).waitFor();
    // The window is away from the live end: the reply is not in it.
    expect(await messageText(page, "an answer to the start").count()).toBe(0);

    // While alice reads old history, bob writes and edits a message of her window.
    await bob.send(channel, "sent while alice was reading history");
    const window = await bob.history(channel, { around: first.s, limit: 50 });
    const line3 = window.e.find((e) => "x" in e && e.x === "line 3") as { i: number } | undefined;
    if (!line3) throw new Error("line 3 not found");
    await bob.editMessage(channel, line3.i, 1, "line 3, edited while detached");
    await messageText(page, "line 3, edited while detached").waitFor();
    expect(await messageText(page, "sent while alice was reading history").count()).toBe(0);

    await present(page).click();
    await messageText(page, "sent while alice was reading history").waitFor();
    await messageText(page, "an answer to the start").waitFor();
    await present(page).waitFor({ state: "detached" });
    expect(await messageText(page, "the very first line").count()).toBe(0);
  });

  it("pages down from an old message until it joins the live messages again", async () => {
    const { channel, first, client } = await longChannel(harness, "paula", "paging", 120, [
      "quinn",
    ]);
    await client.reply(channel, first.i, "paging reply");
    const page = await harness.open();
    await signIn(page, "quinn");
    await openChannel(page, "paging");
    await quoteIn(page, "paging reply").click();
    await messageText(page, "the very first line").waitFor();
    await present(page).waitFor();
    // Scrolling down reads newer pages until they reach the live messages.
    await expect
      .poll(async () => {
        await page.getByTestId("scroller").evaluate((el) => el.scrollTo(0, el.scrollHeight));
        return present(page).count();
      })
      .toBe(0);
    await messageText(page, "paging reply").waitFor();
    await messageText(page, "the very first line").waitFor();
    await messageText(page, "line 60").waitFor();
  });

  it("copies a message link that opens the channel at that message for another member", async () => {
    const { channel } = await longChannel(harness, "rita", "linked", 60, ["sam"]);
    const a = await harness.open();
    await a.context().grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: harness.url,
    });
    await signIn(a, "rita");
    await openChannel(a, "linked");
    const line = message(a, "line 55");
    await line.click({ button: "right" });
    const menu = a.getByRole("menu", { name: /^Actions for the message by rita/ });
    await menu.getByRole("menuitem", { name: "Copy link" }).click();
    await a.getByTestId("copy-status").getByText("Link copied").waitFor();
    const link = await a.evaluate(() => navigator.clipboard.readText());
    expect(link).toMatch(new RegExp(`#/c/${channel}/\\d+$`));

    // Sam opens it while the app runs: his view jumps to the message.
    const b = await harness.open();
    await signIn(b, "sam");
    await b.evaluate((url) => {
      window.location.href = url;
    }, link);
    await expectHighlighted(b, "line 55");
    await b.getByRole("heading", { level: 1, name: "linked", exact: true }).waitFor();
    expect(await b.evaluate(() => window.location.hash)).toBe("");
  });

  it("opens a link to an old message in a new tab at that message, in a window around it", async () => {
    const { channel, first } = await longChannel(harness, "ross", "linked-old", 120, ["tess"]);
    const old = `${harness.url}/#/c/${channel}/${first.s}`;
    const signedIn = await harness.open();
    await signIn(signedIn, "tess");
    const c = await signedIn.context().newPage();
    await c.goto(old);
    await messageText(c, "the very first line").waitFor();
    await expectHighlighted(c, "the very first line");
    await present(c).waitFor();
  });

  it("opens no channel from a link to one the user is not in, and says so without details", async () => {
    const { channel } = await longChannel(harness, "vera", "private-ish", 3);
    const page = await harness.open();
    await registerInUi(page, "walt");
    for (const hash of [`#/c/${channel}/1`, "#/c/999999/1"]) {
      await page.evaluate((h) => {
        window.location.hash = h;
      }, hash);
      const notice = page.getByRole("status").filter({
        hasText: "That link is to a channel you are not in, or one that does not exist.",
      });
      await notice.first().waitFor();
      await notice.first().getByRole("button", { name: "Dismiss" }).click();
      await notice.first().waitFor({ state: "detached" });
    }
    expect(await page.getByText("the very first line").count()).toBe(0);
  });

  it("opens the message menu by right click and by Shift+F10, and Escape gives focus back", async () => {
    await longChannel(harness, "xena", "menus", 5, ["yuri"]);
    const page = await harness.open();
    await signIn(page, "xena");
    await openChannel(page, "menus");

    // Right click: the owner's own message offers every action.
    await message(page, "line 4").click({ button: "right" });
    const menu = page.getByRole("menu");
    const names = await menu.getByRole("menuitem").allTextContents();
    expect(names).toEqual([
      "Reply",
      "Add reaction…",
      "Edit message",
      "Pin message",
      "Copy link",
      "Copy text",
      "Delete message…",
    ]);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Reply");
    // Inside the viewport.
    const box = await menu.boundingBox();
    const size = page.viewportSize();
    expect(box && size && box.x >= 0 && box.y >= 0).toBe(true);
    expect(
      box && size && box.x + box.width <= size.width && box.y + box.height <= size.height,
    ).toBe(true);
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    await expect.poll(() => focusedMessage(page)).toContain("line 4");

    // Keyboard: Shift+F10 in the toolbar; arrows, End, Home; Enter runs the item.
    const toolbar = message(page, "line 3").getByRole("toolbar", { name: "Message actions" });
    await toolbar.getByRole("button", { name: "Add reaction" }).focus();
    await page.keyboard.press("Shift+F10");
    await menu.waitFor();
    const focused = () => page.evaluate(() => document.activeElement?.textContent);
    await page.keyboard.press("ArrowDown");
    expect(await focused()).toBe("Add reaction…");
    await page.keyboard.press("End");
    expect(await focused()).toBe("Delete message…");
    await page.keyboard.press("ArrowDown");
    expect(await focused()).toBe("Reply");
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    await expect.poll(() => focusedMessage(page)).toContain("line 3");
    // The ContextMenu key does the same.
    await page.keyboard.press("ContextMenu");
    await menu.waitFor();
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    await expect.poll(() => focusedMessage(page)).toContain("line 3");
    await page.keyboard.press("Shift+F10");
    await menu.waitFor();
    await page.keyboard.press("e");
    expect(await focused()).toBe("Edit message");
    await page.keyboard.press("Enter");
    await page.getByRole("textbox", { name: "Edit message" }).waitFor();
    await page.keyboard.press("Escape");
  });

  it("offers a member only the actions a member may take, from the More button", async () => {
    await longChannel(harness, "yara", "more-menu", 5, ["zack"]);
    // Someone else's message, as a member: no Edit, Pin or Delete; Report instead.
    const member = await harness.open();
    await signIn(member, "zack");
    await openChannel(member, "more-menu");
    const theirs = message(member, "line 4");
    await theirs.hover();
    await theirs.getByRole("button", { name: "More actions" }).click();
    expect(await member.getByRole("menu").getByRole("menuitem").allTextContents()).toEqual([
      "Reply",
      "Add reaction…",
      "Copy link",
      "Copy text",
      "Report message…",
    ]);
    await member.getByRole("menuitem", { name: "Add reaction…" }).click();
    const picker = member.getByRole("dialog", { name: "Add reaction" });
    await picker.getByRole("searchbox").fill("thumbs up");
    await picker
      .getByRole("button", { name: /^thumbs up/ })
      .first()
      .click();
    await theirs.locator(".chip").first().waitFor();
  });

  it("jumps from the pinned panel to an old pinned message that is not loaded", async () => {
    const { client, channel, first } = await longChannel(harness, "zoe", "pinned-old", 150, [
      "abel",
    ]);
    await client.pinMessage(channel, first.i);
    const page = await harness.open();
    await signIn(page, "abel");
    await openChannel(page, "pinned-old");
    expect(await messageText(page, "the very first line").count()).toBe(0);
    await page.getByRole("button", { name: /^Pinned messages/ }).click();
    const panel = page.getByRole("dialog", { name: /^Pinned in #/ });
    await panel.getByRole("button", { name: /^zoe/ }).click();
    await messageText(page, "the very first line").waitFor();
    await expectHighlighted(page, "the very first line");
    await expect.poll(() => focusedMessage(page)).toContain("the very first line");
    await present(page).waitFor();
  });
});
