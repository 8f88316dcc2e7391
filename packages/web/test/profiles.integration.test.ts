import { readFile } from "node:fs/promises";
import { unzipSync } from "fflate";
import type { Locator, Page } from "playwright-core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  composer,
  continueAsGuest,
  createChannel,
  joinChannel,
  message,
  messageText,
  registerInUi,
  say,
  signIn,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "a much longer passphrase";
const AVATAR_SRC = /^\/api\/v1\/avatars\/[A-Za-z0-9_-]+$/;

/** Opens the account settings from the sidebar; resolves to the dialog. */
async function openAccount(page: Page) {
  await page.getByRole("button", { name: "Account settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Account settings" });
  await dialog.waitFor();
  return dialog;
}

/** Signs in from the sign-in screen with `password`. */
async function signInWith(page: Page, username: string, password: string) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("me").filter({ hasText: username }).waitFor();
}

/** A small PNG of one colour, as a person's photo would be. */
function png(): Promise<Buffer> {
  return sharp({
    create: { width: 96, height: 64, channels: 3, background: { r: 200, g: 60, b: 90 } },
  })
    .png()
    .toBuffer();
}

/** Sets a display name as the account settings do, over HTTP with the account's token. */
async function setDisplayName(token: string, displayName: string): Promise<void> {
  const res = await fetch(`${harness.url}/api/v1/profile`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ displayName }),
  });
  expect(res.status).toBe(200);
}

/** What an element says, trimmed (empty when it is gone). */
async function textOf(locator: Locator): Promise<string> {
  return (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? "").trim() : "";
}

/** Whether an image element has loaded (the server answered with an image). */
function loaded(image: Locator) {
  return image.evaluate((img) => (img as HTMLImageElement).naturalWidth > 0);
}

describe("profiles and account settings in the web client", () => {
  it("shows a display name, status and avatar live to another member, and manages the account", async () => {
    const alice = await harness.open();
    await registerInUi(alice, "alice");
    await createChannel(alice, "tea-party");
    // Alice's other browser, signed in before anything changes.
    const elsewhere = await harness.open();
    await signIn(elsewhere, "alice");
    const bob = await harness.open();
    await registerInUi(bob, "bob");
    await joinChannel(bob, "tea-party");
    await say(alice, "Curiouser and curiouser");
    await messageText(bob, "Curiouser and curiouser").waitFor();

    // Alice sets her display name and status, then her avatar.
    const dialog = await openAccount(alice);
    expect(await axeViolations(alice)).toEqual([]);
    await dialog.getByLabel("Display name").fill("Alice Liddell");
    await dialog.getByLabel("Status").fill("Down the rabbit hole");
    await dialog.getByRole("button", { name: "Save profile" }).click();
    await dialog.getByRole("status").filter({ hasText: "Profile saved." }).waitFor();
    await dialog.getByTestId("avatar-input").setInputFiles({
      name: "alice.png",
      mimeType: "image/png",
      buffer: await png(),
    });
    await dialog.getByRole("status").filter({ hasText: "Avatar changed." }).waitFor();
    const preview = dialog.getByTestId("account-preview");
    await preview.getByText("Alice Liddell").waitFor();
    await preview.getByText("@alice").waitFor();
    const previewImage = preview.locator("img");
    expect(await previewImage.getAttribute("src")).toMatch(AVATAR_SRC);
    await expect.poll(() => loaded(previewImage)).toBe(true);
    expect(await axeViolations(alice)).toEqual([]);
    // Her own sidebar follows.
    await alice.locator(".sidebar-user").getByText("Alice Liddell").waitFor();

    // Bob's tab shows it without a reload: on her message, in the member list, on her card.
    const group = bob.locator("li.group").filter({ hasText: "Curiouser and curiouser" });
    await group.getByRole("button", { name: "Alice Liddell", exact: true }).waitFor();
    await group.getByText("@alice", { exact: true }).waitFor();
    const authorImage = group.locator("img.avatar");
    await expect.poll(() => authorImage.getAttribute("src")).toMatch(AVATAR_SRC);
    expect(await authorImage.getAttribute("alt")).toBe("");
    await expect.poll(() => loaded(authorImage)).toBe(true);
    const members = bob.getByRole("complementary", { name: "Members" });
    const row = members.getByRole("button", { name: /^Alice Liddell @alice/ });
    await row.waitFor();
    expect(await row.locator("img").getAttribute("src")).toMatch(AVATAR_SRC);
    await row.click();
    const card = bob.getByRole("dialog", { name: "Alice Liddell", exact: true });
    await card.getByText("@alice", { exact: true }).waitFor();
    await card.getByText("Down the rabbit hole").waitFor();
    expect(await card.locator(".modal-head img").getAttribute("src")).toMatch(AVATAR_SRC);
    expect(await axeViolations(bob)).toEqual([]);
    await card.getByRole("button", { name: "Close" }).click();

    // A display name is text: markup in it is shown as typed.
    await dialog.getByLabel("Display name").fill("<b>Alice</b>");
    await dialog.getByRole("button", { name: "Save profile" }).click();
    await group.getByRole("button", { name: "<b>Alice</b>", exact: true }).waitFor();
    expect(await group.locator(".author-button b").count()).toBe(0);
    await dialog.getByLabel("Display name").fill("Alice Liddell");
    await dialog.getByRole("button", { name: "Save profile" }).click();
    await group.getByRole("button", { name: "Alice Liddell", exact: true }).waitFor();

    // A wrong current password is refused; the right one changes it, and her other browser is
    // signed out.
    await dialog.getByLabel("Current password").fill("not my password");
    await dialog.getByLabel("New password").fill(NEW_PASSWORD);
    await dialog.getByRole("button", { name: "Change password" }).click();
    await dialog.getByRole("alert").filter({ hasText: "not your current password" }).waitFor();
    await dialog.getByLabel("Current password").fill(PASSWORD);
    await dialog.getByRole("button", { name: "Change password" }).click();
    await dialog
      .getByRole("status")
      .filter({ hasText: "Password changed. Your other sessions were signed out." })
      .waitFor();
    await elsewhere.getByText("Your session has ended. Sign in again to continue.").waitFor();

    // Signed in again there with the new password, then signed out from the dialog.
    await signInWith(elsewhere, "alice", NEW_PASSWORD);
    await dialog.getByRole("button", { name: "Sign out other sessions" }).click();
    await dialog.getByRole("status").filter({ hasText: "Signed out 1 other session." }).waitFor();
    await elsewhere.getByText("Your session has ended. Sign in again to continue.").waitFor();
    // Her data, as a zip with her profile in it.
    const [download] = await Promise.all([
      alice.waitForEvent("download"),
      dialog.getByRole("button", { name: "Download my data" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^parley-alice-\d{4}-\d\d-\d\d\.zip$/);
    const zip = unzipSync(new Uint8Array(await readFile(await download.path())));
    expect(Object.keys(zip)).toContain("profile.json");
    const profile = JSON.parse(new TextDecoder().decode(zip["profile.json"])) as {
      user: { username: string; displayName: string; status: string };
    };
    expect(profile.user).toMatchObject({
      username: "alice",
      displayName: "Alice Liddell",
      status: "Down the rabbit hole",
    });
    await dialog.getByRole("status").filter({ hasText: download.suggestedFilename() }).waitFor();

    // Removing the avatar brings the initials back, for Bob too.
    await dialog.getByRole("button", { name: "Remove avatar" }).click();
    await dialog.getByRole("status").filter({ hasText: "Avatar removed." }).waitFor();
    await expect.poll(() => group.locator("img.avatar").count()).toBe(0);
    await expect.poll(() => row.locator("img").count()).toBe(0);

    // This tab stayed signed in throughout.
    await dialog.getByRole("button", { name: "Close" }).click();
    await say(alice, "Still here");
    await messageText(bob, "Still here").waitFor();
  });

  it("names a member by their display name in the typing line, pins, mentions and read-outs, live", async () => {
    // Robin (in dark mode) owns the channel; Alys joins after him, so he knows her only from
    // MemberJoined, and makes her a moderator so that she may pin.
    const robin = await harness.open({ colorScheme: "dark" });
    await registerInUi(robin, "robin");
    await createChannel(robin, "looking-glass");
    const token = await harness.register("alys");
    const alys = await harness.open();
    await signIn(alys, "alys");
    await joinChannel(alys, "looking-glass");
    const members = robin.getByRole("complementary", { name: "Members" });
    await members.getByRole("button", { name: /^alys\b/ }).waitFor();
    await say(robin, "/mod @alys");
    await robin.getByTestId("system").filter({ hasText: "made alys a moderator" }).waitFor();

    // Her display name reaches Robin by UserUpdated, for a member he learned of by her joining.
    await setDisplayName(token, "Alice Liddell");
    await members.getByRole("button", { name: /^Alice Liddell @alys/ }).waitFor();

    // Her message is read out to him by her display name.
    await say(alys, "Curiouser and curiouser");
    await messageText(robin, "Curiouser and curiouser").waitFor();
    const readOut = robin.locator("div.sr-only[aria-live]");
    await expect.poll(() => textOf(readOut)).toBe("Alice Liddell: Curiouser and curiouser");

    // She pins it: Robin sees who did, by her display name.
    const hers = message(alys, "Curiouser and curiouser");
    await hers.hover();
    await hers.getByRole("button", { name: "Pin message" }).click();
    const pinMark = message(robin, "Curiouser and curiouser").getByTestId("pinned");
    await expect.poll(() => textOf(pinMark)).toBe("Pinned by Alice Liddell");

    // He mentions her: the pill shows her display name, her username as its title; for her it
    // is her own pill, by her own display name.
    await say(robin, "@alys thanks for pinning that");
    const pill = message(robin, "thanks for pinning that").locator(".message-text .mention");
    await expect.poll(() => textOf(pill)).toBe("@Alice Liddell");
    expect(await pill.getAttribute("title")).toBe("@alys");
    const ownPill = message(alys, "thanks for pinning that").locator(".mention.mention-me");
    await expect.poll(() => textOf(ownPill)).toBe("@Alice Liddell");

    // The pins panel names her as author and pinner.
    await robin.getByRole("button", { name: /^Pinned messages/ }).click();
    const panel = robin.getByRole("dialog", { name: "Pinned in #looking-glass" });
    const item = panel.getByTestId("pin-item").filter({ hasText: "Curiouser and curiouser" });
    await expect.poll(() => textOf(item.locator(".pin-author"))).toBe("Alice Liddell");
    await expect.poll(() => textOf(item.locator(".pin-by"))).toBe("Pinned by Alice Liddell");
    await item.getByRole("button", { name: "Unpin the message by Alice Liddell" }).waitFor();
    expect(await axeViolations(robin)).toEqual([]);

    // She types: the typing line names her by her display name.
    await composer(alys).fill("Off with their heads");
    const typing = robin.getByTestId("typing");
    await expect.poll(() => textOf(typing)).toBe("Alice Liddell is typing…");

    // A new display name, while she is still typing: all of it follows without a reload.
    await setDisplayName(token, "Alice Pleasance");
    await expect.poll(() => textOf(typing)).toBe("Alice Pleasance is typing…");
    await expect.poll(() => textOf(item.locator(".pin-by"))).toBe("Pinned by Alice Pleasance");
    expect(await textOf(item.locator(".pin-author"))).toBe("Alice Pleasance");
    expect(await textOf(pinMark)).toBe("Pinned by Alice Pleasance");
    expect(await textOf(pill)).toBe("@Alice Pleasance");
    expect(await pill.getAttribute("title")).toBe("@alys");
    await members.getByRole("button", { name: /^Alice Pleasance @alys/ }).waitFor();
    await expect.poll(() => textOf(ownPill)).toBe("@Alice Pleasance");
    await robin.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    expect(await axeViolations(robin)).toEqual([]);

    // What she sends next is read out by the new name.
    await composer(alys).press("Enter");
    await messageText(robin, "Off with their heads").waitFor();
    await expect.poll(() => textOf(readOut)).toBe("Alice Pleasance: Off with their heads");
    await expect.poll(() => textOf(typing)).toBe("");

    // On a phone, a long display name in a pill stays within the screen.
    await setDisplayName(token, "Alice Pleasance Liddell of the Looking-Glass and Wonderland");
    await expect
      .poll(() => textOf(pill))
      .toBe("@Alice Pleasance Liddell of the Looking-Glass and Wonderland");
    await robin.setViewportSize({ width: 390, height: 844 });
    const width = await robin.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    const box = await pill.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    expect(await axeViolations(robin)).toEqual([]);
  });

  it("fits a phone in dark mode, and tells a guest to register for a profile", async () => {
    const phone = await harness.open({ colorScheme: "dark" });
    await registerInUi(phone, "carol");
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.getByRole("button", { name: "Channels", exact: true }).click();
    const dialog = await openAccount(phone);
    // Keyboard: the dialog starts at its first field.
    await expect
      .poll(() => dialog.getByLabel("Display name").evaluate((el) => el === document.activeElement))
      .toBe(true);
    expect(await axeViolations(phone)).toEqual([]);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    const box = await dialog.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    // A new password too short is refused before it is sent.
    await dialog.getByLabel("Current password").fill(PASSWORD);
    await dialog.getByLabel("New password").fill("short");
    await dialog.getByLabel("New password").press("Enter");
    expect(await dialog.getByRole("status").allTextContents()).not.toContain(
      "Password changed. Your other sessions were signed out.",
    );
    await phone.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });

    const guest = await harness.open();
    await continueAsGuest(guest);
    const asGuest = await openAccount(guest);
    await asGuest.getByText("Register to set a display name, status and avatar").waitFor();
    expect(await asGuest.getByLabel("Display name").count()).toBe(0);
    expect(await asGuest.getByLabel("Current password").count()).toBe(0);
    expect(await axeViolations(guest)).toEqual([]);
    await asGuest.getByRole("button", { name: "Register", exact: true }).click();
    await guest.getByRole("dialog", { name: "Register" }).waitFor();
  });

  it("lets an admin export a channel from the console, and the audit log tells it", async () => {
    await harness.register("keeper");
    await harness.grantAdmin("keeper");
    const admin = await harness.open();
    await admin.goto("/admin");
    await admin.getByLabel("Username").fill("keeper");
    await admin.getByLabel("Password").fill(PASSWORD);
    await admin.getByRole("button", { name: "Sign in", exact: true }).click();
    await admin.getByRole("heading", { name: "Parley admin" }).waitFor();
    await admin.getByRole("tab", { name: "Channels" }).click();
    const row = admin.getByRole("row").filter({ hasText: "#tea-party" });
    await row.getByRole("button", { name: "#tea-party" }).click();
    const details = admin.getByRole("region", { name: "#tea-party" });
    const [download] = await Promise.all([
      admin.waitForEvent("download"),
      details.getByRole("button", { name: "Export", exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^parley-tea-party-\d{4}-\d\d-\d\d\.zip$/);
    const zip = unzipSync(new Uint8Array(await readFile(await download.path())));
    expect(Object.keys(zip)).toContain("channel.json");
    await details.getByRole("status").filter({ hasText: "Exported #tea-party" }).waitFor();
    expect(await axeViolations(admin)).toEqual([]);

    await admin.getByRole("tab", { name: "Audit log" }).click();
    await admin
      .getByRole("list", { name: "Admin audit log" })
      .getByText("keeper exported #tea-party")
      .waitFor();
  });
});
