import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, continueAsGuest } from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

const PASSWORD = "correct horse battery";

/** Fills the sign-in screen's "Create account" form (the tab already chosen) and sends it. */
async function createAccount(page: Page, username: string, invite?: string): Promise<void> {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  if (invite !== undefined) await page.getByLabel("Invite code").fill(invite);
  await page.getByRole("button", { name: "Create account", exact: true }).click();
}

/** Opens the admin console signed in as `username`. */
async function openConsole(username: string): Promise<Page> {
  const admin = await harness.open();
  await admin.goto("/admin");
  await admin.getByLabel("Username").fill(username);
  await admin.getByLabel("Password").fill(PASSWORD);
  await admin.getByRole("button", { name: "Sign in", exact: true }).click();
  await admin.getByRole("heading", { name: "Parley admin" }).waitFor();
  return admin;
}

/** Makes an invite in the console's Invites tab; resolves to its sign-up link. */
async function makeInvite(admin: Page, uses: string, expires: string, note: string) {
  const form = admin.getByRole("form", { name: "Make an invite" });
  await form.getByLabel("Uses").selectOption({ label: uses });
  await form.getByLabel("Expires after").selectOption({ label: expires });
  await form.getByLabel("Note (optional)").fill(note);
  await form.getByRole("button", { name: "Make invite" }).click();
  const link = admin.getByLabel("Sign-up link");
  await link.waitFor();
  return link.inputValue();
}

describe("invite-only registration", () => {
  it("lets an admin make an invite whose link signs one visitor up, and refuses it after", async () => {
    await harness.register("keeper");
    await harness.grantAdmin("keeper");
    const admin = await openConsole("keeper");

    // Registration goes invite-only in the Server tab.
    await admin.getByRole("tab", { name: "Server" }).click();
    const registration = admin.getByLabel(/^New accounts/);
    await registration.selectOption({ label: "Invite only: with an invite from the Invites tab" });
    await admin.getByRole("button", { name: "Save settings" }).click();
    await admin.getByRole("status").filter({ hasText: "Saved." }).waitFor();

    // An invite for one person, for 7 days, with a note; its link is shown this once.
    await admin.getByRole("tab", { name: "Invites" }).click();
    await admin.getByText("New accounts are by invitation only").waitFor();
    const link = await makeInvite(admin, "1 use", "7 days", "for newbie");
    expect(link).toMatch(new RegExp(`^${harness.url}/#/signup/[A-Za-z0-9_-]{22}$`));
    await admin.getByText("Shown only now").waitFor();
    const code = new URL(link).hash.slice("#/signup/".length);
    const list = admin.getByRole("table");
    const row = list.getByRole("row").filter({ hasText: "for newbie" });
    await expect
      .poll(() => row.getByRole("cell").allTextContents())
      .toEqual(["keeper", "0 of 1", expect.any(String), "Live"]);
    expect(await axeViolations(admin)).toEqual([]);

    // A visitor at the plain page must give a code; a wrong one is refused.
    const visitor = await harness.open();
    await visitor.getByRole("tab", { name: "Create account" }).click();
    const inviteField = visitor.getByLabel("Invite code");
    await inviteField.waitFor();
    await visitor.getByText("Ask the server's admins for an invite.").waitFor();
    await expect(inviteField.getAttribute("required")).resolves.not.toBeNull();
    expect(await axeViolations(visitor)).toEqual([]);
    await createAccount(visitor, "newbie", "NotAnInviteCode_1234");
    await visitor.getByRole("alert").filter({ hasText: "That invite is not valid" }).waitFor();

    // Following the link (no reload: the hash changes) fills the code in; the account is made.
    await visitor.goto(link);
    await expect.poll(() => inviteField.inputValue()).toBe(code);
    await expect
      .poll(() =>
        visitor.getByRole("tab", { name: "Create account" }).getAttribute("aria-selected"),
      )
      .toBe("true");
    await expect.poll(() => new URL(visitor.url()).hash).toBe("");
    await visitor.getByRole("button", { name: "Create account", exact: true }).click();
    await visitor.getByTestId("me").filter({ hasText: "newbie" }).waitFor();

    // Its one use is taken: the list says so once refreshed.
    await admin.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => row.count()).toBe(0);
    await admin.getByLabel("Show").selectOption({ label: "Every invite" });
    await expect
      .poll(() => row.getByRole("cell").allTextContents())
      .toEqual(["keeper", "1 of 1", expect.any(String), "Used up"]);

    // A third person opens the same link afresh, on a phone in dark mode: the form is ready
    // with the code, and the server refuses it.
    const late = await harness.open({ colorScheme: "dark", width: 390, height: 844 });
    await late.goto("about:blank");
    await late.goto(link);
    await expect.poll(() => late.getByLabel("Invite code").inputValue()).toBe(code);
    expect(await axeViolations(late)).toEqual([]);
    await createAccount(late, "latecomer");
    await late.getByRole("alert").filter({ hasText: "That invite is not valid" }).waitFor();
    expect(await late.getByTestId("me").count()).toBe(0);
  });

  it("asks a guest for an invite to register, and revokes an invite from the console", async () => {
    const admin = await openConsole("keeper");
    await admin.getByRole("tab", { name: "Invites" }).click();
    const link = await makeInvite(admin, "Unlimited", "Never", "spare");
    const code = new URL(link).hash.slice("#/signup/".length);

    // A guest's registration takes the invite code too.
    const guest = await harness.open();
    await continueAsGuest(guest);
    await guest.getByRole("button", { name: /register to keep this name/ }).click();
    const dialog = guest.getByRole("dialog", { name: "Register" });
    await dialog.getByLabel("Invite code").waitFor();
    expect(await axeViolations(guest)).toEqual([]);
    await dialog.getByLabel("Username").fill("upgraded");
    await dialog.getByLabel("Password").fill(PASSWORD);
    await dialog.getByLabel("Invite code").fill(code);
    await dialog.getByRole("button", { name: "Register", exact: true }).click();
    await guest.getByTestId("me").filter({ hasText: "upgraded" }).waitFor();

    // Revoking asks first; the invite is then revoked, and the audit log tells both changes.
    await admin.getByRole("button", { name: "Refresh" }).click();
    const row = admin.getByRole("row").filter({ hasText: "spare" });
    await expect.poll(() => row.getByRole("cell").nth(1).textContent()).toBe("1");
    await row.getByRole("button", { name: "spare" }).click();
    const details = admin.getByRole("region", { name: "spare" });
    await details.getByText("Revoke invite…").click();
    const revoke = details.getByRole("button", { name: "Revoke", exact: true });
    await expect(revoke.isDisabled()).resolves.toBe(true);
    await details.getByLabel("I understand this cannot be undone").check();
    expect(await axeViolations(admin)).toEqual([]);
    await revoke.click();
    await details.getByRole("status").filter({ hasText: "Revoked" }).waitFor();
    await expect.poll(() => row.getByRole("cell").nth(3).textContent()).toBe("Revoked");

    await admin.getByRole("tab", { name: "Audit log" }).click();
    const audit = admin.getByRole("list", { name: "Admin audit log" });
    await audit.getByText("keeper revoked the invite for “spare”").waitFor();
    await audit
      .getByText("keeper made an invite (unlimited uses, never expires) for “spare”")
      .waitFor();
    await audit
      .getByText(/^keeper made an invite \(1 use, expires .+\) for “for newbie”$/)
      .waitFor();

    // Back to the configuration: anyone may register again, without an invite.
    await admin.getByRole("tab", { name: "Server" }).click();
    await admin.getByRole("button", { name: "Reset to the configuration" }).click();
    await admin
      .getByRole("status")
      .filter({ hasText: "Back to the server's configuration." })
      .waitFor();
    const visitor = await harness.open();
    await visitor.getByRole("tab", { name: "Create account" }).click();
    await createAccount(visitor, "freebird");
    await visitor.getByTestId("me").filter({ hasText: "freebird" }).waitFor();
  });
});
