import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ClientOptions, ParleyClient } from "@parley/client";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { inject } from "vitest";
import WebSocket from "ws";
import { type Config, loadConfig } from "../../server/src/config";
import { createParley, type Parley, type Tuning } from "../../server/src/main";
import { grantAdmin } from "../../server/test/harness";

const WEB_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A policy as strict as a server should send: no inline script or style, no other origin.
 * (`frame-ancestors` is left out: it has no effect in a meta element.)
 */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join("; ");

/**
 * Builds the web client into `outDir` with the project's Vite config. With `csp`, the page
 * carries that policy in a meta element, so anything the client does against it fails a test.
 * (A header added by request interception would not do: Chromium then treats the page as
 * coming from no address and blocks its WebSocket to 127.0.0.1.)
 */
export async function buildWeb(outDir: string, csp?: string): Promise<void> {
  const { build } = await import("vite");
  await build({
    root: WEB_ROOT,
    configFile: join(WEB_ROOT, "vite.config.ts"),
    logLevel: "silent",
    build: { outDir, emptyOutDir: true, sourcemap: false },
    plugins: csp
      ? [
          {
            name: "parley-test-csp",
            transformIndexHtml: () => [
              {
                tag: "meta",
                attrs: { "http-equiv": "Content-Security-Policy", content: csp },
                injectTo: "head-prepend" as const,
              },
            ],
          },
        ]
      : [],
  });
}

/**
 * The web client built with {@link STRICT_CSP}, once per test run (outside one, into `ownDir`): into the run's shared
 * directory (test/global-setup.ts) by the first suite that asks, reused by the others. A build
 * goes to a directory of its own and is renamed into place, so suites in parallel workers never
 * serve a half-written one.
 */
async function sharedBuild(ownDir: string): Promise<string> {
  // Outside a test run (the screenshots script): a build of its own.
  if (!process.env.VITEST) {
    await buildWeb(join(ownDir, "dist"), STRICT_CSP);
    return join(ownDir, "dist");
  }
  const root = inject("webBuildDir");
  const dist = join(root, "dist");
  if (existsSync(join(dist, "index.html"))) return dist;
  const own = mkdtempSync(join(root, "building-"));
  await buildWeb(own, STRICT_CSP);
  try {
    renameSync(own, dist);
  } catch {
    // Another worker's build got there first: serve that one.
    rmSync(own, { recursive: true, force: true });
  }
  return dist;
}

/**
 * A built web client served by a real Parley node on 127.0.0.1 (port 0, its own SQLite file),
 * and headless Chromium to drive it. `close()` stops everything and removes the files.
 */
export class WebHarness {
  readonly dir = mkdtempSync(join(tmpdir(), "parley-web-"));
  parley!: Parley;
  browser!: Browser;
  /** CSP violations and uncaught page errors seen so far; tests expect none. */
  readonly problems: string[] = [];
  private readonly clients: ParleyClient[] = [];
  private readonly contexts: BrowserContext[] = [];
  private config!: Config;
  private tuning: Tuning = {};

  /** Starts the server (with `env` over the test defaults) on the run's build of the client, opens Chromium. */
  async start(tuning: Tuning = {}, env: Record<string, string> = {}): Promise<this> {
    this.tuning = tuning;
    const launched = chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const webRoot = await sharedBuild(this.dir);
    this.config = loadConfig({
      PARLEY_HOST: "127.0.0.1",
      PARLEY_PORT: "0",
      PARLEY_LOG_LEVEL: "silent",
      PARLEY_DATABASE_URL: `sqlite:${join(this.dir, "parley.db")}`,
      PARLEY_WEB_ROOT: webRoot,
      // Seeding posts 150 messages from one user at once, and every spec registers from
      // 127.0.0.1; other limits keep their defaults.
      PARLEY_RATE_LIMITS: "send=500/100,register=50/10",
      // Specs make their own channels unless they set this.
      PARLEY_DEFAULT_CHANNELS: "",
      // Specs never reach the internet; link-preview's spec turns previews on for a local page.
      PARLEY_LINK_PREVIEWS: "off",
      ...env,
    });
    this.parley = await createParley(this.config, undefined, tuning);
    this.browser = await launched;
    return this;
  }

  /** Stops the server (sockets see 1001) and, once `whileDown` ran, starts it on the same port. */
  async restart(whileDown: () => Promise<void> = async () => {}): Promise<void> {
    const port = Number(new URL(this.url).port);
    await this.parley.close();
    await whileDown();
    this.parley = await createParley({ ...this.config, port }, undefined, this.tuning);
  }

  get url(): string {
    return this.parley.url;
  }

  /** A fresh browser profile (its own localStorage) with the app open, from `url` if given. */
  async open(
    options: {
      colorScheme?: "light" | "dark";
      width?: number;
      height?: number;
      locale?: string;
      timezoneId?: string;
      url?: string;
    } = {},
  ): Promise<Page> {
    const context = await this.browser.newContext({
      baseURL: options.url ?? this.url,
      colorScheme: options.colorScheme ?? "light",
      viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
      deviceScaleFactor: 1,
      locale: options.locale ?? "en-GB",
      timezoneId: options.timezoneId ?? "Europe/London",
    });
    this.contexts.push(context);
    const page = await context.newPage();
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) this.problems.push(m.text());
    });
    page.on("pageerror", (err) => this.problems.push(`page error: ${err.message}`));
    page.setDefaultTimeout(10_000);
    await page.goto("/");
    return page;
  }

  /** Registers an account over HTTP; resolves to its session token. */
  async register(username: string, password = "correct horse battery"): Promise<string> {
    const res = await fetch(`${this.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 201) throw new Error(`register ${username}: ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** Makes an account a server admin, as `npm run admin -- grant` does beside the server. */
  async grantAdmin(username: string): Promise<void> {
    await grantAdmin(this.config, username);
  }

  /** An SDK client in Node (for seeding), closed with the harness. */
  async client(token?: string): Promise<ParleyClient> {
    const client = new ParleyClient({
      url: `${this.url.replace(/^http/, "ws")}/ws`,
      WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
      ...(token ? { token } : {}),
    });
    this.clients.push(client);
    await client.connect();
    return client;
  }

  async closeContexts(): Promise<void> {
    await Promise.all(this.contexts.splice(0).map((c) => c.close()));
  }

  async close(): Promise<void> {
    await this.closeContexts();
    await Promise.all(this.clients.map((c) => c.close()));
    await this.browser?.close();
    await this.parley?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// --- page helpers: what a person does ---

/** Continues as a guest; resolves with the generated name. */
export async function continueAsGuest(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Continue as guest" }).click();
  return myName(page);
}

/** Creates an account from the sign-in screen. */
export async function registerInUi(page: Page, username: string): Promise<void> {
  await page.getByRole("tab", { name: "Create account" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await page.getByTestId("me").filter({ hasText: username }).waitFor();
}

/** Signs in with an existing account. */
export async function signIn(page: Page, username: string): Promise<void> {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("me").filter({ hasText: username }).waitFor();
}

export async function myName(page: Page): Promise<string> {
  const me = page.getByTestId("me");
  await me.waitFor();
  return (await me.textContent()) ?? "";
}

export async function createChannel(page: Page, name: string, topic = ""): Promise<void> {
  await page.getByRole("button", { name: "Create channel" }).first().click();
  await page.getByLabel("Name").fill(name);
  if (topic) await page.getByLabel("Topic (optional)").fill(topic);
  await page.getByRole("button", { name: "Create channel", exact: true }).last().click();
  await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
}

export async function joinChannel(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: "Browse channels" }).first().click();
  await page.getByRole("searchbox").fill(name);
  await page.getByRole("button", { name: `Join #${name}` }).click();
  await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
}

export function composer(page: Page) {
  return page.getByRole("combobox", { name: /^Message #/ });
}

/** Types a message and presses Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press("Enter");
}

/** The message list's element holding exactly this text. */
export function messageText(page: Page, text: string) {
  return page.getByTestId("timeline").locator(".message-text", { hasText: text });
}

/** The message (its whole element, tools included) holding this text. */
export function message(page: Page, text: string) {
  return page.getByTestId("message").filter({ hasText: text });
}

/**
 * The member list's row for `name`: one button, which opens the member's card. (Usernames hold
 * no character that is special in a pattern.)
 */
export function memberRow(page: Page, name: string) {
  return page
    .getByRole("complementary", { name: "Members" })
    .getByRole("button", { name: new RegExp(`^${name}\\b`) });
}

/** Opens `name`'s profile card from the member list; resolves to the card (a dialog). */
export async function openProfileCard(page: Page, name: string) {
  await memberRow(page, name).click();
  const card = page.getByRole("dialog", { name, exact: true });
  await card.waitFor();
  return card;
}

/** axe-core's browser build, injected into a page by `axeViolations`. */
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/**
 * Runs axe-core on the page as it is now and returns its serious and critical violations, one
 * line per rule and element ("color-contrast (serious) .channel-link: Fix any of …"). Injected
 * through the DevTools protocol, so the page's strict CSP stays in force.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import("axe-core") }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .flatMap((v) =>
        v.nodes.map(
          (n) => `${v.id} (${v.impact}) ${n.target.join(" ")}: ${n.failureSummary ?? v.help}`,
        ),
      );
  });
}

/** The team conversation the screenshots and the accessibility test show. */
export interface TeamChat {
  alice: ParleyClient;
  bob: ParleyClient;
  dana: ParleyClient;
  guest: ParleyClient;
  general: number;
  design: number;
  random: number;
}

/**
 * Seeds accounts alice, bob and dana and a guest, three channels (#general with a topic, links,
 * an action and reactions; #design; #random). Dana is the user a page signs in as.
 */
export async function seedTeamChat(harness: WebHarness): Promise<TeamChat> {
  const [alice, bob, dana] = await Promise.all(
    ["alice", "bob", "dana"].map(async (n) => harness.client(await harness.register(n))),
  );
  if (!alice || !bob || !dana) throw new Error("seeding failed");
  const general = (await alice.createChannel("general", "Company-wide news and chatter")).ch.i;
  const design = (await alice.createChannel("design", "Critique, mocks and type nerdery")).ch.i;
  const random = (await bob.createChannel("random", "Anything goes")).ch.i;
  await bob.joinChannel(general);
  await dana.joinChannel(general);
  await dana.joinChannel(design);
  await dana.joinChannel(random);
  const guest = await harness.client();
  await guest.joinChannel(general);

  await alice.send(general, "Morning all! The release candidate is up on staging.");
  await alice.send(general, "Notes are here: https://example.com/releases/2.4");
  const q = await bob.send(general, "Nice. Did the reconnect fix make it in?");
  await dana.send(general, "It did, I tested it on a flaky train connection this morning 🚆");
  await dana.send(general, "Messages arrived in order, nothing doubled.");
  const praise = await alice.send(general, "That was the last blocker. Ship it on Thursday?");
  await bob.command(general, "/me opens the release checklist");
  await guest.send(general, "Hi everyone, just looking around.");
  await bob.react(general, praise.i, "🎉");
  await dana.react(general, praise.i, "🎉");
  await guest.react(general, praise.i, "👍");
  await dana.react(general, q.i, "👀");
  await alice.send(design, "New icon set is in Figma, feedback welcome.");
  await bob.send(random, "Lunch at the ramen place?");
  return { alice, bob, dana, guest, general, design, random };
}

/** Signs in as dana of `seedTeamChat` and opens #general at its latest message. */
export async function openTeamChat(page: Page): Promise<void> {
  await signIn(page, "dana");
  await openChannel(page, "general");
  await messageText(page, "Hi everyone").waitFor();
}

/** Opens a joined channel from the sidebar. */
export async function openChannel(page: Page, name: string): Promise<void> {
  await page
    .getByRole("button", { name: new RegExp(name) })
    .first()
    .click();
  await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
}

/** Two people in one new channel, each a page signed up in the UI: `owner` created it, `member` joined it. */
export async function twoPeople(
  harness: WebHarness,
  channel: string,
  owner: string,
  member: string,
): Promise<{ a: Page; b: Page }> {
  const a = await harness.open();
  await registerInUi(a, owner);
  await createChannel(a, channel);
  const b = await harness.open();
  await registerInUi(b, member);
  await joinChannel(b, channel);
  return { a, b };
}
