import { EventType, type MessageEvent } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  composer,
  createChannel,
  message,
  messageText,
  registerInUi,
  say,
  signIn,
  twoPeople,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

describe("editing and deleting messages in the web client", () => {
  it("shows an edit live to the other user, marked (edited) with the edit time", async () => {
    const { a, b } = await twoPeople(harness, "edits", "erin", "frank");
    await say(a, "the meeting is at 3");
    await messageText(b, "the meeting is at 3").waitFor();

    const mine = message(a, "the meeting is at 3");
    await mine.hover();
    await mine.getByRole("button", { name: "Edit message" }).click();
    const editor = a.getByRole("textbox", { name: "Edit message" });
    expect(await editor.inputValue()).toBe("the meeting is at 3");
    await editor.fill("the meeting is at 4");
    await editor.press("Enter");
    await editor.waitFor({ state: "detached" });

    const seen = message(b, "the meeting is at 4");
    await seen.getByText("(edited)").waitFor();
    expect(await messageText(b, "the meeting is at 3").count()).toBe(0);
    const time = seen.locator("time", { hasText: "(edited)" });
    expect(await time.getAttribute("title")).toMatch(/^Edited /);
    expect(await time.getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The other user may not edit or delete it.
    await seen.hover();
    await seen.getByRole("button", { name: "Add reaction" }).waitFor();
    expect(await seen.getByRole("button", { name: "Edit message" }).count()).toBe(0);
    expect(await seen.getByRole("button", { name: "Delete message" }).count()).toBe(0);
    // The author's own view says so too, and a reload shows the edited state from history.
    await message(a, "the meeting is at 4").getByText("(edited)").waitFor();
    await b.reload();
    await message(b, "the meeting is at 4").getByText("(edited)").waitFor();
  });

  it("edits the last own message with Up in an empty composer: Escape cancels, Shift+Enter adds a line", async () => {
    const page = await harness.open();
    await registerInUi(page, "gina");
    await createChannel(page, "up-arrow");
    await say(page, "first line");
    await say(page, "second thoght");
    await messageText(page, "second thoght").waitFor();
    await page.getByTestId("pending").waitFor({ state: "detached" });

    await composer(page).press("ArrowUp");
    const editor = page.getByRole("textbox", { name: "Edit message" });
    expect(await editor.inputValue()).toBe("second thoght");
    await editor.press("Escape");
    await editor.waitFor({ state: "detached" });
    // Cancelled: nothing changed, and focus is back in the composer.
    await expect
      .poll(() => composer(page).evaluate((el) => el === document.activeElement))
      .toBe(true);
    expect(await page.getByTestId("edited").count()).toBe(0);

    await composer(page).press("ArrowUp");
    await editor.fill("second thought");
    await editor.press("Shift+Enter");
    await editor.pressSequentially("and more");
    expect(await editor.inputValue()).toBe("second thought\nand more");
    await editor.press("Enter");
    await editor.waitFor({ state: "detached" });
    const edited = message(page, "second thought");
    await edited.getByText("(edited)").waitFor();
    expect(await edited.locator(".message-text bdi").textContent()).toBe(
      "second thought\nand more",
    );
    expect(await messageText(page, "first line").getByText("(edited)").count()).toBe(0);
  });

  it("reaches Edit from the keyboard through the message toolbar", async () => {
    const page = await harness.open();
    await registerInUi(page, "hana");
    await createChannel(page, "keys");
    await say(page, "typed by keyboard");
    await page.getByTestId("pending").waitFor({ state: "detached" });

    const toolbar = message(page, "typed by keyboard").getByRole("toolbar", {
      name: "Message actions",
    });
    // One tab stop for the toolbar: the first tool; arrows move along it.
    await toolbar.getByRole("button", { name: "Add reaction" }).focus();
    await page.keyboard.press("ArrowRight"); // Reply
    await page.keyboard.press("ArrowRight"); // Edit
    const edit = toolbar.getByRole("button", { name: "Edit message" });
    expect(await edit.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await edit.getAttribute("tabindex")).toBe("0");
    expect(
      await toolbar.getByRole("button", { name: "Add reaction" }).getAttribute("tabindex"),
    ).toBe("-1");
    await page.keyboard.press("Enter");
    const editor = page.getByRole("textbox", { name: "Edit message" });
    await editor.waitFor();
    expect(await editor.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Escape");
    // Focus returns to the toolbar of the message it came from.
    await expect
      .poll(() => edit.evaluate((el) => el === document.activeElement).catch(() => false))
      .toBe(true);
  });

  it("shows a deleted message as a tombstone to both users", async () => {
    const { a, b } = await twoPeople(harness, "deletes", "ivan", "jill");
    await say(a, "oops, wrong channel");
    await messageText(b, "oops, wrong channel").waitFor();

    const mine = message(a, "oops, wrong channel");
    await mine.hover();
    await mine.getByRole("button", { name: "Delete message" }).click();
    const dialog = a.getByRole("dialog", { name: "Delete message" });
    await dialog.getByText("oops, wrong channel").waitFor();
    // The author gives no reason; Cancel has focus, so Enter alone loses nothing.
    expect(await dialog.getByLabel("Reason (optional)").count()).toBe(0);
    expect(
      await dialog
        .getByRole("button", { name: "Cancel" })
        .evaluate((el) => el === document.activeElement),
    ).toBe(true);
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    await dialog.waitFor({ state: "detached" });

    for (const page of [a, b]) {
      await page.getByTestId("tombstone").filter({ hasText: "This message was deleted" }).waitFor();
      expect(await page.getByText("oops, wrong channel").count()).toBe(0);
      expect(await page.getByText("deleted by a moderator").count()).toBe(0);
    }
    // History shows it the same way after a reload.
    await b.reload();
    await b.getByTestId("tombstone").filter({ hasText: "This message was deleted" }).waitFor();
    expect(await b.getByText("oops, wrong channel").count()).toBe(0);
  });

  it("lets a moderator delete another member's message with a reason", async () => {
    const { a: owner, b: member } = await twoPeople(harness, "moderated", "kate", "liam");
    await say(member, "buy cheap watches here");
    const theirs = message(owner, "buy cheap watches here");
    await theirs.waitFor();

    await theirs.hover();
    // The owner may delete it, not edit it.
    expect(await theirs.getByRole("button", { name: "Edit message" }).count()).toBe(0);
    await theirs.getByRole("button", { name: "Delete message" }).click();
    const dialog = owner.getByRole("dialog", { name: "Delete message" });
    await dialog.getByText("liam").waitFor();
    await dialog.getByLabel("Reason (optional)").fill("spam");
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    await dialog.waitFor({ state: "detached" });

    for (const page of [owner, member]) {
      await page
        .getByTestId("tombstone")
        .filter({ hasText: "This message was deleted by a moderator" })
        .waitFor();
      expect(await page.getByText("buy cheap watches here").count()).toBe(0);
    }
    // The reason is in the moderation log.
    await say(owner, "/modlog");
    await owner
      .getByTestId("audit-entry")
      .filter({ hasText: "kate deleted a message by liam" })
      .filter({ hasText: "spam" })
      .waitFor();
  });

  it("loads the new content into the editor when the message changed meanwhile", async () => {
    const token = await harness.register("mona");
    const sdk = await harness.client(token);
    const page = await harness.open();
    await signIn(page, "mona");
    await createChannel(page, "conflicts");
    await say(page, "draft one");
    await page.getByTestId("pending").waitFor({ state: "detached" });

    await composer(page).press("ArrowUp");
    const editor = page.getByRole("textbox", { name: "Edit message" });
    await editor.waitFor();
    // Another session of the same user edits it first.
    const channelId = (await sdk.listChannels({ q: "conflicts" })).ch[0]!.i;
    const held = (await sdk.history(channelId, { limit: 10 })).e.find(
      (e): e is MessageEvent => e.t === EventType.MessagePosted,
    );
    if (!held) throw new Error("message not found");
    await sdk.editMessage(channelId, held.i, 1, "draft two, from the phone");
    await editor.fill("draft three");
    await editor.press("Enter");

    await page.getByTestId("edit-error").filter({ hasText: "This message changed" }).waitFor();
    await expect.poll(() => editor.inputValue()).toBe("draft two, from the phone");
    // Saving again, from the version now held, goes through.
    await editor.fill("draft three");
    await editor.press("Enter");
    await editor.waitFor({ state: "detached" });
    await message(page, "draft three").getByText("(edited)").waitFor();
  });

  it("shows a mute's refusal in the editor and offers no Edit while muted", async () => {
    const { a: owner, b: member } = await twoPeople(harness, "muted-edits", "nora", "otto");
    await say(member, "I may be muted soon");
    await member.getByTestId("pending").waitFor({ state: "detached" });
    await composer(member).press("ArrowUp");
    const editor = member.getByRole("textbox", { name: "Edit message" });
    await editor.waitFor();

    await say(owner, "/mute @otto 10m cooling off");
    await member.getByTestId("mute-countdown").waitFor();
    await editor.fill("I was not muted");
    await editor.press("Enter");
    await member.getByTestId("edit-error").filter({ hasText: "You are muted" }).waitFor();
    await editor.press("Escape");
    await editor.waitFor({ state: "detached" });

    const mine = message(member, "I may be muted soon");
    await mine.hover();
    // Deleting one's own message stays open to a muted author; editing does not.
    await mine.getByRole("button", { name: "Delete message" }).waitFor();
    expect(await mine.getByRole("button", { name: "Edit message" }).count()).toBe(0);
    expect(await mine.getByTestId("edited").count()).toBe(0);
  });
});
