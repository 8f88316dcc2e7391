import { describe, expect, it } from "vitest";
import { composer, message, messageText, twoPeople } from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

describe("mentions in the web client", () => {
  it("completes @bo to bob, and marks the sent message for bob with his pill, not for alice", async () => {
    const { a, b } = await twoPeople(harness, "mentions", "alice", "bob");

    // alice types @bo and picks bob from the completion list (bob is online).
    const input = composer(a);
    await input.click();
    await a.keyboard.type("@bo");
    const option = a.getByRole("listbox", { name: "Members" }).getByRole("option", { name: /bob/ });
    await option.getByText("online").waitFor();
    await option.click();
    await expect.poll(() => input.inputValue()).toBe("@bob ");
    await a.keyboard.type("are you around?");
    await a.keyboard.press("Enter");

    // bob: the row is marked, said to screen readers, and his name is the strong pill.
    await messageText(b, "are you around?").waitFor();
    const seen = message(b, "are you around?").first();
    await expect.poll(() => seen.getAttribute("class")).toMatch(/\bmentioned\b/);
    expect(await seen.locator(".sr-only").textContent()).toBe("Mentions you");
    const pill = seen.locator(".message-text span.mention.mention-me");
    await pill.waitFor();
    expect(await pill.textContent()).toBe("@bob");

    // alice: her own message is not marked; bob's name is a plain pill.
    const sent = message(a, "are you around?").first();
    await sent.locator(".message-text span.mention").waitFor();
    expect(await sent.getAttribute("class")).not.toMatch(/\bmentioned\b/);
    expect(await sent.locator(".mention-me").count()).toBe(0);
    expect(await sent.getByText("Mentions you").count()).toBe(0);
  });

  it("offers @here and @channel to the channel's owner only", async () => {
    const { a, b } = await twoPeople(harness, "groups", "owner1", "member1");
    await composer(a).fill("@");
    const offered = a.getByRole("listbox", { name: "Members" });
    await offered.getByRole("option", { name: /@here/ }).waitFor();
    await offered.getByRole("option", { name: /@channel/ }).waitFor();
    await composer(b).fill("@");
    const listed = b.getByRole("listbox", { name: "Members" });
    await listed.getByRole("option", { name: /owner1/ }).waitFor();
    expect(await listed.getByRole("option", { name: /@here|@channel/ }).count()).toBe(0);
  });
});
