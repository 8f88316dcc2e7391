import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  joinChannel,
  messageText,
  openProfileCard,
  signIn,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

/** The composer of the open DM with `title`. */
const dmComposer = (page: Page, title: string) =>
  page.getByRole("combobox", { name: `Message ${title}` });

describe("direct messages in the web client", () => {
  it("opens a DM from the member list; the other sees it with a badge, replies, and it arrives live", async () => {
    const carol = await harness.client(await harness.register("carol"));
    await carol.createChannel("commons");
    await harness.register("alice");
    await harness.register("bob");
    const alice = await harness.open();
    await signIn(alice, "alice");
    await joinChannel(alice, "commons");
    const bob = await harness.open();
    await signIn(bob, "bob");
    await joinChannel(bob, "commons");

    await (await openProfileCard(alice, "bob")).getByRole("button", { name: "Message" }).click();
    await alice.getByRole("heading", { level: 1, name: "bob", exact: true }).waitFor();
    await dmComposer(alice, "bob").fill("hi bob, just us");
    await dmComposer(alice, "bob").press("Enter");
    await messageText(alice, "hi bob, just us").waitFor();

    const dms = bob.getByRole("list", { name: "Direct messages" });
    const link = dms.getByRole("button", { name: /^alice/ });
    await link.getByTestId("mentions").filter({ hasText: "@1" }).waitFor();
    expect(await axeViolations(bob)).toEqual([]);
    await link.click();
    await messageText(bob, "hi bob, just us").waitFor();
    await dmComposer(bob, "alice").fill("hello alice");
    await dmComposer(bob, "alice").press("Enter");
    await messageText(alice, "hello alice").waitFor();
    // Never in the directory.
    await alice.getByRole("button", { name: "Browse channels" }).first().click();
    await alice
      .getByRole("dialog")
      .getByRole("button", { name: "Join #commons" })
      .or(alice.getByRole("dialog").getByText("commons"))
      .first()
      .waitFor();
    expect(await alice.getByRole("dialog").getByText(/dm:/).count()).toBe(0);
  });

  it("opens a group DM from New message by names typed with commas", async () => {
    await harness.register("dora");
    await harness.register("ezra");
    await harness.register("finn");
    const dora = await harness.open();
    await signIn(dora, "dora");
    await dora.getByRole("button", { name: "New message" }).click();
    await dora.getByLabel("To").fill("ezra, @finn");
    await dora.getByRole("button", { name: "Open", exact: true }).click();
    await dora.getByRole("heading", { level: 1, name: "ezra, finn", exact: true }).waitFor();
    expect(await axeViolations(dora)).toEqual([]);
  });

  it("folds a blocked user's messages in a shared channel behind Show, and unblocking unfolds them", async () => {
    const gail = await harness.client(await harness.register("gail"));
    const { ch } = await gail.createChannel("plaza");
    await harness.register("hank");
    const hank = await harness.open();
    await signIn(hank, "hank");
    await joinChannel(hank, "plaza");
    const card = await openProfileCard(hank, "gail");
    await card.getByRole("button", { name: "Block", exact: true }).click();
    await card.getByRole("button", { name: "Unblock" }).waitFor();
    await hank.keyboard.press("Escape");
    await gail.send(ch.i, "can you see this?");
    const folded = hank.getByTestId("timeline").getByText("Message from a blocked user");
    await folded.waitFor();
    expect(await messageText(hank, "can you see this?").count()).toBe(0);
    expect(await axeViolations(hank)).toEqual([]);
    await hank.getByTestId("timeline").getByRole("button", { name: "Show" }).click();
    await messageText(hank, "can you see this?").waitFor();
    await gail.send(ch.i, "and this?");
    await hank.getByTestId("timeline").getByText("Message from a blocked user").waitFor();
    await (await openProfileCard(hank, "gail")).getByRole("button", { name: "Unblock" }).click();
    await messageText(hank, "and this?").waitFor();
  });
});
