import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { joinChannel, messageText, openChannel, signIn } from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

/** The unread badge of a channel in the sidebar ("" when it has none). */
async function badge(page: Page, channel: string): Promise<string> {
  const link = page.getByRole("button", { name: new RegExp(`^#?\\s*${channel}`) }).first();
  const count = link.getByTestId("unread");
  return (await count.count()) === 0 ? "" : ((await count.textContent()) ?? "");
}

describe("read state in the web client", () => {
  it("shows the same unread badge in two of a user's tabs, and reading in one clears both", async () => {
    const alice = await harness.client(await harness.register("alice"));
    const general = (await alice.createChannel("general")).ch.i;
    const side = (await alice.createChannel("side")).ch.i;
    await harness.register("bob");
    const one = await harness.open();
    await signIn(one, "bob");
    await joinChannel(one, "side");
    await joinChannel(one, "general");
    const two = await harness.open();
    await signIn(two, "bob");
    await openChannel(two, "general");

    for (const text of ["first", "second", "third"]) await alice.send(side, text);
    for (const page of [one, two]) await expect.poll(() => badge(page, "side")).toMatch(/^3/);

    // Reading #side in one tab marks it read on the server: the other tab's badge goes too.
    await openChannel(one, "side");
    await messageText(one, "third").waitFor();
    await expect.poll(() => badge(one, "side")).toBe("");
    await expect.poll(() => badge(two, "side")).toBe("");

    // A message that arrives while #side is open and shown is read at once, in both tabs.
    await alice.send(side, "fourth");
    await messageText(one, "fourth").waitFor();
    await expect.poll(() => badge(two, "side")).toBe("");
    // A message in a channel neither tab shows is unread in both, and stays so after a reload
    // (the state is the server's), while what was read stays read.
    await openChannel(two, "side");
    await alice.send(general, "in general");
    for (const page of [one, two]) await expect.poll(() => badge(page, "general")).toMatch(/^1/);
    await two.reload();
    await two.getByTestId("me").waitFor();
    await expect.poll(() => badge(two, "general")).toMatch(/^1/);
    expect(await badge(two, "side")).toBe("");
  });

  it("marks where the unread messages begin, and jumps up to them when they are not loaded", async () => {
    const carol = await harness.client(await harness.register("carol"));
    const lobby = (await carol.createChannel("lobby")).ch.i;
    const backlog = (await carol.createChannel("backlog")).ch.i;
    await harness.register("dave");
    const page = await harness.open();
    await signIn(page, "dave");
    await joinChannel(page, "backlog");
    await joinChannel(page, "lobby");
    for (let k = 0; k < 120; k++) await carol.send(backlog, `backlog ${k}`);
    await expect.poll(() => badge(page, "backlog")).toMatch(/^99\+|^120/);

    await openChannel(page, "backlog");
    await messageText(page, "backlog 119").waitFor();
    // The first unread is older than the page shown: the way up is offered.
    const up = page.getByRole("button", { name: "Jump to first unread" });
    await up.click();
    await messageText(page, "backlog 0").waitFor();
    const line = page.getByTestId("new-divider");
    await line.waitFor();
    // The line sits right before the first unread message.
    const next = await line.evaluate((el) => el.nextElementSibling?.textContent ?? "");
    expect(next).toContain("backlog 0");
    expect(await badge(page, "backlog")).toBe("");
    await carol.send(lobby, "meanwhile");
    await expect.poll(() => badge(page, "lobby")).toMatch(/^1/);
  });
});
