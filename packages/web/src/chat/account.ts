import type { ProfileChange, UserRef } from "@parley/protocol";

/** What the account dialog's profile form holds: the texts as typed. */
export interface ProfileForm {
  displayName: string;
  status: string;
}

/** The form for a user's profile as it is now. */
export function profileFormOf(user: Pick<UserRef, "dn" | "sx">): ProfileForm {
  return { displayName: user.dn ?? "", status: user.sx ?? "" };
}

/**
 * The change the profile form asks for, against the profile as it is: only the fields that
 * differ, trimmed, an emptied one cleared (`null`); undefined when nothing differs.
 */
export function profileChangeOf(
  user: Pick<UserRef, "dn" | "sx">,
  form: ProfileForm,
): ProfileChange | undefined {
  const displayName = form.displayName.trim();
  const status = form.status.trim();
  const change: ProfileChange = {};
  if (displayName !== (user.dn ?? "")) change.displayName = displayName || null;
  if (status !== (user.sx ?? "")) change.status = status || null;
  return Object.keys(change).length > 0 ? change : undefined;
}

/** What "Sign out other sessions" reports: "Signed out 2 other sessions." */
export function signedOutText(revoked: number): string {
  if (revoked === 0) return "No other session was signed in.";
  return `Signed out ${revoked} other ${revoked === 1 ? "session" : "sessions"}.`;
}

/** Why "Download my data" was refused for now (the server's rate limit), and for how long. */
export function exportLimitedText(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined)
    return "You downloaded your data several times already. Try again in a few minutes.";
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return `You downloaded your data several times already. Try again in ${
    minutes === 1 ? "a minute" : `${minutes} minutes`
  }.`;
}
