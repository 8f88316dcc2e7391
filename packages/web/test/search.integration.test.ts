import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  composer,
  message,
  messageText,
  openChannel,
  say,
  signIn,
  twoPeople,
} from "./browser-harness";
import { webSuite } from "./web-suite";

// Three searches at once, then one per 50 s: enough for every spec, and a fourth in a row is
// refused, so the rate limit's message is seen for real.
const harness = webSuite({}, undefined, {
  PARLEY_RATE_LIMITS: "send=500/100,register=50/10,search=3/0.02",
});

const box = (page: Page) => page.getByRole("combobox", { name: "Search messages" });
const hits = (page: Page) => page.getByTestId("search-hit");

/** Opens search with the shortcut, types the query and presses Enter. */
async function searchFor(page: Page, query: string): Promise<void> {
  await page.keyboard.press("Control+k");
  await expect.poll(() => box(page).evaluate((el) => el === document.activeElement)).toBe(true);
  await box(page).fill(query);
  await box(page).press("Enter");
}

/** The text of the element that holds focus. */
function focusedText(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.textContent ?? "");
}

// Two people signing up in the UI on a loaded machine: more than the default 30 s per spec.
describe("search in the web client", () => {
  it("finds a word only in the channels the searcher is in, highlighted, and opens the hit at its message", async () => {
    const { a: alice, b: bob } = await twoPeople(harness, "commons", "alice", "bob");
    // Alice's private channel, which bob is not in.
    await alice.getByRole("button", { name: "Create channel" }).first().click();
    await alice.getByLabel("Name").fill("hideout");
    await alice.getByLabel("Private channel").check();
    await alice.getByRole("button", { name: "Create channel", exact: true }).last().click();
    await alice.getByRole("heading", { level: 1, name: /hideout$/ }).waitFor();
    await say(alice, "the pineapple plan stays between us");
    await messageText(alice, "the pineapple plan").waitFor();
    await openChannel(alice, "commons");
    await say(alice, "pineapple pizza on friday?");
    await messageText(alice, "pineapple pizza").waitFor();
    // Bob is elsewhere when he searches: the hit has to open #commons.
    await bob.getByRole("button", { name: "Create channel" }).first().click();
    await bob.getByLabel("Name").fill("bobs-desk");
    await bob.getByRole("button", { name: "Create channel", exact: true }).last().click();
    await bob.getByRole("heading", { level: 1, name: "bobs-desk", exact: true }).waitFor();

    await searchFor(bob, "pineapple");
    await hits(bob).first().waitFor();
    expect(await hits(bob).count()).toBe(1);
    const hit = hits(bob).first();
    expect(await hit.textContent()).toContain("#commons");
    expect(await hit.textContent()).toContain("alice");
    expect(await hit.textContent()).not.toContain("between us");
    expect(await hit.locator("mark").allTextContents()).toEqual(["pineapple"]);
    expect(await bob.getByRole("status").filter({ hasText: "1 result" }).count()).toBe(1);

    // From the box, Down reaches the result and Enter opens it at the message, highlighted.
    await box(bob).press("ArrowDown");
    expect(await focusedText(bob)).toContain("pineapple pizza");
    await bob.keyboard.press("Enter");
    await bob.getByRole("heading", { level: 1, name: "commons", exact: true }).waitFor();
    await expect
      .poll(() => message(bob, "pineapple pizza").first().getAttribute("class"), {
        timeout: 5000,
        interval: 50,
      })
      .toMatch(/\bhighlight\b/);
    await expect
      .poll(() =>
        bob.evaluate(
          () => document.activeElement?.closest("[data-testid=message]")?.textContent ?? "",
        ),
      )
      .toContain("pineapple pizza");

    // Alice is in both channels: both hits, newest first.
    await searchFor(alice, "pineapple");
    await expect.poll(() => hits(alice).count()).toBe(2);
    expect(await hits(alice).nth(0).textContent()).toContain("#commons");
    expect(await hits(alice).nth(1).textContent()).toContain("#hideout");
    expect(await hits(alice).nth(1).locator("mark").allTextContents()).toEqual(["pineapple"]);
  }, 60_000);

  it("narrows to one author with from:@ chosen from the suggestions, and Escape gives focus back", async () => {
    const { a: carol, b: dave } = await twoPeople(harness, "plaza", "carol", "dave");
    await say(carol, "quarterly numbers are in");
    await messageText(dave, "quarterly numbers").waitFor();
    await say(dave, "quarterly review tomorrow");
    await messageText(dave, "quarterly review").waitFor();

    await composer(dave).focus();
    await searchFor(dave, "quarterly");
    await expect.poll(() => hits(dave).count()).toBe(2);

    await box(dave).press("End");
    await box(dave).pressSequentially(" from:@ca");
    const people = dave.getByRole("listbox", { name: "People" });
    await people.getByRole("option", { name: /@carol/ }).waitFor();
    expect(await people.getByRole("option", { name: /@dave/ }).count()).toBe(0);
    expect(await axeViolations(dave)).toEqual([]);
    await box(dave).press("Enter");
    expect(await box(dave).inputValue()).toBe("quarterly from:@carol ");
    await people.waitFor({ state: "detached" });
    await box(dave).press("Enter");
    await expect.poll(() => hits(dave).count()).toBe(1);
    expect(await hits(dave).first().textContent()).toContain("quarterly numbers are in");
    expect(await hits(dave).first().textContent()).toContain("carol");

    await box(dave).press("Escape");
    await dave.getByTestId("search-panel").waitFor({ state: "detached" });
    await expect
      .poll(() => dave.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Message #plaza");
  }, 60_000);

  it("works full screen on a phone in dark mode: pages, filters, the empty state and the rate limit", async () => {
    const token = await harness.register("erin");
    const erin = await harness.client(token);
    const { ch } = await erin.createChannel("logbook");
    for (let k = 1; k <= 30; k++) await erin.send(ch.i, `lantern entry ${k}`);
    const page = await harness.open({ colorScheme: "dark" });
    await signIn(page, "erin");
    await openChannel(page, "logbook");
    await page.setViewportSize({ width: 390, height: 844 });

    await page.getByRole("button", { name: /^Search messages/ }).click();
    await box(page).fill("lantern");
    await box(page).press("Enter");
    await expect.poll(() => hits(page).count()).toBe(25);
    const panel = await page.getByTestId("search-panel").boundingBox();
    expect(panel && [panel.x, panel.width]).toEqual([0, 390]);
    expect(await hits(page).first().textContent()).toContain("lantern entry 30");
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => hits(page).count()).toBe(30);
    expect(await hits(page).last().textContent()).toContain("lantern entry 1");
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);

    // Opening a hit closes the panel on a phone and shows the message, highlighted.
    await hits(page).last().click();
    await page.getByTestId("search-panel").waitFor({ state: "detached" });
    await expect
      .poll(() => message(page, "lantern entry 1").first().getAttribute("class"), {
        timeout: 5000,
        interval: 50,
      })
      .toMatch(/\bhighlight\b/);

    // The filters menu, a sheet on the phone, inserts the syntax.
    await page.getByRole("button", { name: /^Search messages/ }).click();
    await page.getByRole("button", { name: "Filters" }).click();
    await page.getByRole("menuitem", { name: "Pinned" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("menuitem", { name: "Pinned" }).click();
    expect(await box(page).inputValue()).toBe("is:pinned ");

    await box(page).fill("zeppelin");
    await box(page).press("Enter");
    await page.getByTestId("search-empty").getByText("No messages match “zeppelin”.").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // The fourth search in a row is over the limit: said, with when to try again.
    await box(page).press("Enter");
    await page
      .getByRole("alert")
      .getByText(/Too many searches at once\. Try again in \d+s\./)
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
  }, 60_000);
});
