/**
 * Takes the README's screenshots of the web client: a real server with a seeded conversation,
 * driven by headless Chromium. Writes docs/screenshots/*.png.
 *
 *   node --import tsx packages/web/scripts/screenshots.ts
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import sharp from "sharp";
import {
  composer,
  messageText,
  openChannel,
  openProfileCard,
  openTeamChat,
  seedTeamChat,
  signIn,
  WebHarness,
} from "../test/browser-harness";

const OUT = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const harness = await new WebHarness().start();
  try {
    const { alice, bob, dana, guest, general, design } = await seedTeamChat(harness);

    // Sign-in screen.
    const signin = await harness.open();
    await signin.getByRole("button", { name: "Continue as guest" }).waitFor();
    await shot(signin, "sign-in");

    // The chat, light and dark; bob is typing in #general.
    for (const scheme of ["light", "dark"] as const) {
      const page = await harness.open({ colorScheme: scheme });
      await openTeamChat(page);
      bob.typing(general, true);
      await page.getByTestId("typing").filter({ hasText: "bob is typing" }).waitFor();
      await alice.send(design, `Updated the spacing scale (${scheme}).`);
      await page.getByTestId("unread").first().waitFor();
      await composer(page).fill("Sounds good, I'll write the announcement");
      await shot(page, `chat-${scheme}`);
      bob.typing(general, false);
    }

    // A member's profile card, as the channel's owner sees it: with the moderation they may do.
    const owner = await harness.open();
    await signIn(owner, "alice");
    await openChannel(owner, "general");
    await messageText(owner, "Hi everyone").waitFor();
    await openProfileCard(owner, "bob");
    await shot(owner, "profile-card");
    // Search open beside #general: the hits for "release", highlighted.
    const searching = await harness.open();
    await openTeamChat(searching);
    await searching.keyboard.press("Control+k");
    const box = searching.getByRole("combobox", { name: "Search messages" });
    await box.fill("release");
    await box.press("Enter");
    await searching.getByTestId("search-hit").first().waitFor();
    await shot(searching, "search");

    // Attachments in #design: an image and a file in the conversation, one more being added.
    const mock = await sharp({
      create: { width: 960, height: 600, channels: 3, background: { r: 99, g: 102, b: 241 } },
    })
      .composite([
        {
          input: Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" width="960" height="600"><rect x="80" y="80" width="800" height="440" rx="32" fill="#eef0ff"/><rect x="140" y="150" width="420" height="40" rx="12" fill="#4f46e5"/><rect x="140" y="230" width="680" height="24" rx="10" fill="#c7ccfb"/><rect x="140" y="280" width="600" height="24" rx="10" fill="#c7ccfb"/></svg>',
          ),
        },
      ])
      .png()
      .toBuffer();
    const image = await alice.upload(mock, "landing-mock.png");
    const specs = await alice.upload(
      new TextEncoder().encode("Spacing: 4, 8, 12, 16, 24, 32\nType: 13/15/17/22\n"),
      "design-tokens.txt",
    );
    await alice.send(design, "Landing page mock and the tokens behind it:", {
      files: [image.id, specs.id],
    });
    const attaching = await harness.open();
    await signIn(attaching, "dana");
    await openChannel(attaching, "design");
    await attaching.getByTestId("file-thumb").locator("img").waitFor();
    const [chooser] = await Promise.all([
      attaching.waitForEvent("filechooser"),
      attaching.getByRole("button", { name: "Attach files" }).click(),
    ]);
    await chooser.setFiles({
      name: "feedback.md",
      mimeType: "text/markdown",
      buffer: Buffer.from("# Feedback\n\nLove the contrast.\n"),
    });
    await attaching.locator('[data-testid="attachment"][data-phase="uploaded"]').waitFor();
    await composer(attaching).fill("Notes from the review attached");
    await shot(attaching, "attachments");

    // The admin console: alice, made an admin, looks at bob's details.
    await harness.grantAdmin("alice");
    const console = await harness.open();
    await console.goto("/admin");
    await console.getByLabel("Username").fill("alice");
    await console.getByLabel("Password").fill("correct horse battery");
    await console.getByRole("button", { name: "Sign in", exact: true }).click();
    await console.getByRole("button", { name: "bob", exact: true }).click();
    await console.getByRole("region", { name: "bob" }).getByText("Latest messages").waitFor();
    await shot(console, "admin");

    // Reports: two members report a guest's message; alice, who owns #general, sees them on a
    // phone in dark mode.
    const spam = await guest.send(general, "FREE followers at totally-legit.example");
    await bob.reportMessage(general, spam.i, "spam link");
    await dana.reportMessage(general, spam.i);
    const moderating = await harness.open({ colorScheme: "dark", width: 390, height: 844 });
    await moderating.getByLabel("Username").fill("alice");
    await moderating.getByLabel("Password").fill("correct horse battery");
    await moderating.getByRole("button", { name: "Sign in", exact: true }).click();
    await moderating.getByRole("button", { name: "Channels" }).click();
    await moderating.getByTestId("open-reports").filter({ hasText: "2" }).waitFor();
    await moderating.getByTestId("reports-button").click();
    await moderating.getByTestId("report-item").nth(1).waitFor();
    await shot(moderating, "reports-phone-dark");

    // Phone width: the sidebar folds into a drawer.
    const phone = await harness.open({ width: 390, height: 844 });
    // The user's name sits in the folded sidebar, so wait for the channel instead.
    await phone.getByLabel("Username").fill("dana");
    await phone.getByLabel("Password").fill("correct horse battery");
    await phone.getByRole("button", { name: "Sign in", exact: true }).click();
    await phone.getByRole("button", { name: "Channels" }).click();
    await openChannel(phone, "general");
    await messageText(phone, "Hi everyone").waitFor();
    await shot(phone, "phone");
    await phone.getByRole("button", { name: "Channels" }).click();
    await phone.locator(".nav-open .sidebar").waitFor();
    await shot(phone, "phone-channels");
  } finally {
    await harness.close();
  }
}

async function shot(page: Page, name: string): Promise<void> {
  // Let CSS transitions (drawers, focus rings) settle before the capture.
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 300))),
  );
  await page.screenshot({ path: `${OUT}${name}.png` });
  console.log(`docs/screenshots/${name}.png`);
}

await main();
