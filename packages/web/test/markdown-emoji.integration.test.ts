import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  composer,
  continueAsGuest,
  createChannel,
  joinChannel,
  messageText,
  say,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

/** Two guests in a new channel: `a` created it, `b` joined. */
async function twoPeople(channel: string) {
  const a = await harness.open();
  const aName = await continueAsGuest(a);
  await createChannel(a, channel);
  const b = await harness.open();
  const bName = await continueAsGuest(b);
  await joinChannel(b, channel);
  return { a, aName, b, bName };
}

/** The element the page has focus on, described by its accessible label or text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el?.getAttribute("aria-label") ?? el?.textContent ?? "";
  });

describe("Markdown, emoji and completions", () => {
  it("renders Markdown for the other person: bold, a code block and a link", async () => {
    const { a, b } = await twoPeople("markdown");
    await say(
      a,
      "**bold move** and a [guide](https://example.com/guide)\n\n```\nconst x = 1 < 2;\n```",
    );

    const shown = messageText(b, "bold move");
    await shown.waitFor();
    expect(await shown.locator("strong").textContent()).toBe("bold move");
    expect(await shown.locator("pre code").textContent()).toBe("const x = 1 < 2;\n");
    const link = shown.getByRole("link", { name: "guide" });
    expect(await link.getAttribute("href")).toBe("https://example.com/guide");
    expect(await link.getAttribute("target")).toBe("_blank");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    // Still isolated for bidi.
    expect(await shown.locator("bdi").count()).toBe(1);
  });

  it("keeps <script>, javascript: links and images inert", async () => {
    const { a, b } = await twoPeople("inert");
    const dialogs: string[] = [];
    for (const page of [a, b]) page.on("dialog", (d) => dialogs.push(d.message()));
    const evil =
      "<script>alert(1)</script> [click me](javascript:alert(2)) <img src=x onerror=alert(3)> ![pic](http://127.0.0.1:9/x.png)";
    await say(a, evil);

    const shown = messageText(b, "click me");
    await shown.waitFor();
    const timeline = b.getByTestId("timeline");
    expect(await timeline.locator("script, img").count()).toBe(0);
    expect(await timeline.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await shown.textContent()).toContain("<script>alert(1)</script>");
    expect(await shown.textContent()).toContain("<img src=x onerror=alert(3)>");
    // The image is a link to it, never loaded; the javascript: one is plain text.
    expect(await shown.getByRole("link", { name: "pic" }).getAttribute("href")).toBe(
      "http://127.0.0.1:9/x.png",
    );
    await shown.getByText("click me").click();
    expect(dialogs).toEqual([]);
  });

  it("shows a reaction picked with the keyboard to the other person", async () => {
    const { a, b } = await twoPeople("picker");
    await say(a, "pick a reaction");

    const target = b.getByTestId("message").filter({ hasText: "pick a reaction" });
    await target.hover();
    const button = target.getByRole("button", { name: "Add reaction" });
    await button.click();
    const picker = b.getByRole("dialog", { name: "Add reaction" });
    const search = picker.getByRole("searchbox", { name: "Search emoji" });
    await search.waitFor();
    expect(await focused(b)).toBe("Search emoji");

    // Escape closes it and gives focus back to the button.
    await b.keyboard.press("Escape");
    await picker.waitFor({ state: "detached" });
    expect(await focused(b)).toBe("Add reaction");

    await button.click();
    await picker.getByRole("button", { name: "grinning face", exact: true }).waitFor();
    await b.keyboard.type("tada");
    await picker.getByRole("button", { name: "party popper", exact: true }).waitFor();
    // Into the grid and along it with the arrows, back to the first, Enter picks.
    await b.keyboard.press("ArrowDown");
    await b.keyboard.press("ArrowRight");
    await b.keyboard.press("ArrowLeft");
    expect(await focused(b)).toBe("party popper");
    await b.keyboard.press("Enter");
    await picker.waitFor({ state: "detached" });
    expect(await focused(b)).toBe("Add reaction");

    const chip = a
      .getByTestId("message")
      .filter({ hasText: "pick a reaction" })
      .locator(".chip[data-emoji='🎉']");
    await chip.filter({ hasText: "1" }).waitFor();

    // The pick is a recent one now, first in the picker next time.
    await button.click();
    const recent = picker.getByRole("group", { name: "Recently used" });
    expect(await recent.getByRole("button").first().getAttribute("data-emoji")).toBe("🎉");
    await b.keyboard.press("Escape");
  });

  it("completes a member's name and a shortcode in the composer", async () => {
    const { a, bName, b } = await twoPeople("complete");
    const input = composer(a);
    const typed = `hi @${bName.slice(0, 9)}`;
    await input.fill("");
    await input.pressSequentially(typed);
    const members = a.getByRole("listbox", { name: "Members" });
    const option = members.getByRole("option", { name: new RegExp(`^${bName} online`) });
    await option.waitFor();
    // The combobox points at the highlighted option.
    const active = await input.getAttribute("aria-activedescendant");
    expect(active).toBeTruthy();
    expect(await a.locator(`[id="${active}"]`).textContent()).toContain(bName);
    await input.press("Tab");
    expect(await input.inputValue()).toBe(`hi @${bName} `);
    await members.waitFor({ state: "detached" });

    await input.pressSequentially(":tad");
    await a.getByRole("listbox", { name: "Emoji" }).getByRole("option").first().waitFor();
    await input.press("Enter");
    expect(await input.inputValue()).toBe(`hi @${bName} 🎉`);

    // Escape closes a list; Enter then sends.
    await input.pressSequentially(" @");
    await members.waitFor();
    await input.press("Escape");
    await members.waitFor({ state: "detached" });
    await input.press("Enter");
    await messageText(b, `hi @${bName} 🎉 @`).waitFor();

    // A name typed in full sends on Enter, though its option still shows.
    await input.pressSequentially(`bye @${bName}`);
    await option.waitFor();
    await input.press("Enter");
    await messageText(b, `bye @${bName}`).waitFor();
    expect(await input.inputValue()).toBe("");
  });

  it("inserts an emoji from the composer's picker at the caret", async () => {
    const a = await harness.open();
    await continueAsGuest(a);
    await createChannel(a, "insert");
    const input = composer(a);
    await input.fill("good  work");
    await input.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(5, 5));
    await a.getByRole("button", { name: "Insert emoji" }).click();
    const picker = a.getByRole("dialog", { name: "Insert emoji" });
    await picker.getByRole("searchbox").fill("thumbs up");
    await picker.getByRole("button", { name: "thumbs up", exact: true }).click();
    await picker.waitFor({ state: "detached" });
    expect(await input.inputValue()).toBe("good 👍 work");
    expect(await focused(a)).toBe(await input.getAttribute("aria-label"));
  });
});
