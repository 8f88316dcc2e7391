import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  axeViolations,
  continueAsGuest,
  createChannel,
  joinChannel,
  messageText,
  say,
  signIn,
  type WebHarness,
} from "./browser-harness";
import { webSuite } from "./web-suite";

// Two people per spec: a moderator (an account, the channel's owner) and a member (a guest),
// each in its own browser context.
const harness = webSuite();

/** A moderator's page in a fresh channel, and a member's page in it. */
async function moderatedChannel(
  channel: string,
  modOptions: Parameters<WebHarness["open"]>[0] = {},
): Promise<{ mod: Page; member: Page; name: string }> {
  await harness.register(`mod-${channel}`);
  const mod = await harness.open(modOptions);
  await signIn(mod, `mod-${channel}`);
  await createChannel(mod, channel);
  const member = await harness.open();
  const name = await continueAsGuest(member);
  await joinChannel(member, channel);
  return { mod, member, name };
}

/**
 * Watches the page until no "send again in …" shows any more (or `timeoutMs` passes) and
 * resolves with every number of seconds it showed on the way, in order.
 */
function countdownUntilGone(page: Page, timeoutMs: number): Promise<number[]> {
  return page.evaluate(
    (timeout) =>
      new Promise<number[]>((resolve, reject) => {
        const seen: number[] = [];
        const look = () => {
          const match = /send again in (\d+)s/.exec(document.body.textContent ?? "");
          if (match && Number(match[1]) !== seen.at(-1)) seen.push(Number(match[1]));
          return /send again in/.test(document.body.textContent ?? "");
        };
        const observer = new MutationObserver(() => {
          if (look()) return;
          observer.disconnect();
          clearTimeout(timer);
          resolve(seen);
        });
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`still counting after ${timeout} ms: ${seen.join(", ")}`));
        }, timeout);
        if (!look()) {
          clearTimeout(timer);
          resolve(seen);
          return;
        }
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      }),
    timeoutMs,
  );
}

/** The moderator turns slow mode on; the member has seen it. */
async function turnOnSlowMode(mod: Page, member: Page, seconds: number): Promise<void> {
  await say(mod, `/slow ${seconds}`);
  await member.getByTestId("system").filter({ hasText: "turned on slow mode" }).waitFor();
}

/** Sends once, then tries again at once: the second is refused for slow mode. */
async function sendTwice(mod: Page, member: Page, first: string): Promise<void> {
  await say(member, first);
  await messageText(mod, first).waitFor();
  await say(member, "too soon");
  await member.getByText(/Slow mode is on\. You can send again in/).waitFor();
}

describe("slow mode in the web client", () => {
  it("counts a refused send's wait down every second and clears it when it runs out", async () => {
    const { mod, member } = await moderatedChannel("slow-tick");
    await turnOnSlowMode(mod, member, 4);
    await sendTwice(mod, member, "first in slow mode");

    // Each second showed, counting down (3, 2, 1 at least), and then no notice at all.
    const seen = await countdownUntilGone(member, 10_000);
    expect(seen).toEqual(expect.arrayContaining([3, 2, 1]));
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(await member.getByText(/send again in/).count()).toBe(0);
    expect(await member.getByTestId("composer-error").count()).toBe(0);
    await say(member, "after the wait");
    await messageText(mod, "after the wait").waitFor();
  });

  it("clears the wait at once when a moderator turns slow mode off", async () => {
    const { mod, member } = await moderatedChannel("slow-off");
    await turnOnSlowMode(mod, member, 60);
    await sendTwice(mod, member, "first of a slow minute");

    await say(mod, "/slow off");
    await member.getByTestId("system").filter({ hasText: "turned off slow mode" }).waitFor();
    // With 50-odd seconds still to run, the notice goes with the event, not with the clock.
    await member.getByText(/send again in/).waitFor({ state: "detached", timeout: 2000 });
    await say(member, "free again");
    await messageText(mod, "free again").waitFor();
    await member.getByTestId("pending").waitFor({ state: "detached" });
  });

  it("counts down the wait the server gives when the member sent from elsewhere", async () => {
    const { mod } = await moderatedChannel("slow-elsewhere");
    const token = await harness.register("two-tabs");
    const member = await harness.open();
    await signIn(member, "two-tabs");
    await joinChannel(member, "slow-elsewhere");
    await turnOnSlowMode(mod, member, 60);
    // The same account sends from another device; this page has not sent anything.
    const elsewhere = await harness.client(token);
    const channelId = (await elsewhere.listChannels({ q: "slow-elsewhere" })).ch[0]?.i ?? 0;
    await elsewhere.send(channelId, "from my phone");
    await messageText(member, "from my phone").waitFor();

    await say(member, "from the browser");
    await member.getByText("Not sent. Sent too soon in slow mode.").waitFor();
    await member.getByText(/send again in (5\d|60)s/).waitFor();
    await say(mod, "/slow off");
    await member.getByText(/send again in/).waitFor({ state: "detached", timeout: 2000 });
    await member.getByRole("button", { name: "Retry" }).click();
    await messageText(mod, "from the browser").waitFor();
  });

  it("follows a changed interval, counted from the member's last message", async () => {
    const { mod, member } = await moderatedChannel("slow-change");
    await turnOnSlowMode(mod, member, 600);
    await sendTwice(mod, member, "first of ten minutes");
    await member.getByText(/send again in (9:5\d|10:00)/).waitFor();

    await say(mod, "/slow 5");
    await member.getByTestId("system").filter({ hasText: "one message every 5s" }).waitFor();
    // From ten minutes to at most five seconds, then gone when those run out.
    await member.getByText(/send again in [1-5]s/).waitFor({ timeout: 2000 });
    const seen = await countdownUntilGone(member, 8000);
    expect(Math.max(...seen)).toBeLessThanOrEqual(5);
    await say(member, "on the new interval");
    await messageText(mod, "on the new interval").waitFor();
  });
});

describe("/modlog in the web client", () => {
  it("shows each entry as a sentence at the moderator's local time", async () => {
    // Half-hour offset and a 12-hour clock: neither UTC nor the server's zone could pass.
    const zone = { locale: "en-US", timezoneId: "Asia/Kolkata" };
    const { mod, name } = await moderatedChannel("logged", zone);
    await say(mod, `/mute @${name} 5m noisy`);
    await mod
      .getByTestId("note")
      .filter({ hasText: `Muted ${name}` })
      .waitFor();
    await say(mod, "/slow 90");
    await mod.getByTestId("system").filter({ hasText: "turned on slow mode" }).waitFor();
    await say(mod, "/slow off");
    await mod.getByTestId("system").filter({ hasText: "turned off slow mode" }).waitFor();
    await say(mod, "/modlog");

    const entries = mod.getByTestId("audit-entry");
    await entries.first().waitFor();
    const shown = await entries.evaluateAll((els) =>
      els.map((el) => ({
        at: el.querySelector("time")?.getAttribute("datetime") ?? "",
        time: el.querySelector("time")?.textContent ?? "",
        text: el.querySelector(".audit-text")?.textContent ?? "",
      })),
    );
    const local = (iso: string) =>
      new Intl.DateTimeFormat(zone.locale, {
        timeZone: zone.timezoneId,
        hour: "numeric",
        minute: "2-digit",
      }).format(new Date(iso));
    const mute = await mod.getByTestId("system").filter({ hasText: "muted" }).textContent();
    const muteEnd = /until (.+?)(?::\s|noisy)/.exec(mute ?? "")?.[1]?.trim();
    expect(shown).toEqual([
      {
        at: expect.any(String),
        time: local(shown[0]!.at),
        text: "mod-logged turned slow mode off",
      },
      {
        at: expect.any(String),
        time: local(shown[1]!.at),
        text: "mod-logged turned slow mode on: one message every 1:30",
      },
      {
        at: expect.any(String),
        time: local(shown[2]!.at),
        text: `mod-logged muted ${name} until ${muteEnd}: noisy`,
      },
    ]);
    // A clock time, with the date in front when the mute ends on another local day.
    expect(muteEnd).toMatch(/^(?:[A-Z][a-z]{2} \d{1,2}, )?\d{1,2}:\d\d [AP]M$/);
    // No raw ISO stamp and no "— 0" anywhere in the note.
    const note = (await mod.getByTestId("note").last().textContent()) ?? "";
    expect(note).not.toMatch(/\d{4}-\d\d-\d\dT|— 0|UTC/);
  });

  it("brings a member's report to the moderator live, who resolves it from the reports panel", async () => {
    const { mod, member, name } = await moderatedChannel("reported");
    await say(mod, "an innocent message");
    await say(mod, "a second message");
    const report = async (text: string, reason: string) => {
      await member.getByTestId("message").filter({ hasText: text }).click({ button: "right" });
      await member.getByRole("menuitem", { name: "Report message…" }).click();
      const dialog = member.getByRole("dialog", { name: "Report message" });
      await dialog.getByLabel("Reason (optional)").fill(reason);
      return dialog;
    };
    // A member reports the moderator's message from its menu, with a reason.
    const dialog = await report("an innocent message", "spam <b>links</b>");
    expect(await axeViolations(member)).toEqual([]);
    await dialog.getByRole("button", { name: "Report", exact: true }).click();
    await member.getByText("Message reported.").waitFor();
    // The moderator's open tab shows it without a reload: the count, then the panel.
    await mod.getByTestId("open-reports").filter({ hasText: "1" }).waitFor();
    await mod.getByTestId("reports-button").click();
    const panel = mod.getByRole("dialog", { name: "Reports" });
    const items = panel.getByTestId("report-item");
    const first = items.filter({ hasText: "an innocent message" });
    // The reason is text, never markup.
    await first.getByText(`Reported by ${name}: spam <b>links</b>`).waitFor();
    expect(await first.locator("b").count()).toBe(0);
    expect(await axeViolations(mod)).toEqual([]);
    // A report made while the panel is open joins it live, newest first.
    await (await report("a second message", ""))
      .getByRole("button", { name: "Report", exact: true })
      .click();
    await expect.poll(() => items.count()).toBe(2);
    await items.first().getByText("a second message").waitFor();
    await items.first().getByText(`Reported by ${name}, no reason given`).waitFor();
    // Resolve one, dismiss the other (by keyboard): the panel empties and the count goes.
    await first.getByRole("button", { name: /^Resolve the report/ }).click();
    await expect.poll(() => items.count()).toBe(1);
    await items
      .first()
      .getByRole("button", { name: /^Dismiss the report/ })
      .focus();
    await mod.keyboard.press("Enter");
    await panel.getByText("No open reports.").waitFor();
    await mod.getByTestId("open-reports").waitFor({ state: "detached" });
    await mod.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    // The moderation log says who handled them.
    await say(mod, "/modlog");
    const note = mod.getByTestId("note").last();
    await note
      .getByText(/resolved a report of a message by mod-reported: spam <b>links<\/b>/)
      .waitFor();
    await note.getByText(/dismissed a report of a message by mod-reported/).waitFor();
  });
});
