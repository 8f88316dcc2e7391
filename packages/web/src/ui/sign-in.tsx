import { ERRORS } from "@parley/protocol";
import { type FormEvent, useEffect, useId, useState } from "react";
import { ApiError, authApi } from "../session/auth-api";
import { FormError } from "./form-dialog";
import { InviteCodeField, useAuthOptions } from "./invite-code-field";
import { UsernameField } from "./username-field";

type Mode = "signin" | "register";

export interface SignInProps {
  /** Signed in or registered: start a session with this token. */
  onToken: (token: string) => void;
  /** Continue without an account: the server makes a guest. */
  onGuest: () => void;
  /** Why the user is here again (a session that ended), shown above the form. */
  notice?: string;
  /** A sign-up link was opened: the form to create an account, with its invite code. */
  signup?: { code: string };
}

/**
 * Sign in, create an account, or continue as a guest, as far as the server allows: no "Create
 * account" while registration is closed, an invite code to give while it is invite-only, no
 * guests unless it lets them in.
 */
export function SignIn({ onToken, onGuest, notice, signup }: SignInProps) {
  const options = useAuthOptions();
  const [chosen, setChosen] = useState<Mode>(signup ? "register" : "signin");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [invite, setInvite] = useState(signup?.code ?? "");
  /** The server asked for an invite code though its options could not be read. */
  const [inviteAsked, setInviteAsked] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  // A sign-up link followed while this screen is open.
  useEffect(() => {
    if (!signup) return;
    setChosen("register");
    setInvite(signup.code);
    setError(undefined);
  }, [signup]);

  const registering = options?.registration !== "closed";
  const mode: Mode = registering ? chosen : "signin";
  const inviteRequired = options?.registration === "invite";
  const inviteShown =
    mode === "register" &&
    (inviteRequired || (options === undefined && (invite !== "" || inviteAsked)));
  const guests = options?.guests !== false;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const issued =
        mode === "signin"
          ? await authApi.login(username.trim(), password)
          : await authApi.register(
              username.trim(),
              password,
              inviteShown && invite ? invite : undefined,
            );
      onToken(issued.token);
    } catch (err) {
      if (err instanceof ApiError && err.code === ERRORS.INVITE_REQUIRED.code) setInviteAsked(true);
      setError(err instanceof ApiError ? err.message : "Something went wrong. Try again.");
      setBusy(false);
    }
  };

  const switchTo = (next: Mode) => {
    setChosen(next);
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
        {registering && (
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
        )}
        <form
          id={`${id}-form`}
          {...(registering
            ? { role: "tabpanel", "aria-labelledby": `${id}-${mode}` }
            : { "aria-label": "Sign in" })}
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
          {inviteShown && (
            <InviteCodeField value={invite} onChange={setInvite} required={inviteRequired} />
          )}
          <FormError error={error} />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {mode === "signin" ? "Sign in" : "Create account"}
          </button>
        </form>
        {!registering && <p className="auth-fineprint">This server does not take new accounts.</p>}
        {guests && (
          <>
            <div className="divider">
              <span>or</span>
            </div>
            <button type="button" className="button button-block" onClick={onGuest} disabled={busy}>
              Continue as guest
            </button>
            <p className="auth-fineprint">
              {registering
                ? "Guests get a generated name and can register later to keep it."
                : "Guests get a generated name."}
            </p>
          </>
        )}
      </div>
    </main>
  );
}
