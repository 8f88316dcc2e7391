import type { ParleyClient } from "@parley/client";
import { EventType, type MessageEvent } from "@parley/protocol";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  composer,
  joinChannel,
  messageText,
  openChannel,
  openTeamChat,
  say,
  seedTeamChat,
  signIn,
} from "./browser-harness";
import { webSuite } from "./web-suite";

// One server with a lived-in conversation; each spec opens fresh browser contexts on it, so axe
// sees the real elements: messages with reactions and links, an action, system lines, a
// command's note, members online and offline with roles and a guest badge, typing, unread
// counts, a notice, a mute countdown, an edited message, tombstones (the author's and a
// moderator's deletion), a pinned message, replies (one to a deleted message), the reply bar,
// mentions (the reader's name, another's, @here), an open picker, the inline editor and open
// dialogs.
let general = 0;
let design = 0;
let bob: ParleyClient;
let alice: ParleyClient;

const harness = webSuite({}, async (h) => {
  const team = await seedTeamChat(h);
  ({ alice, bob, general, design } = team);
  await alice.command(general, "/mod @dana");
  await alice.command(general, "/slow 5");
  await alice.command(general, "/slow off");
  await alice.command(general, "/topic Company-wide news and chatter");
  // An edited message, one deleted by its author and one deleted by a moderator.
  const latest = await alice.history(general, { limit: 50 });
  const notes = latest.e.find(
    (e): e is MessageEvent => e.t === EventType.MessagePosted && e.x.startsWith("Notes are here"),
  );
  if (!notes) throw new Error("seeded message not found");
  await alice.editMessage(
    general,
    notes.i,
    1,
    "Notes are here: https://example.com/releases/2.4 (final)",
  );
  // A pinned message: its marker in the timeline, and an entry in the pinned panel.
  await alice.pinMessage(general, notes.i);
  const wrong = await bob.send(general, "wrong channel, sorry");
  await bob.deleteMessage(general, wrong.i);
  // Replies: one quoting the edited message, one whose original is deleted.
  await bob.reply(general, notes.i, "Thanks, reading them now");
  const spam = await bob.send(general, "cheap watches, click here");
  await alice.reply(general, spam.i, "Please keep ads out of here");
  await alice.deleteMessage(general, spam.i, "spam");
  // Mentions: one of dana (her row marked, her name the strong pill) and one of bob, and a
  // group mention by the owner.
  await alice.send(general, "@dana can you write the announcement? cc @bob");
  await alice.send(general, "@here standup moves to 10:30");
  // The guest leaves: it shows as an offline member.
  await team.guest.close();
  // A long channel whose first message is answered last: its quote jumps away from the live end.
  const archive = (await alice.createChannel("archive", "Old threads")).ch.i;
  await team.dana.joinChannel(archive);
  const kickoff = await alice.send(archive, "Kickoff notes are in the wiki.");
  for (let k = 1; k < 120; k++) await alice.send(archive, `archive line ${k}`);
  await bob.joinChannel(archive);
  await bob.reply(archive, kickoff.i, "Found the kickoff notes, thanks");
});

/** Dana in #archive, the timeline detached around its first message. */
async function detachedWithMenu(page: Page): Promise<void> {
  await signIn(page, "dana");
  await openChannel(page, "archive");
  await page.getByTestId("reply-quote").filter({ hasText: "Kickoff notes" }).click();
  await messageText(page, "Kickoff notes are in the wiki.").waitFor();
  await page.getByRole("button", { name: "Jump to present" }).waitFor();
}

/** Dana's chat in #general, with bob typing, an unread channel, a note and a notice. */
async function livedInChat(page: Page, scheme: string): Promise<void> {
  await openTeamChat(page);
  await say(page, "/modlog 5");
  await page.getByTestId("note").waitFor();
  // A channel dana is removed from leaves a notice.
  const doomed = (await bob.createChannel(`doomed-${scheme}`)).ch.i;
  await joinChannel(page, `doomed-${scheme}`);
  await bob.command(doomed, "/kick @dana testing notices");
  await page.getByRole("status").filter({ hasText: "You were removed" }).waitFor();
  await openChannel(page, "general");
  await alice.send(general, `A new message for the ${scheme} check.`);
  await alice.send(design, "Updated the spacing scale.");
  await page.getByTestId("unread").first().waitFor();
  bob.typing(general, true);
  await page.getByTestId("typing").filter({ hasText: "bob is typing" }).waitFor();
  await composer(page).fill("Sounds good, I'll write the announcement");
}

describe("accessibility (axe-core in Chromium)", () => {
  for (const scheme of ["light", "dark"] as const) {
    it(`finds no serious or critical violation on the sign-in screen in ${scheme} mode`, async () => {
      const page = await harness.open({ colorScheme: scheme });
      await page.getByRole("button", { name: "Continue as guest" }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole("tab", { name: "Create account" }).click();
      await page.getByRole("button", { name: "Create account", exact: true }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
    });

    it(`finds no serious or critical violation in a lived-in chat in ${scheme} mode`, async () => {
      const page = await harness.open({ colorScheme: scheme });
      await livedInChat(page, scheme);
      const mentioned = page.locator(".message.mentioned").filter({ hasText: "announcement?" });
      await mentioned.locator(".mention.mention-me").waitFor();
      await mentioned.locator(".mention:not(.mention-me)").waitFor();
      await page.locator(".message.mentioned .mention", { hasText: "@here" }).waitFor();
      expect(await axeViolations(page)).toEqual([]);

      // The reaction picker, open on a message.
      const message = page.getByTestId("message").filter({ hasText: "last blocker" });
      await message.hover();
      await message.getByRole("button", { name: "Add reaction" }).click();
      const picker = page.getByRole("dialog", { name: "Add reaction" });
      await picker.getByRole("button", { name: "grinning face", exact: true }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      // Searching, with a skin tone.
      await picker.getByLabel("Skin tone").selectOption("3");
      await picker.getByRole("searchbox").fill("wave");
      await picker.getByRole("button", { name: "waving hand", exact: true }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");
      await picker.waitFor({ state: "detached" });

      // The composer's completion list, open on a shortcode and on a member's name.
      const input = page.getByRole("combobox", { name: /^Message #/ });
      await input.fill(":smi");
      await page.getByRole("listbox", { name: "Emoji" }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await input.fill("@");
      await page.getByRole("listbox", { name: "Members" }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await input.fill("");

      // An edited message with focus in it (its edit time shows), and both tombstones.
      await page.getByTestId("tombstone").filter({ hasText: "by a moderator" }).waitFor();
      await page
        .getByTestId("tombstone")
        .filter({ hasText: /deleted$/ })
        .waitFor();
      // The first: the reply to it quotes the same words.
      const edited = page.getByTestId("message").filter({ hasText: "(final)" }).first();
      await edited.getByRole("button", { name: "Add reaction" }).focus();
      await edited.locator(".edited-when").waitFor();
      expect(await axeViolations(page)).toEqual([]);

      // Replies with their quotes, and the reply bar open above the composer.
      await page
        .getByTestId("reply-quote")
        .filter({ hasText: "Original message deleted" })
        .waitFor();
      await page.getByTestId("reply-quote").filter({ hasText: "(final)" }).waitFor();
      const answered = page.getByTestId("message").filter({ hasText: "last blocker" });
      await answered.hover();
      await answered.getByRole("button", { name: "Reply" }).click();
      await page.getByTestId("reply-bar").getByText("last blocker").waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole("button", { name: "Cancel reply" }).click();
      await page.getByTestId("reply-bar").waitFor({ state: "detached" });

      // The delete dialog of a moderator (dana) on another's message, with its reason field.
      const theirs = page.getByTestId("message").filter({ hasText: "last blocker" });
      await theirs.hover();
      await theirs.getByRole("button", { name: "Delete message" }).click();
      await page
        .getByRole("dialog", { name: "Delete message" })
        .getByLabel("Reason (optional)")
        .waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");

      // The inline editor on dana's own message, with a refusal shown.
      const mine = page.getByTestId("message").filter({ hasText: "nothing doubled" });
      await mine.hover();
      await mine.getByRole("button", { name: "Edit message" }).click();
      const editor = page.getByRole("textbox", { name: "Edit message" });
      await editor.fill("   ");
      await editor.press("Enter");
      await page.getByTestId("edit-error").waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await editor.press("Escape");

      // A pinned message's marker, and the pinned panel as a moderator sees it (with Unpin).
      await edited.getByTestId("pinned").getByText("Pinned by alice").waitFor();
      await page.getByRole("button", { name: "Pinned messages: 1" }).click();
      const pins = page.getByRole("dialog", { name: "Pinned in #general" });
      await pins.getByRole("button", { name: /^Unpin the message by/ }).waitFor();
      await pins.getByText("(final)").waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");
      await pins.waitFor({ state: "detached" });

      // Browse channels, open with its results.
      await page.getByRole("button", { name: "Browse channels" }).first().click();
      await page.getByRole("button", { name: "Open #general" }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");

      // Create a channel, refused with an error shown.
      await page.getByRole("button", { name: "Create channel" }).first().click();
      await page.getByLabel("Name").fill("general");
      await page.getByRole("button", { name: "Create channel", exact: true }).last().click();
      await page.getByRole("dialog").getByRole("alert").waitFor();
      expect(await axeViolations(page)).toEqual([]);
      bob.typing(general, false);
    });

    // The menu as a popup on a wide screen in light mode, as a sheet on a phone in dark mode:
    // each layout once, each scheme once (the other specs cover both schemes everywhere).
    for (const phone of scheme === "light" ? [false] : [true]) {
      const where = phone ? "on a phone" : "on a wide screen";
      it(`finds no serious or critical violation in a detached timeline with the message menu open ${where} in ${scheme} mode`, async () => {
        const page = await harness.open({ colorScheme: scheme });
        await detachedWithMenu(page);
        // Signed in on a wide screen (the phone folds the sidebar that shows who is signed in).
        if (phone) await page.setViewportSize({ width: 390, height: 844 });
        expect(await axeViolations(page)).toEqual([]);
        const line = page.getByTestId("message").filter({ hasText: "archive line 3" }).first();
        if (phone) {
          // A phone has no right click: the toolbar's More button, and a sheet at the bottom.
          await line.click();
          await line.getByRole("button", { name: "More actions" }).click();
        } else {
          await line.click({ button: "right" });
        }
        const menu = page.getByRole("menu");
        await menu.getByRole("menuitem", { name: "Copy link" }).waitFor();
        expect(await axeViolations(page)).toEqual([]);
        const box = await menu.boundingBox();
        if (phone) expect(box && Math.round(box.y + box.height)).toBe(844);
        await page.keyboard.press("Escape");
        await menu.waitFor({ state: "detached" });
      });
    }

    it(`finds no serious or critical violation on a phone in ${scheme} mode`, async () => {
      const page = await harness.open({ colorScheme: scheme, width: 390, height: 844 });
      // The user's name sits in the folded sidebar, so read it without waiting for it to show.
      await page.getByRole("button", { name: "Continue as guest" }).click();
      await page.getByTestId("me").waitFor({ state: "attached" });
      const guest = (await page.getByTestId("me").textContent()) ?? "";
      await page.getByRole("button", { name: "Browse channels" }).first().click();
      await page.getByRole("searchbox").fill("general");
      await page.getByRole("button", { name: "Join #general" }).click();
      await messageText(page, "Hi everyone").waitFor();
      // The owner's @here mentions the guest too: its row is marked on the phone.
      await page.locator(".message.mentioned .mention", { hasText: "@here" }).waitFor();
      // A send refused for slow mode, with its countdown.
      await alice.command(general, "/slow 60");
      await page.getByTestId("system").filter({ hasText: "turned on slow mode" }).last().waitFor();
      await say(page, `checking in (${scheme})`);
      await messageText(page, `checking in (${scheme})`).waitFor();
      await page.getByTestId("pending").waitFor({ state: "detached" });
      await say(page, "and again");
      await page.getByText(/Slow mode is on\. You can send again in/).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await alice.command(general, "/slow off");
      await page.getByText(/send again in/).waitFor({ state: "detached" });
      // The composer's emoji picker, a sheet at the bottom of the phone.
      await page.getByRole("button", { name: "Insert emoji" }).click();
      await page
        .getByRole("dialog", { name: "Insert emoji" })
        .getByRole("button", { name: "grinning face", exact: true })
        .waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");
      // A reply's quote and the reply bar on a phone.
      const hi = page.getByTestId("message").filter({ hasText: "Hi everyone" });
      await hi.click();
      await hi.getByRole("button", { name: "Reply" }).click();
      await page.getByTestId("reply-bar").waitFor();
      await page.getByTestId("reply-quote").first().waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await composer(page).press("Escape");
      await page.getByTestId("reply-bar").waitFor({ state: "detached" });
      await alice.command(general, `/mute @${guest} 10m too loud`);
      await page.getByTestId("mute-countdown").waitFor();
      expect(await axeViolations(page)).toEqual([]);

      await page.getByRole("button", { name: "Channels" }).click();
      await page.locator(".nav-open .sidebar").waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");

      await page.getByRole("button", { name: /^Members/ }).click();
      await page.locator(".members-open .members").waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");

      // The pinned panel on a phone, as a member sees it.
      await page.getByRole("button", { name: /^Pinned messages/ }).click();
      await page
        .getByRole("dialog", { name: "Pinned in #general" })
        .getByTestId("pin-item")
        .waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press("Escape");

      await page.getByRole("button", { name: "Channels" }).click();
      await page.getByRole("button", { name: /register to keep this name/ }).click();
      await page.getByLabel("Password").waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await alice.command(general, `/unmute @${guest}`);
    });
  }
});
