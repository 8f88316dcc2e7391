import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, message, say, twoPeople } from "./browser-harness";
import { webSuite } from "./web-suite";

// The local page previews may fetch: the server's only allowed origin (read when it starts).
const env: Record<string, string> = { PARLEY_LINK_PREVIEWS: "on" };
let page: Server;
let host = "";

beforeAll(async () => {
  const image = await sharp({
    create: { width: 600, height: 300, channels: 3, background: "#c83" },
  })
    .png()
    .toBuffer();
  page = createServer((req, res) => {
    if (req.url === "/story") {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(`<html><head>
        <meta property="og:title" content="Harbour &lt;b&gt;news&lt;/b&gt;">
        <meta property="og:description" content="Boats came in at dawn">
        <meta property="og:site_name" content="Local Harbour">
        <meta property="og:image" content="/boat.png"></head><body></body></html>`);
    } else if (req.url === "/boat.png") {
      res.setHeader("Content-Type", "image/png");
      res.end(image);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => page.listen(0, "127.0.0.1", r));
  host = `127.0.0.1:${(page.address() as AddressInfo).port}`;
  env.PARLEY_LINK_PREVIEW_LOCAL_ORIGINS = host;
});

afterAll(async () => {
  page.closeAllConnections();
  await new Promise<void>((r) => page.close(() => r()));
});

const harness = webSuite({}, undefined, env);

describe("link previews in the web client", () => {
  it("shows Bob the card of the page Alice linked, as text, and lets Alice remove it", async () => {
    const { a: alice, b: bob } = await twoPeople(harness, "harbour", "alice", "bob");
    await say(alice, `look http://${host}/story`);
    const card = bob.getByTestId("link-preview");
    await card.waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toContain("Local Harbour");
    expect(await card.textContent()).toContain("Boats came in at dawn");
    // The title is text: its markup shows as characters, and no <b> element is made.
    const title = card.getByRole("link", { name: "Harbour <b>news</b>" });
    expect(await title.getAttribute("href")).toBe(`http://${host}/story`);
    expect(await card.locator("b").count()).toBe(0);
    // The thumbnail comes from Parley, not from the page.
    const img = card.locator("img");
    await img.waitFor();
    expect(await img.getAttribute("src")).not.toContain(host);
    await expect
      .poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    // Only the author (or a moderator) is offered the remove button.
    expect(await card.getByRole("button").count()).toBe(0);
    expect(await axeViolations(bob)).toEqual([]);

    const own = alice.getByTestId("link-preview");
    await own.waitFor({ timeout: 15_000 });
    await alice.setViewportSize({ width: 375, height: 740 });
    await alice.emulateMedia({ colorScheme: "dark" });
    expect(await axeViolations(alice)).toEqual([]);
    const remove = own.getByRole("button", { name: /Remove the preview/ });
    await remove.focus();
    await alice.keyboard.press("Enter");
    await card.waitFor({ state: "detached", timeout: 10_000 });
    await message(bob, "look http").first().waitFor();
  }, 60_000);
});
