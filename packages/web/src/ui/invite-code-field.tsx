import type { AuthOptions } from "@parley/protocol";
import { useEffect, useState } from "react";
import { authApi } from "../session/auth-api";

/**
 * How one may join this server, read once when the component mounts: undefined while it is
 * read, and when it cannot be (the forms then offer everything and the server's refusals say
 * the rest).
 */
export function useAuthOptions(): AuthOptions | undefined {
  const [options, setOptions] = useState<AuthOptions>();
  useEffect(() => {
    let live = true;
    authApi.options().then(
      (o) => live && setOptions(o),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return options;
}

/** The server invite code of the account forms, as the server takes it (16 to 64 of A–Z, a–z, 0–9, _ and -). */
export function InviteCodeField({
  value,
  onChange,
  required,
}: {
  value: string;
  onChange: (value: string) => void;
  required: boolean;
}) {
  return (
    <label className="field">
      <span className="field-label">{required ? "Invite code" : "Invite code (optional)"}</span>
      <input
        type="text"
        name="invite"
        autoComplete="off"
        spellCheck={false}
        required={required}
        minLength={16}
        maxLength={64}
        pattern="[A-Za-z0-9_\-]+"
        title="The code of an invite link: 16 to 64 letters, digits, _ or -"
        value={value}
        onChange={(e) => onChange(e.target.value.trim())}
      />
      <span className="field-hint">Ask the server's admins for an invite.</span>
    </label>
  );
}
