import type { AdminAuditEntry, AdminUser, ServerBanInfo, ServerInvite } from "@parley/protocol";
import { formatUntil, formatWhen } from "./format";

/** The lengths a console ban offers, in minutes; 0 is "until lifted". */
export const banLengths: readonly { minutes: number; label: string }[] = [
  { minutes: 60, label: "1 hour" },
  { minutes: 24 * 60, label: "1 day" },
  { minutes: 7 * 24 * 60, label: "7 days" },
  { minutes: 30 * 24 * 60, label: "30 days" },
  { minutes: 0, label: "Until lifted" },
];

/** A user's kind and standing, as the console's table and details say them. */
export function describeUser(
  user: Pick<AdminUser, "guest" | "admin" | "ban" | "deactivatedAt" | "deletedAt">,
  now = Date.now(),
): { kind: string; status: string } {
  const kind = user.admin ? "Admin" : user.guest ? "Guest" : "Account";
  const status =
    user.deletedAt !== undefined
      ? "Deleted"
      : user.deactivatedAt !== undefined
        ? "Deactivated"
        : user.ban
          ? banText(user.ban, now)
          : "Active";
  return { kind, status };
}

function banText(ban: ServerBanInfo, now: number): string {
  const text = `Banned ${formatUntil(ban.until, now)}`;
  return ban.reason ? `${text}: ${ban.reason}` : text;
}

/** The admin audit log's filter: every action the admin API audits, by name. */
export const ADMIN_AUDIT_ACTIONS: readonly (readonly [string, string])[] = [
  ["", "Every action"],
  ["ban", "Bans"],
  ["unban", "Unbans"],
  ["signout", "Sign-outs"],
  ["resetpassword", "Password resets"],
  ["rename", "Renames"],
  ["deactivate", "Deactivations"],
  ["reactivate", "Reactivations"],
  ["delete", "Deleted accounts"],
  ["channelowner", "Channel owners changed"],
  ["archive", "Channels archived"],
  ["unarchive", "Channels unarchived"],
  ["channeldelete", "Deleted channels"],
  ["channelexport", "Channels exported"],
  ["invitecreate", "Invites made"],
  ["inviterevoke", "Invites revoked"],
  ["settings", "Settings"],
];

/** A server invite's uses so far, out of how many it allows: "3 of 5", or "3" when unlimited. */
export function inviteUses(invite: Pick<ServerInvite, "uses" | "maxUses">): string {
  return invite.maxUses === undefined ? String(invite.uses) : `${invite.uses} of ${invite.maxUses}`;
}

/** Whether a server invite still lets someone register (as the server said), or why not. */
export function inviteState(
  invite: Pick<ServerInvite, "live" | "revokedAt" | "uses" | "maxUses">,
): "Live" | "Revoked" | "Used up" | "Expired" {
  if (invite.revokedAt !== undefined) return "Revoked";
  if (invite.live) return "Live";
  return invite.maxUses !== undefined && invite.uses >= invite.maxUses ? "Used up" : "Expired";
}

/** When a server invite expires: "Mar 3, 14:05", "Never". */
export function inviteExpiry(invite: Pick<ServerInvite, "expiresAt">, now = Date.now()): string {
  return invite.expiresAt === undefined ? "Never" : formatWhen(invite.expiresAt, now);
}

/** " for “note”" when the invite was noted as for someone, else nothing. */
function noteOf(note: string | null | undefined): string {
  return note ? ` for “${note}”` : "";
}

/** An audit entry as a sentence: "root banned bob until 14:05: spam". */
export function describeChange(entry: AdminAuditEntry, now = Date.now()): string {
  const { actor, target } = entry;
  switch (entry.action) {
    case "ban": {
      const ban = (entry.after as { ban?: ServerBanInfo | null } | null)?.ban;
      return ban
        ? `${actor.username} banned ${target.username} ${formatUntil(ban.until, now)}${ban.reason ? `: ${ban.reason}` : ""}`
        : `${actor.username} banned ${target.username}`;
    }
    case "unban":
      return `${actor.username} lifted ${target.username}'s ban`;
    case "resetpassword":
      return `${actor.username} reset ${target.username}'s password`;
    case "rename": {
      const after = (entry.after as { username?: string } | null)?.username;
      return `${actor.username} renamed ${target.username}${after ? ` to ${after}` : ""}`;
    }
    case "deactivate":
      return `${actor.username} deactivated ${target.username}`;
    case "reactivate":
      return `${actor.username} reactivated ${target.username}`;
    case "delete": {
      const messages = (entry.after as { messages?: string } | null)?.messages;
      return `${actor.username} deleted ${target.username}${messages === "remove" ? " and their messages" : messages === "keep" ? ", keeping their messages" : ""}`;
    }
    case "signout": {
      const sessions = (entry.before as { sessions?: number } | null)?.sessions;
      return `${actor.username} signed ${target.username} out everywhere${sessions === undefined ? "" : ` (${sessions} ${sessions === 1 ? "session" : "sessions"})`}`;
    }
    case "channelowner": {
      const owner = (entry.after as { owner?: string } | null)?.owner;
      return `${actor.username} gave #${target.username} to ${owner ?? "another member"}`;
    }
    case "archive":
      return `${actor.username} archived #${target.username}`;
    case "unarchive":
      return `${actor.username} unarchived #${target.username}`;
    case "channeldelete":
      return `${actor.username} deleted #${target.username} and its messages`;
    case "channelexport":
      return `${actor.username} exported #${target.username}`;
    case "invitecreate": {
      const made = entry.after as { maxUses?: number | null; expiresAt?: number | null } | null;
      const uses =
        made?.maxUses == null
          ? "unlimited uses"
          : `${made.maxUses} ${made.maxUses === 1 ? "use" : "uses"}`;
      const expiry =
        made?.expiresAt == null ? "never expires" : `expires ${formatWhen(made.expiresAt, now)}`;
      return `${actor.username} made an invite (${uses}, ${expiry})${noteOf(target.username)}`;
    }
    case "inviterevoke":
      return target.username
        ? `${actor.username} revoked the invite${noteOf(target.username)}`
        : `${actor.username} revoked an invite`;
    default:
      return `${actor.username}: ${entry.action} ${target.username}`;
  }
}
