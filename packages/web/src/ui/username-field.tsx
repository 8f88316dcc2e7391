import type { ReactNode } from "react";

/** The username field of the account forms, with the server's username rules as constraints. */
export function UsernameField({
  value,
  onChange,
  hint,
}: {
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
}) {
  return (
    <label className="field">
      <span className="field-label">Username</span>
      <input
        type="text"
        name="username"
        autoComplete="username"
        required
        minLength={3}
        maxLength={32}
        pattern="[A-Za-z0-9_\-]+"
        title="3 to 32 letters, digits, _ or -"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}
