import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { axeViolations, composer, createChannel, registerInUi, twoPeople } from "./browser-harness";
import { webSuite } from "./web-suite";

// A small upload limit, so a refusal for size is seen for real.
const MAX_BYTES = 1_000_000;
const harness = webSuite({}, undefined, { PARLEY_UPLOAD_MAX_BYTES: String(MAX_BYTES) });

/** A real PNG of one colour. */
function png(width: number, height: number, r: number, g: number, b: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
}

/** Chooses files through the composer's attach button (the browser's file chooser). */
async function attachByButton(
  page: Page,
  files: { name: string; mimeType: string; buffer: Buffer }[],
): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.getByRole("button", { name: "Attach files" }).click(),
  ]);
  await chooser.setFiles(files);
}

/** Drops a text file on the channel view, as a drag from the desktop would. */
async function dropTextFile(page: Page, name: string, text: string): Promise<void> {
  const transfer = await page.evaluateHandle(
    ([n, t]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t ?? ""], n ?? "file", { type: "text/plain" }));
      return dt;
    },
    [name, text],
  );
  await page.locator("main.chat").dispatchEvent("dragover", { dataTransfer: transfer });
  await page.locator("main.chat").dispatchEvent("drop", { dataTransfer: transfer });
}

const chips = (page: Page) => page.getByTestId("attachment");
const sendButton = (page: Page) => page.getByRole("button", { name: "Send", exact: true });

/** Switches the colour scheme and waits for the theme's transitions to finish (axe reads colours). */
async function scheme(page: Page, colorScheme: "light" | "dark"): Promise<void> {
  await page.emulateMedia({ colorScheme });
  // Two frames: the new colours' transitions have started by then.
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
  await expect.poll(() => page.evaluate(() => document.getAnimations().length)).toBe(0);
}

/** The element holding focus, described by its accessible label or text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el?.getAttribute("aria-label") ?? el?.textContent ?? "";
  });
}

describe("file attachments in the web client", () => {
  it("sends images and a dropped text file; the other person sees them, browses the images in a lightbox with the keyboard and downloads the file's exact bytes", async () => {
    const { a: alice, b: bob } = await twoPeople(harness, "files", "alice", "bob");
    const sunset = await png(640, 480, 220, 90, 40);
    const sea = await png(300, 600, 30, 90, 200);
    const notes = "shopping list:\n- bread\n- Käse ✓\n";

    await attachByButton(alice, [
      { name: "sunset.png", mimeType: "image/png", buffer: sunset },
      { name: "sea.png", mimeType: "image/png", buffer: sea },
    ]);
    await dropTextFile(alice, "notes.txt", notes);
    await expect.poll(() => chips(alice).count()).toBe(3);
    await expect
      .poll(() => alice.locator('[data-testid="attachment"][data-phase="uploaded"]').count(), {
        timeout: 10_000,
      })
      .toBe(3);
    expect(await chips(alice).first().textContent()).toContain("sunset.png");
    expect(await chips(alice).nth(2).textContent()).toContain(`${Buffer.byteLength(notes)} B`);
    // Files alone make a message: the empty composer sends them with Enter.
    expect(await sendButton(alice).isEnabled()).toBe(true);
    expect(await axeViolations(alice)).toEqual([]);
    await composer(alice).press("Enter");
    await expect.poll(() => chips(alice).count()).toBe(0);

    // Bob sees the two thumbnails (their size reserved from the image's) and the file card.
    const thumbs = bob.getByTestId("file-thumb");
    await expect.poll(() => thumbs.count(), { timeout: 10_000 }).toBe(2);
    const first = thumbs.first().locator("img");
    await first.waitFor();
    expect(await first.getAttribute("alt")).toBe("sunset.png");
    expect(await first.getAttribute("width")).toBe("320");
    expect(await first.getAttribute("height")).toBe("240");
    await expect
      .poll(() => first.evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    const card = bob.getByTestId("file-card");
    expect(await card.textContent()).toContain("notes.txt");
    expect(await card.textContent()).toContain(`${Buffer.byteLength(notes)} B`);
    expect(await axeViolations(bob)).toEqual([]);

    // From the keyboard: Enter on the thumbnail opens the lightbox, a modal dialog.
    await thumbs.first().focus();
    await bob.keyboard.press("Enter");
    const box = bob.getByRole("dialog");
    await box.waitFor();
    expect(await box.getAttribute("aria-modal")).toBe("true");
    expect(await box.getByRole("heading").textContent()).toBe("sunset.png");
    const full = box.locator("img.lightbox-image");
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
    expect(await full.getAttribute("alt")).toBe("sunset.png");
    expect(await box.getByRole("link", { name: /Download/ }).count()).toBe(1);
    expect(await axeViolations(bob)).toEqual([]);
    // Focus stays in the dialog.
    for (let k = 0; k < 6; k++) {
      await bob.keyboard.press("Tab");
      expect(await box.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    // Right and Left move between the message's images, round the ends.
    await bob.keyboard.press("ArrowRight");
    await expect.poll(() => box.getByRole("heading").textContent()).toBe("sea.png");
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(300);
    await bob.keyboard.press("ArrowRight");
    await expect.poll(() => box.getByRole("heading").textContent()).toBe("sunset.png");
    await bob.keyboard.press("ArrowLeft");
    await expect.poll(() => box.getByRole("heading").textContent()).toBe("sea.png");
    // Escape closes it and focus goes back to the thumbnail it was opened from.
    await bob.keyboard.press("Escape");
    await expect.poll(() => box.count()).toBe(0);
    expect(await focused(bob)).toBe("Open image sunset.png");

    // The download is the file as Alice sent it, byte for byte.
    const [download] = await Promise.all([
      bob.waitForEvent("download"),
      card.getByRole("link", { name: "Download notes.txt" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("notes.txt");
    const saved = await download.path();
    expect(Buffer.compare(await readFile(saved), Buffer.from(notes))).toBe(0);

    // On a phone, in the dark: the thumbnails fit the screen and axe finds nothing serious.
    await bob.setViewportSize({ width: 390, height: 844 });
    await scheme(bob, "dark");
    const shown = await thumbs.first().boundingBox();
    expect(shown && shown.x + shown.width).toBeLessThanOrEqual(390);
    expect(await bob.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await axeViolations(bob)).toEqual([]);
    await thumbs.nth(1).focus();
    await bob.keyboard.press("Enter");
    await box.waitFor();
    const stage = await full.boundingBox();
    expect(stage?.width).toBeLessThanOrEqual(390);
    expect(await axeViolations(bob)).toEqual([]);
    await bob.keyboard.press("Escape");
    await expect.poll(() => box.count()).toBe(0);
  });

  it("takes a pasted file, cancels an upload under way, shows a refusal on the file it concerns, and takes no more files than a message may carry", async () => {
    const alice = await harness.open();
    await registerInUi(alice, "carol");
    await createChannel(alice, "uploads");

    // A file pasted into the composer is attached as one chosen would be.
    await composer(alice).focus();
    await composer(alice).evaluate((input) => {
      const dt = new DataTransfer();
      dt.items.add(new File(["pasted\n"], "clip.txt", { type: "text/plain" }));
      input.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }),
      );
    });
    const pasted = chips(alice).filter({ hasText: "clip.txt" });
    await expect.poll(() => pasted.getAttribute("data-phase")).toBe("uploaded");
    expect(await composer(alice).inputValue()).toBe("");
    await alice.getByRole("button", { name: "Remove clip.txt" }).click();
    await expect.poll(() => chips(alice).count()).toBe(0);

    // The upload is held on its way, so it can be cancelled while it runs.
    await alice.route("**/api/v1/files?*", () => {});
    await attachByButton(alice, [
      { name: "slow.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(200_000, 7) },
    ]);
    const bar = alice.getByRole("progressbar", { name: "Uploading slow.bin" });
    await bar.waitFor();
    const now = Number(await bar.getAttribute("aria-valuenow"));
    expect(now).toBeGreaterThanOrEqual(0);
    expect(now).toBeLessThan(100);
    await composer(alice).fill("with the file");
    expect(await sendButton(alice).isEnabled()).toBe(false);
    expect(await axeViolations(alice)).toEqual([]);
    await alice.getByRole("button", { name: "Cancel upload of slow.bin" }).click();
    await expect.poll(() => chips(alice).count()).toBe(0);
    expect(await sendButton(alice).isEnabled()).toBe(true);
    await composer(alice).fill("");
    await alice.unrouteAll({ behavior: "ignoreErrors" });

    // Too large for the server: the refusal shows on that file, and the message waits.
    await attachByButton(alice, [
      {
        name: "huge.bin",
        mimeType: "application/octet-stream",
        buffer: Buffer.alloc(MAX_BYTES + 1, 1),
      },
    ]);
    const refused = chips(alice).filter({ hasText: "huge.bin" });
    await expect.poll(() => refused.getAttribute("data-phase"), { timeout: 10_000 }).toBe("failed");
    expect(await refused.getByRole("alert").textContent()).toMatch(
      /too large to send.*at most 1000000 bytes/,
    );
    expect(await sendButton(alice).isEnabled()).toBe(false);
    expect(await axeViolations(alice)).toEqual([]);
    // The refusal stays readable in the dark theme.
    await scheme(alice, "dark");
    expect(await axeViolations(alice)).toEqual([]);
    await scheme(alice, "light");
    await alice.getByRole("button", { name: "Remove huge.bin" }).click();
    await expect.poll(() => chips(alice).count()).toBe(0);

    // Eleven chosen at once: ten are taken, and the composer says why not the last.
    const many = Array.from({ length: 11 }, (_, k) => ({
      name: `part-${k}.txt`,
      mimeType: "text/plain",
      buffer: Buffer.from(`part ${k}\n`),
    }));
    await attachByButton(alice, many);
    await expect.poll(() => chips(alice).count()).toBe(10);
    expect(await alice.getByTestId("composer-error").textContent()).toContain("at most 10 files");
    expect(await alice.getByRole("button", { name: "Attach files" }).isDisabled()).toBe(true);
    // On a phone the ten fit the width, the composer stays in view, and axe finds nothing serious.
    await alice.setViewportSize({ width: 390, height: 844 });
    expect(await alice.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    expect(await composer(alice).isVisible()).toBe(true);
    expect(await axeViolations(alice)).toEqual([]);
  });
});
