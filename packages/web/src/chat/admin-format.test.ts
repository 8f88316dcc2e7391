import type { AdminAuditEntry } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  ADMIN_AUDIT_ACTIONS,
  describeChange,
  describeUser,
  inviteExpiry,
  inviteState,
  inviteUses,
} from "./admin-format";
import { formatWhen } from "./format";

const entry = (action: string, before: unknown, after: unknown): AdminAuditEntry => ({
  id: 1,
  at: 0,
  actor: { id: 1, username: "root" },
  action,
  target: { kind: "user", id: 2, username: "bob" },
  before,
  after,
});

describe("admin console wording", () => {
  it("says a user's kind and whether a ban holds, with its end and reason", () => {
    expect(describeUser({ guest: false, admin: true })).toEqual({
      kind: "Admin",
      status: "Active",
    });
    expect(describeUser({ guest: true, admin: false }).kind).toBe("Guest");
    expect(describeUser({ guest: false, admin: false, ban: { since: 1, reason: "spam" } })).toEqual(
      {
        kind: "Account",
        status: "Banned indefinitely: spam",
      },
    );
    expect(
      describeUser({ guest: false, admin: false, ban: { since: 1, until: 5 } }).status,
    ).toMatch(/^Banned until /);
    expect(describeUser({ guest: false, admin: false, deactivatedAt: 1 }).status).toBe(
      "Deactivated",
    );
    expect(describeUser({ guest: true, admin: false, deactivatedAt: 1, deletedAt: 2 }).status).toBe(
      "Deleted",
    );
  });

  it("tells each audited change as a sentence", () => {
    expect(describeChange(entry("ban", { ban: null }, { ban: { since: 1, reason: "spam" } }))).toBe(
      "root banned bob indefinitely: spam",
    );
    expect(describeChange(entry("unban", { ban: { since: 1 } }, { ban: null }))).toBe(
      "root lifted bob's ban",
    );
    expect(describeChange(entry("signout", { sessions: 2 }, { sessions: 0 }))).toBe(
      "root signed bob out everywhere (2 sessions)",
    );
    expect(describeChange(entry("resetpassword", { sessions: 1 }, { sessions: 0 }))).toBe(
      "root reset bob's password",
    );
    expect(describeChange(entry("signout", { sessions: 1 }, { sessions: 0 }))).toBe(
      "root signed bob out everywhere (1 session)",
    );
    expect(describeChange(entry("rename", { username: "bob" }, { username: "rob" }))).toBe(
      "root renamed bob to rob",
    );
    expect(describeChange(entry("deactivate", {}, {}))).toBe("root deactivated bob");
    const room = (action: string, after: unknown): AdminAuditEntry => ({
      ...entry(action, {}, after),
      target: { kind: "channel", id: 3, username: "room" },
    });
    expect(describeChange(room("channelowner", { owner: "carol" }))).toBe(
      "root gave #room to carol",
    );
    expect(describeChange(room("archive", {}))).toBe("root archived #room");
    expect(describeChange(room("unarchive", {}))).toBe("root unarchived #room");
    expect(describeChange(room("channeldelete", null))).toBe("root deleted #room and its messages");
    expect(describeChange(entry("delete", {}, { messages: "remove" }))).toBe(
      "root deleted bob and their messages",
    );
    expect(describeChange(entry("delete", {}, { messages: "keep" }))).toBe(
      "root deleted bob, keeping their messages",
    );
  });

  it("tells invites made and revoked, with their uses, expiry and note", () => {
    const invite = (action: string, note: string, after: unknown): AdminAuditEntry => ({
      ...entry(action, null, after),
      target: { kind: "invite", id: 7, username: note },
    });
    const now = Date.UTC(2025, 2, 1, 12);
    const expires = now + 7 * 86_400_000;
    expect(
      describeChange(
        invite("invitecreate", "bob", { maxUses: 5, expiresAt: expires, note: "bob" }),
        now,
      ),
    ).toBe(`root made an invite (5 uses, expires ${formatWhen(expires, now)}) for “bob”`);
    expect(
      describeChange(invite("invitecreate", "", { maxUses: 1, expiresAt: null, note: null }), now),
    ).toBe("root made an invite (1 use, never expires)");
    expect(
      describeChange(invite("invitecreate", "team", { maxUses: null, expiresAt: null }), now),
    ).toBe("root made an invite (unlimited uses, never expires) for “team”");
    expect(describeChange(invite("inviterevoke", "bob", { revoked: true }))).toBe(
      "root revoked the invite for “bob”",
    );
    expect(describeChange(invite("inviterevoke", "", { revoked: true }))).toBe(
      "root revoked an invite",
    );
    const actions = ADMIN_AUDIT_ACTIONS.map(([action]) => action);
    expect(actions).toContain("invitecreate");
    expect(actions).toContain("inviterevoke");
  });

  it("tells a channel's export, and offers it as a filter", () => {
    const exported: AdminAuditEntry = {
      ...entry("channelexport", null, null),
      target: { kind: "channel", id: 4, username: "room" },
    };
    expect(describeChange(exported)).toBe("root exported #room");
    expect(ADMIN_AUDIT_ACTIONS).toContainEqual(["channelexport", "Channels exported"]);
  });

  it("says an invite's uses, expiry and state", () => {
    expect(inviteUses({ uses: 3, maxUses: 5 })).toBe("3 of 5");
    expect(inviteUses({ uses: 3 })).toBe("3");
    expect(inviteExpiry({})).toBe("Never");
    expect(inviteExpiry({ expiresAt: 5 }, 0)).toBe(formatWhen(5, 0));
    expect(inviteState({ live: true, uses: 0, maxUses: 1 })).toBe("Live");
    expect(inviteState({ live: false, uses: 1, maxUses: 1 })).toBe("Used up");
    expect(inviteState({ live: false, uses: 0 })).toBe("Expired");
    expect(inviteState({ live: false, uses: 1, maxUses: 1, revokedAt: 2 })).toBe("Revoked");
  });
});
