import { describe, expect, it } from "vitest";
import {
  axeViolations,
  createChannel,
  joinChannel,
  messageText,
  registerInUi,
  say,
  signIn,
} from "./browser-harness";
import { webSuite } from "./web-suite";

const harness = webSuite();

describe("admin console", () => {
  it("lets an admin find a user and ban them; the user's open tab ends with the ban notice", async () => {
    // The admin's account first, made an admin beside the server, then signed in on /admin.
    const admin = await harness.open();
    await registerInUi(admin, "root");
    await createChannel(admin, "lobby");
    await harness.grantAdmin("root");
    const user = await harness.open();
    await registerInUi(user, "spammer");
    await joinChannel(user, "lobby");
    await say(user, "buy cheap watches");
    await say(admin, "/mute @spammer 10m noisy");
    // The message is reported from the chat; the console's Reports tab has it.
    await admin
      .getByTestId("message")
      .filter({ hasText: "buy cheap watches" })
      .click({ button: "right" });
    await admin.getByRole("menuitem", { name: "Report message…" }).click();
    const reporting = admin.getByRole("dialog", { name: "Report message" });
    await reporting.getByLabel("Reason (optional)").fill("watch spam");
    await reporting.getByRole("button", { name: "Report", exact: true }).click();
    await admin.getByText("Message reported.").waitFor();

    await admin.goto("/admin");
    await admin.getByRole("heading", { name: "Parley admin" }).waitFor();
    await admin.getByRole("tab", { name: "Reports" }).click();
    const reports = admin.getByRole("list", { name: "Reports" });
    await reports.getByText("Reported by root: watch spam").waitFor();
    expect(await axeViolations(admin)).toEqual([]);
    await reports
      .getByRole("button", { name: "Resolve the report of the message by spammer" })
      .click();
    await admin
      .getByRole("status")
      .filter({ hasText: "Resolved the report of spammer's message." })
      .waitFor();
    await reports.getByText(/resolved by root$/).waitFor();
    await admin.getByRole("tab", { name: "Users" }).click();
    await admin.getByLabel("Search users").fill("spam");
    const row = admin.getByRole("row").filter({ hasText: "spammer" });
    // The header and the one user whose name holds "spam".
    await expect.poll(() => admin.getByRole("row").count()).toBe(2);
    await row.getByRole("button", { name: "spammer" }).click();
    const details = admin.getByRole("region", { name: "spammer" });
    await details.getByText("buy cheap watches").waitFor();
    await details.getByRole("listitem").filter({ hasText: "#lobby (member)" }).waitFor();
    expect(await axeViolations(admin)).toEqual([]);

    await details.getByLabel("Reason").fill("selling watches");
    await details.getByLabel("For").selectOption({ label: "1 day" });
    await details.getByRole("button", { name: "Ban from server" }).click();
    await details.getByRole("status").filter({ hasText: "Banned." }).waitFor();
    await expect(row.getByRole("cell").nth(2).textContent()).resolves.toMatch(
      /^Banned until .*: selling watches$/,
    );

    // The user's tab is back at sign-in with the ban notice; signing in says until when and why.
    await user.getByText("This account has been banned from the server").waitFor();
    await user.getByLabel("Username").fill("spammer");
    await user.getByLabel("Password").fill("correct horse battery");
    await user.getByRole("button", { name: "Sign in", exact: true }).click();
    await user.getByText(/banned from the server until .*: selling watches/).waitFor();

    // The audit log tells it, and the unban from the details lets the user back in.
    await admin.getByRole("tab", { name: "Audit log" }).click();
    await admin
      .getByRole("list", { name: "Admin audit log" })
      .getByText(/^root banned spammer until .*: selling watches$/)
      .waitFor();
    expect(await axeViolations(admin)).toEqual([]);
    // Every channel's moderation, filtered by channel.
    await admin.getByRole("tab", { name: "Moderation log" }).click();
    await admin.getByLabel("Channel").fill("lobby");
    await admin
      .getByRole("list", { name: "Moderation log" })
      .getByText(/^root muted spammer until .*: noisy$/)
      .waitFor();
    await admin.getByLabel("Channel").fill("elsewhere");
    await admin.getByText("No moderation matches.").waitFor();
    await admin.getByRole("tab", { name: "Users" }).click();
    await admin.getByLabel("Search users").fill("spammer");
    await admin.getByRole("button", { name: "spammer" }).click();
    await admin.getByRole("button", { name: "Unban" }).click();
    await admin.getByRole("status").filter({ hasText: "Unbanned." }).waitFor();
    await signIn(user, "spammer");
  });

  it("signs a user out everywhere from the console, and refuses the console to a non-admin", async () => {
    // The console asks for a sign-in at /admin, and opens on it: here on a phone, in dark mode.
    await harness.register("boss");
    await harness.grantAdmin("boss");
    const user = await harness.open();
    await registerInUi(user, "wanderer");
    const admin = await harness.open({ colorScheme: "dark", width: 390, height: 844 });
    await admin.goto("/admin");
    await admin.getByText("Sign in as a server admin to open the admin console.").waitFor();
    await admin.getByLabel("Username").fill("boss");
    await admin.getByLabel("Password").fill("correct horse battery");
    await admin.getByRole("button", { name: "Sign in", exact: true }).click();
    await admin.getByRole("heading", { name: "Parley admin" }).waitFor();
    await admin.getByLabel("Search users").fill("wanderer");
    await admin.getByRole("button", { name: "wanderer" }).click();
    await admin.getByRole("button", { name: "Sign out everywhere" }).click();
    await admin.getByRole("status").filter({ hasText: "Signed out everywhere." }).waitFor();
    await user.getByText("Your session has ended. Sign in again to continue.").waitFor();
    // On a phone in dark mode the console is usable and clean.
    expect(await axeViolations(admin)).toEqual([]);
    const width = await admin.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);

    // A password reset shows the new password once; the user signs in with it.
    await admin.getByRole("button", { name: "Reset password" }).click();
    const password = (await admin.getByTestId("issued-password").textContent()) ?? "";
    expect(password).toMatch(/^\S{24}$/);
    await user.getByLabel("Username").fill("wanderer");
    await user.getByLabel("Password").fill(password);
    await user.getByRole("button", { name: "Sign in", exact: true }).click();
    await user.getByTestId("me").filter({ hasText: "wanderer" }).waitFor();

    // A signed-in member who opens /admin is told it is for admins, and reaches no data.
    await user.goto("/admin");
    await user
      .getByRole("alert")
      .filter({ hasText: "This console is for server admins" })
      .waitFor();
    expect(await user.getByRole("table").count()).toBe(0);
  });

  it("renames, deactivates and reactivates a user from the console; the user's tab and another member see it", async () => {
    const admin = await harness.open();
    await registerInUi(admin, "overseer");
    await harness.grantAdmin("overseer");
    const member = await harness.open();
    await registerInUi(member, "watcher");
    await createChannel(member, "plaza");
    const user = await harness.open();
    await registerInUi(user, "oldname");
    await joinChannel(user, "plaza");
    await say(user, "hello from the old name");
    const byAuthor = (name: string) =>
      member
        .locator("li.group")
        .filter({ hasText: "hello from the old name" })
        .getByRole("button", { name, exact: true });
    await byAuthor("oldname").waitFor();

    await admin.goto("/admin");
    await admin.getByLabel("Search users").fill("oldname");
    await admin.getByRole("button", { name: "oldname" }).click();
    const details = admin.getByRole("region", { name: "oldname" });
    await details.getByLabel("New username").fill("newname");
    await details.getByRole("button", { name: "Rename", exact: true }).click();
    await admin.getByRole("status").filter({ hasText: "Renamed to newname." }).waitFor();
    // The other member's open tab shows the new name on the old message, live.
    await byAuthor("newname").waitFor();
    await user.getByTestId("me").filter({ hasText: "newname" }).waitFor();

    await admin.getByRole("button", { name: "Deactivate" }).click();
    await admin.getByRole("status").filter({ hasText: "Deactivated" }).waitFor();
    await user.getByText("Your account was deactivated by the server's admins.").waitFor();
    await user.getByLabel("Username").fill("newname");
    await user.getByLabel("Password").fill("correct horse battery");
    await user.getByRole("button", { name: "Sign in", exact: true }).click();
    await user.getByText("This account was deactivated by the server's admins").waitFor();
    expect(await axeViolations(admin)).toEqual([]);
    await admin.getByRole("button", { name: "Reactivate" }).click();
    await admin.getByRole("status").filter({ hasText: "Reactivated." }).waitFor();
    await signIn(user, "newname");
  });

  it("deletes a user keeping their messages, and another removing them; the tabs end and the messages follow live", async () => {
    await harness.register("warden");
    await harness.grantAdmin("warden");
    const member = await harness.open();
    await registerInUi(member, "stayer");
    await createChannel(member, "square");
    const kept = await harness.open();
    await registerInUi(kept, "leaver");
    await joinChannel(kept, "square");
    await say(kept, "words that stay");
    const removed = await harness.open();
    await registerInUi(removed, "vandal");
    await joinChannel(removed, "square");
    await say(removed, "words that go");
    const message = (text: string) => member.getByTestId("message").filter({ hasText: text });
    await message("words that go").waitFor();

    // The console on a phone, in dark mode.
    const admin = await harness.open({ colorScheme: "dark", width: 390, height: 844 });
    await admin.goto("/admin");
    await admin.getByLabel("Username").fill("warden");
    await admin.getByLabel("Password").fill("correct horse battery");
    await admin.getByRole("button", { name: "Sign in", exact: true }).click();
    await admin.getByRole("heading", { name: "Parley admin" }).waitFor();
    const remove = async (name: string, choice: RegExp) => {
      await admin.getByLabel("Search users").fill(name);
      await admin.getByRole("button", { name, exact: true }).click();
      const details = admin.getByRole("region", { name });
      await details.getByText("Delete account…").click();
      await details.getByRole("radio", { name: choice }).check();
      const confirm = details.getByRole("button", { name: "Delete for good" });
      expect(await confirm.isDisabled()).toBe(true);
      await details.getByRole("checkbox", { name: "I understand this cannot be undone" }).check();
      expect(await axeViolations(admin)).toEqual([]);
      await confirm.click();
    };
    await remove("leaver", /^Keep them/);
    await admin.getByRole("status").filter({ hasText: "Deleted; their messages stay" }).waitFor();
    await kept.getByText("Your account was deleted.").waitFor();
    // The message stays, its author shown as a deleted user.
    await member
      .locator("li.group")
      .filter({ hasText: "words that stay" })
      .getByRole("button", { name: "Deleted user", exact: true })
      .waitFor();

    await admin.getByRole("button", { name: "Close" }).click();
    await remove("vandal", /^Remove them/);
    await admin
      .getByRole("status")
      .filter({ hasText: "Deleted, with 1 message removed." })
      .waitFor();
    await removed.getByText("Your account was deleted.").waitFor();
    await expect.poll(() => message("words that go").count()).toBe(0);
    const width = await admin.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);

    // Deleted accounts are listed apart; the idle-guest removal runs and reports its count.
    await admin.getByRole("button", { name: "Close" }).click();
    await admin.getByLabel("Search users").fill("");
    await admin.getByLabel("Show").selectOption({ label: "Deleted" });
    await expect.poll(() => admin.getByRole("row").count()).toBe(3);
    await admin.getByText("Remove idle guests…").click();
    await admin.getByRole("button", { name: "Remove guests" }).click();
    await admin.getByRole("status").filter({ hasText: "Removed 0 guests (0 messages)." }).waitFor();
  });

  it("manages a channel from the console: archive makes the members' tabs read-only live, the owner changes, and deletion removes it from their tabs", async () => {
    await harness.register("keeper");
    await harness.grantAdmin("keeper");
    const owner = await harness.open();
    await registerInUi(owner, "founder");
    await createChannel(owner, "attic");
    await say(owner, "dusty words");
    // The member in dark mode, then on a phone.
    const member = await harness.open({ colorScheme: "dark" });
    await registerInUi(member, "heir");
    await joinChannel(member, "attic");
    await member.setViewportSize({ width: 390, height: 844 });
    await member.getByTestId("message").filter({ hasText: "dusty words" }).waitFor();

    const admin = await harness.open({ colorScheme: "dark", width: 390, height: 844 });
    await admin.goto("/admin");
    await admin.getByLabel("Username").fill("keeper");
    await admin.getByLabel("Password").fill("correct horse battery");
    await admin.getByRole("button", { name: "Sign in", exact: true }).click();
    await admin.getByRole("heading", { name: "Parley admin" }).waitFor();
    await admin.getByRole("tab", { name: "Channels" }).click();
    await admin.getByLabel("Search channels").fill("att");
    const row = admin.getByRole("row").filter({ hasText: "#attic" });
    await row.getByText("founder").waitFor();
    await row.getByRole("button", { name: "#attic" }).click();
    const details = admin.getByRole("region", { name: "#attic" });
    await details.getByTestId("channel-members").getByText("heir").waitFor();
    expect(await axeViolations(admin)).toEqual([]);

    await details.getByRole("button", { name: "Archive" }).click();
    await admin
      .getByRole("status")
      .filter({ hasText: "Archived: the channel is read-only." })
      .waitFor();
    // The member's tab turns read-only: the notice instead of the composer, the badge, the line.
    await member.getByTestId("archived-notice").waitFor();
    await member.getByTestId("archived-badge").waitFor();
    await member.getByText("keeper archived the channel: it is read-only now").waitFor();
    expect(await member.getByRole("textbox", { name: /message/i }).count()).toBe(0);
    expect(await axeViolations(member)).toEqual([]);
    expect(await axeViolations(admin)).toEqual([]);

    await details.getByLabel("New owner (a member)").fill("heir");
    await details.getByRole("button", { name: "Change owner" }).click();
    await admin.getByRole("status").filter({ hasText: "#attic now belongs to heir." }).waitFor();
    await details.getByText("founder (moderator", { exact: false }).waitFor();
    await details.getByRole("button", { name: "Unarchive" }).click();
    await admin.getByRole("status").filter({ hasText: "Unarchived" }).waitFor();
    await expect.poll(() => member.getByTestId("archived-notice").count()).toBe(0);
    await say(member, "open again");

    await details.getByText("Delete channel…").click();
    const confirm = details.getByRole("button", { name: "Delete for good" });
    expect(await confirm.isDisabled()).toBe(true);
    await details.getByRole("checkbox", { name: "I understand this cannot be undone" }).check();
    await confirm.click();
    await expect.poll(() => admin.getByRole("row").filter({ hasText: "#attic" }).count()).toBe(0);
    await member.getByText("#attic was deleted by the server's admins").waitFor();
    await owner.getByText("#attic was deleted by the server's admins").waitFor();
    await expect
      .poll(() => member.getByTestId("message").filter({ hasText: "dusty words" }).count())
      .toBe(0);
    const width = await member.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
  });

  it("turns guest access off from the Server tab, and a visitor is told to sign in", async () => {
    // A visitor whose sign-in screen was read while guests were let in.
    const visitor = await harness.open();
    await visitor.getByRole("button", { name: "Continue as guest" }).waitFor();
    await harness.register("chief");
    await harness.grantAdmin("chief");
    const admin = await harness.open();
    await admin.goto("/admin");
    await admin.getByLabel("Username").fill("chief");
    await admin.getByLabel("Password").fill("correct horse battery");
    await admin.getByRole("button", { name: "Sign in", exact: true }).click();
    await admin.getByRole("tab", { name: "Server" }).click();
    // The live figures: this one node, with at least the admin's own connection.
    const figures = admin.getByRole("region", { name: "Live figures" });
    await figures.getByText("Stored messages").waitFor();
    expect(await figures.getByRole("row").count()).toBe(2);
    await figures.getByRole("img", { name: /^Connections/ }).waitFor();
    const guests = admin.getByLabel(/^Let guests in without an account/);
    await expect(guests.isChecked()).resolves.toBe(true);
    await guests.uncheck();
    await admin.getByRole("button", { name: "Save settings" }).click();
    await admin.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    await admin.getByText("Let guests in without an account (set here)").waitFor();
    expect(await axeViolations(admin)).toEqual([]);

    await visitor.getByRole("button", { name: "Continue as guest" }).click();
    await visitor
      .getByText("This server does not let guests in: sign in or create an account.")
      .waitFor();
    // The sign-in screen, read again, offers guests no way in; nor does a fresh one.
    await expect
      .poll(() => visitor.getByRole("button", { name: "Continue as guest" }).count())
      .toBe(0);
    const fresh = await harness.open();
    await fresh.getByRole("tab", { name: "Create account" }).waitFor();
    await expect.poll(() => fresh.getByText("or", { exact: true }).count()).toBe(0);
    expect(await fresh.getByRole("button", { name: "Continue as guest" }).count()).toBe(0);

    await admin.getByRole("button", { name: "Reset to the configuration" }).click();
    await admin
      .getByRole("status")
      .filter({ hasText: "Back to the server's configuration." })
      .waitFor();
    await expect(guests.isChecked()).resolves.toBe(true);
    await visitor.reload();
    await visitor.getByRole("button", { name: "Continue as guest" }).click();
    await visitor.getByTestId("me").waitFor();
  });

  it("blocks a word server-wide from the Server tab: a member's disguised send is refused with the reason, the others never see it", async () => {
    await harness.register("sentinel");
    await harness.grantAdmin("sentinel");
    const admin = await harness.open();
    await admin.goto("/admin");
    await admin.getByLabel("Username").fill("sentinel");
    await admin.getByLabel("Password").fill("correct horse battery");
    await admin.getByRole("button", { name: "Sign in", exact: true }).click();
    await admin.getByRole("tab", { name: "Server" }).click();
    await admin.getByLabel(/^Blocked words and phrases/).fill("scam\nfree money");
    await admin.getByLabel(/^Most people one message may mention/).fill("3");
    await admin.getByRole("button", { name: "Save settings" }).click();
    await admin.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    expect(await axeViolations(admin)).toEqual([]);

    const owner = await harness.open();
    await registerInUi(owner, "stallkeeper");
    await createChannel(owner, "bazaar");
    const member = await harness.open();
    await registerInUi(member, "peddler");
    await joinChannel(member, "bazaar");
    await say(member, "a fine s c 4 m for you");
    await member
      .getByText("This message holds a word this server does not allow")
      .first()
      .waitFor();
    await say(member, "honest wares");
    await messageText(owner, "honest wares").waitFor();
    expect(await messageText(owner, "s c 4 m").count()).toBe(0);

    await admin.getByRole("button", { name: "Reset to the configuration" }).click();
    await admin
      .getByRole("status")
      .filter({ hasText: "Back to the server's configuration." })
      .waitFor();
  });

  it("holds a word for review server-wide from the Server tab: the console approves a held message, which is posted for everyone", async () => {
    await harness.register("reviewer");
    await harness.grantAdmin("reviewer");
    const admin = await harness.open();
    await admin.goto("/admin");
    await admin.getByLabel("Username").fill("reviewer");
    await admin.getByLabel("Password").fill("correct horse battery");
    await admin.getByRole("button", { name: "Sign in", exact: true }).click();
    await admin.getByRole("tab", { name: "Server" }).click();
    const held = admin.getByLabel(/^Held words and phrases/);
    await held.waitFor();
    await admin.getByText(/^Held words and phrases.*\(from the configuration\)$/).waitFor();
    await held.fill("lottery*\n  free   gift  \n\n");
    await admin.getByRole("button", { name: "Save settings" }).click();
    await admin.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    // Saved as the list it is, marked as set here; read back so after a reload.
    await admin.getByText(/^Held words and phrases.*\(set here\)$/).waitFor();
    await expect.poll(() => held.inputValue()).toBe("lottery*\nfree gift");
    expect(await axeViolations(admin)).toEqual([]);
    await admin.reload();
    await admin.getByRole("tab", { name: "Server" }).click();
    await expect
      .poll(() => admin.getByLabel(/^Held words and phrases/).inputValue())
      .toBe("lottery*\nfree gift");
    await expect(admin.getByLabel(/^Blocked words and phrases/).inputValue()).resolves.toBe("");

    const owner = await harness.open();
    await registerInUi(owner, "raffler");
    await createChannel(owner, "fairground");
    const member = await harness.open();
    await registerInUi(member, "punter");
    await joinChannel(member, "fairground");
    await say(member, "win the lotteryjackpot here");
    await member
      .getByTestId("held-message")
      .filter({ hasText: "Your message is waiting for a moderator's review" })
      .waitFor();

    // The console's Reports tab shows it as held, by the server's entry, to approve or drop.
    await admin.getByRole("tab", { name: "Reports" }).click();
    const reports = admin.getByRole("list", { name: "Reports" });
    const entry = reports.getByRole("listitem").filter({ hasText: "lotteryjackpot" });
    await entry.getByText("Held by auto-moderation: matched “lottery*”").waitFor();
    await entry.getByRole("button", { name: "Drop the held message by punter" }).waitFor();
    expect(await axeViolations(admin)).toEqual([]);
    await entry
      .getByRole("button", { name: "Approve and post the held message by punter" })
      .click();
    await admin
      .getByRole("status")
      .filter({ hasText: "Approved: punter's message is posted in #fairground." })
      .waitFor();
    await entry.getByText(/Approved by reviewer$/).waitFor();
    expect(await entry.getByRole("button").count()).toBe(0);
    await messageText(owner, "win the lotteryjackpot here").waitFor();
    await messageText(member, "win the lotteryjackpot here").waitFor();
    await member.getByTestId("held-message").waitFor({ state: "detached" });
    // Closed, it is listed under its status with who approved it.
    await admin.getByLabel("Status").selectOption({ label: "Resolved or approved" });
    await reports
      .getByRole("listitem")
      .filter({ hasText: "lotteryjackpot" })
      .getByText(/Approved by reviewer$/)
      .waitFor();

    await admin.getByRole("tab", { name: "Moderation log" }).click();
    await admin.getByLabel("Action").selectOption({ label: "Held messages approved" });
    await admin
      .getByRole("list", { name: "Moderation log" })
      .getByText("reviewer approved a held message by punter: lottery*")
      .waitFor();

    await admin.getByRole("tab", { name: "Server" }).click();
    await admin.getByRole("button", { name: "Reset to the configuration" }).click();
    await admin
      .getByRole("status")
      .filter({ hasText: "Back to the server's configuration." })
      .waitFor();
    await expect.poll(() => admin.getByLabel(/^Held words and phrases/).inputValue()).toBe("");
  });
});
