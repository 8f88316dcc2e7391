import { type FormEvent, useId, useState } from "react";
import { ApiError, authApi } from "../session/auth-api";
import { FormError } from "./form-dialog";
import { UsernameField } from "./username-field";

type Mode = "signin" | "register";

export interface SignInProps {
  /** Signed in or registered: start a session with this token. */
  onToken: (token: string) => void;
  /** Continue without an account: the server makes a guest. */
  onGuest: () => void;
  /** Why the user is here again (a session that ended), shown above the form. */
  notice?: string;
}

/** Sign in, create an account, or continue as a guest. */
export function SignIn({ onToken, onGuest, notice }: SignInProps) {
  const [mode, setMode] = useState<Mode>("signin");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const issued =
        mode === "signin"
          ? await authApi.login(username.trim(), password)
          : await authApi.register(username.trim(), password);
      onToken(issued.token);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Something went wrong. Try again.");
      setBusy(false);
    }
  };

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(undefined);
  };

  return (
    <main className="auth">
      <div className="auth-card">
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true" />
          <h1>Parley</h1>
        </div>
        <p className="auth-lede">Real-time chat for your team, your friends, your people.</p>
        {notice && (
          <p className="auth-notice" role="status">
            {notice}
          </p>
        )}
        <div className="tabs" role="tablist" aria-label="Account">
          <button
            type="button"
            role="tab"
            id={`${id}-signin`}
            aria-selected={mode === "signin"}
            aria-controls={`${id}-form`}
            className="tab"
            onClick={() => switchTo("signin")}
          >
            Sign in
          </button>
          <button
            type="button"
            role="tab"
            id={`${id}-register`}
            aria-selected={mode === "register"}
            aria-controls={`${id}-form`}
            className="tab"
            onClick={() => switchTo("register")}
          >
            Create account
          </button>
        </div>
        <form
          id={`${id}-form`}
          role="tabpanel"
          aria-labelledby={`${id}-${mode}`}
          className="auth-form"
          onSubmit={submit}
        >
          <UsernameField value={username} onChange={setUsername} />
          <label className="field">
            <span className="field-label">Password</span>
            <input
              name="password"
              type="password"
              autoComplete={mode === "signin" ? "current-password" : "new-password"}
              required
              minLength={mode === "register" ? 8 : 1}
              maxLength={256}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            {mode === "register" && <span className="field-hint">At least 8 characters.</span>}
          </label>
          <FormError error={error} />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {mode === "signin" ? "Sign in" : "Create account"}
          </button>
        </form>
        <div className="divider">
          <span>or</span>
        </div>
        <button type="button" className="button button-block" onClick={onGuest} disabled={busy}>
          Continue as guest
        </button>
        <p className="auth-fineprint">
          Guests get a generated name and can register later to keep it.
        </p>
      </div>
    </main>
  );
}
