import { type ClientOptions, ParleyClient } from "@parley/client";
import { LIMITS } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  axeViolations,
  composer,
  message,
  messageText,
  openChannel,
  say,
  signIn,
  type WebHarness,
} from "./browser-harness";
import { webSuite } from "./web-suite";

/** Guests who fill the channel: with its owner and one more account, past a page of members. */
const GUESTS = LIMITS.memberPage + 5;
const OWNER = "annbig";
/** Sorts after every guest (`guest-…`): beyond the first page of the channel's members. */
const LATE = "zedbig";
const CHANNEL = "crowd";
const TOTAL = GUESTS + 2;

/**
 * A guest made by a WebSocket hello without a token (no password to hash), joined to the
 * channel and gone again.
 */
async function guestJoins(harness: WebHarness, channelId: number): Promise<void> {
  const guest = new ParleyClient({
    url: `${harness.url.replace(/^http/, "ws")}/ws`,
    WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
  });
  await guest.connect();
  await guest.joinChannel(channelId, 1);
  await guest.close();
}

const harness = webSuite(
  {},
  async (h) => {
    const owner = await h.client(await h.register(OWNER));
    const channelId = (await owner.createChannel(CHANNEL, "A big room")).ch.i;
    const late = await h.client(await h.register(LATE));
    await late.joinChannel(channelId, 1);
    await late.close();
    for (let i = 0; i < GUESTS; i += 15)
      await Promise.all(
        Array.from({ length: Math.min(15, GUESTS - i) }, () => guestJoins(h, channelId)),
      );
    const info = await owner.channelInfo(channelId);
    if (info.ch.mc !== TOTAL || !info.mm) throw new Error(`seeded ${info.ch.mc} members`);
  },
  {
    // Every guest says hello from 127.0.0.1; seeding registers and the specs sign in from there.
    PARLEY_RATE_LIMITS: "send=500/100,register=50/10,hello=1000/1000",
  },
);

function membersPanel(page: Awaited<ReturnType<WebHarness["open"]>>) {
  return page.getByRole("complementary", { name: "Members" });
}

describe("a channel of more than a page of members", () => {
  it("shows the first page with the channel's count, and reads the next page on request", async () => {
    const a = await harness.open({ colorScheme: "dark" });
    await signIn(a, OWNER);
    await openChannel(a, CHANNEL);
    const panel = membersPanel(a);
    await expect.poll(() => panel.locator(".panel-count").textContent()).toBe(String(TOTAL));
    await expect
      .poll(() => panel.getByTestId("members-shown").textContent())
      .toBe(`${LIMITS.memberPage} of ${TOTAL} shown`);
    expect(await panel.getByRole("button", { name: new RegExp(`^${LATE}\\b`) }).count()).toBe(0);
    const more = panel.getByRole("button", { name: "Show more members" });
    await more.waitFor();
    expect(await axeViolations(a)).toEqual([]);

    // By keyboard: the button is reached and pressed like any other.
    await more.focus();
    await a.keyboard.press("Enter");
    await panel.getByRole("button", { name: new RegExp(`^${LATE}\\b`) }).waitFor();
    // That was the last page: the list is whole, the button gone, focus on the panel's title.
    await more.waitFor({ state: "detached" });
    await expect.poll(() => panel.getByTestId("members-shown").count()).toBe(0);
    expect(await panel.locator(".panel-count").textContent()).toBe(String(TOTAL));
    await expect
      .poll(() => a.evaluate(() => document.activeElement?.classList.contains("panel-title")))
      .toBe(true);
    await panel
      .getByRole("status")
      .filter({ hasText: `All ${TOTAL} members shown` })
      .waitFor();
    // Every guest is there, folded as offline.
    await panel.getByRole("button", { name: `${GUESTS} guests offline` }).waitFor();
    expect(await axeViolations(a)).toEqual([]);
  });

  it("shows the partial list and its button right on a phone in dark mode", async () => {
    const a = await harness.open({ colorScheme: "dark" });
    await signIn(a, OWNER);
    await openChannel(a, CHANNEL);
    await a.setViewportSize({ width: 390, height: 844 });
    const toggle = a.getByRole("button", { name: `Members: ${TOTAL}` });
    await toggle.click();
    await a.locator(".members-open .members").waitFor();
    const more = membersPanel(a).getByRole("button", { name: "Show more members" });
    await more.waitFor();
    // Within the drawer, on the screen.
    const box = await more.boundingBox();
    expect(box && box.x > 0 && box.x + box.width <= 390).toBe(true);
    expect(await axeViolations(a)).toEqual([]);
  });

  it("completes @ with a member beyond the first page, found on the server, who gets the mention", async () => {
    const b = await harness.open();
    await signIn(b, LATE);
    await openChannel(b, CHANNEL);
    const a = await harness.open();
    await signIn(a, OWNER);
    await openChannel(a, CHANNEL);
    await membersPanel(a).getByRole("button", { name: "Show more members" }).waitFor();
    // The list a knows holds no one named so.
    expect(
      await membersPanel(a)
        .getByRole("button", { name: new RegExp(`^${LATE}\\b`) })
        .count(),
    ).toBe(0);

    const input = composer(a);
    await input.click();
    await a.keyboard.type("@zed");
    const option = a
      .getByRole("listbox", { name: "Members" })
      .getByRole("option", { name: new RegExp(LATE) });
    await option.waitFor();
    await a.keyboard.press("Tab");
    await expect.poll(() => input.inputValue()).toBe(`@${LATE} `);
    await a.keyboard.type("welcome to the big room");
    await a.keyboard.press("Enter");

    await messageText(b, "welcome to the big room").waitFor();
    const seen = message(b, "welcome to the big room").first();
    await expect.poll(() => seen.getAttribute("class")).toMatch(/\bmentioned\b/);
    const pill = seen.locator(".message-text span.mention.mention-me");
    await pill.waitFor();
    expect(await pill.textContent()).toBe(`@${LATE}`);

    // Their card, opened from their message, is looked up in the channel: a member, online.
    await say(b, "thanks for having me");
    await messageText(a, "thanks for having me").waitFor();
    await a.getByTestId("timeline").getByRole("button", { name: LATE, exact: true }).click();
    const card = a.getByRole("dialog", { name: LATE, exact: true });
    await card.getByText(`Member in #${CHANNEL}`).waitFor();
    await card.getByText("Online", { exact: true }).waitFor();
    await card.getByRole("button", { name: /^Kick/ }).waitFor();
  });
});
