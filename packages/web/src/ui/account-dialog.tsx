import { ERRORS, type Self } from "@parley/protocol";
import { type ChangeEvent, type FormEvent, type ReactNode, useId, useRef, useState } from "react";
import { exportLimitedText, profileChangeOf, profileFormOf, signedOutText } from "../chat/account";
import { type ChatStore, errorText } from "../chat/chat-store";
import { displayName, handleOf } from "../chat/people";
import { ApiError } from "../session/auth-api";
import { Avatar } from "./avatar";
import { saveDownload } from "./file-download";
import { FormError, useFormAction } from "./form-dialog";
import { Modal } from "./modal";
import { uploadErrorText } from "./use-attachments";
import "./account.css";

const DISPLAY_NAME_MAX = 64;
const STATUS_MAX = 100;
const PASSWORD_MIN = 8;

/** What the dialog itself refuses before asking the server. */
class InputError extends Error {}

/** A refusal as the dialog shows it: its own, the server's words, the upload's, or the store's. */
function refusalText(err: unknown): string {
  if (err instanceof ApiError && err.code === ERRORS.INVALID_CREDENTIALS.code)
    return "That is not your current password.";
  if (err instanceof ApiError && err.code === ERRORS.RATE_LIMITED.code)
    return "Too many tries. Wait a moment and try again.";
  if (err instanceof ApiError || err instanceof InputError) return err.message;
  return uploadErrorText(err);
}

/** A confirmation under a section's button, announced when it changes. */
function Done({ text }: { text: string | undefined }) {
  return (
    <p className="account-done" role="status">
      {text}
    </p>
  );
}

/** One titled part of the dialog. */
function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="account-section" aria-labelledby={id}>
      <h3 className="account-section-title" id={id}>
        {title}
      </h3>
      {children}
    </section>
  );
}

/**
 * Your account: your profile (display name, status, avatar; accounts only), your password,
 * your other sessions, and a download of your data. Each part sends its own request and shows
 * the server's answer beside it.
 */
export function AccountDialog({
  store,
  me,
  onRegister,
  onClose,
}: {
  store: ChatStore;
  me: Self;
  /** A guest asked to register (to have a profile). */
  onRegister: () => void;
  onClose: () => void;
}) {
  const guest = me.g === true;
  return (
    <Modal title="Account settings" className="account-dialog" onClose={onClose}>
      <div className="account-body">
        <Section title="Profile">
          {guest ? (
            <div className="account-guest">
              <p className="modal-text">Register to set a display name, status and avatar.</p>
              <button
                type="button"
                className="button button-primary"
                data-autofocus
                onClick={onRegister}
              >
                Register
              </button>
            </div>
          ) : (
            <ProfileSection store={store} me={me} />
          )}
        </Section>
        {!guest && (
          <Section title="Password">
            <PasswordSection store={store} me={me} />
          </Section>
        )}
        {!guest && (
          <Section title="Sessions">
            <SessionsSection store={store} />
          </Section>
        )}
        <Section title="Your data">
          <DataSection store={store} />
        </Section>
      </div>
    </Modal>
  );
}

function ProfileSection({ store, me }: { store: ChatStore; me: Self }) {
  const [form, setForm] = useState(() => profileFormOf(me));
  const [saved, setSaved] = useState<string>();
  const [done, setDone] = useState<string>();
  const picker = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const save = useFormAction(async () => {
    setSaved(undefined);
    const change = profileChangeOf(me, form);
    if (change) await store.updateProfile(change);
    setSaved("Profile saved.");
  }, refusalText);
  const avatar = useFormAction(async () => {}, refusalText);

  const choose = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.currentTarget.files?.[0];
    e.currentTarget.value = "";
    if (!file) return;
    setDone(undefined);
    void avatar.run(async () => {
      await store.setAvatar(file, file.name || "avatar");
      setDone("Avatar changed.");
    });
  };
  const remove = () => {
    setDone(undefined);
    void avatar.run(async () => {
      await store.updateProfile({ avatar: null });
      setDone("Avatar removed.");
    });
  };
  const handle = handleOf(me);

  return (
    <div className="stack">
      <div className="account-preview" data-testid="account-preview">
        <Avatar name={me.n} av={me.av} size="lg" />
        <div className="account-preview-text">
          <span className="account-preview-name">{displayName(me)}</span>
          {handle && <span className="account-preview-handle">{handle}</span>}
          {me.sx && (
            <span className="account-preview-status">
              <bdi>{me.sx}</bdi>
            </span>
          )}
        </div>
      </div>
      <div className="account-avatar-actions">
        <button
          type="button"
          className="button"
          disabled={avatar.busy}
          aria-describedby={hintId}
          onClick={() => picker.current?.click()}
        >
          {avatar.busy ? "Uploading…" : me.av ? "Change avatar…" : "Choose avatar…"}
        </button>
        {me.av && (
          <button type="button" className="button" disabled={avatar.busy} onClick={remove}>
            Remove avatar
          </button>
        )}
        <input
          ref={picker}
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          hidden
          data-testid="avatar-input"
          onChange={choose}
        />
        <Done text={done} />
      </div>
      <p id={hintId} className="field-hint">
        A PNG, JPEG, GIF or WebP image; it is cropped to a square.
      </p>
      <FormError error={avatar.error} />
      <form className="stack" onSubmit={save.submit} aria-label="Profile">
        <label className="field">
          <span className="field-label">Display name</span>
          <input
            name="display-name"
            data-autofocus
            maxLength={DISPLAY_NAME_MAX}
            autoComplete="nickname"
            value={form.displayName}
            onChange={(e) => setForm((f) => ({ ...f, displayName: e.target.value }))}
          />
          <span className="field-hint">Shown instead of your username, which stays beside it.</span>
        </label>
        <label className="field">
          <span className="field-label">Status</span>
          <input
            name="status"
            maxLength={STATUS_MAX}
            autoComplete="off"
            value={form.status}
            onChange={(e) => setForm((f) => ({ ...f, status: e.target.value }))}
          />
          <span className="field-hint">
            A short line on your card, e.g. "On holiday until Monday".
          </span>
        </label>
        <FormError error={save.error} />
        <div className="account-actions">
          <button type="submit" className="button button-primary" disabled={save.busy}>
            {save.busy ? "Saving…" : "Save profile"}
          </button>
          <Done text={saved} />
        </div>
      </form>
    </div>
  );
}

function PasswordSection({ store, me }: { store: ChatStore; me: Self }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [done, setDone] = useState<string>();
  const form = useFormAction(async () => {
    setDone(undefined);
    if (next.length < PASSWORD_MIN)
      throw new InputError(`The new password needs at least ${PASSWORD_MIN} characters.`);
    await store.changePassword(current, next);
    setCurrent("");
    setNext("");
    setDone("Password changed. Your other sessions were signed out.");
  }, refusalText);
  return (
    <form
      className="stack"
      aria-label="Change password"
      onSubmit={(e: FormEvent) => void form.submit(e)}
    >
      {/* For password managers: which account this form is for. */}
      <input type="text" name="username" autoComplete="username" value={me.n} readOnly hidden />
      <label className="field">
        <span className="field-label">Current password</span>
        <input
          type="password"
          name="current-password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
      </label>
      <label className="field">
        <span className="field-label">New password</span>
        <input
          type="password"
          name="new-password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN}
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <span className="field-hint">
          At least {PASSWORD_MIN} characters. Your other sessions will be signed out.
        </span>
      </label>
      <FormError error={form.error} />
      <div className="account-actions">
        <button type="submit" className="button" disabled={form.busy}>
          {form.busy ? "Changing…" : "Change password"}
        </button>
        <Done text={done} />
      </div>
    </form>
  );
}

function SessionsSection({ store }: { store: ChatStore }) {
  const [done, setDone] = useState<string>();
  const action = useFormAction(async () => {}, refusalText);
  return (
    <div className="stack">
      <p className="modal-text">
        Signed in on another device or browser you no longer use? Sign those sessions out; this one
        stays signed in.
      </p>
      <FormError error={action.error} />
      <div className="account-actions">
        <button
          type="button"
          className="button"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              setDone(undefined);
              setDone(signedOutText(await store.signOutOthers()));
            })
          }
        >
          Sign out other sessions
        </button>
        <Done text={done} />
      </div>
    </div>
  );
}

function DataSection({ store }: { store: ChatStore }) {
  const [done, setDone] = useState<string>();
  const action = useFormAction(
    async () => {},
    (err) =>
      err instanceof ApiError && err.code === ERRORS.RATE_LIMITED.code
        ? exportLimitedText(err.retryAfterMs)
        : err instanceof ApiError
          ? err.message
          : errorText(err),
  );
  return (
    <div className="stack">
      <p className="modal-text">
        A zip of your profile and channels, the messages you wrote and the files you uploaded.
      </p>
      <FormError error={action.error} />
      <div className="account-actions">
        <button
          type="button"
          className="button"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              setDone(undefined);
              const download = await store.exportData();
              saveDownload(download);
              setDone(`Downloaded ${download.name}.`);
            })
          }
        >
          {action.busy ? "Preparing…" : "Download my data"}
        </button>
        <Done text={done} />
      </div>
    </div>
  );
}
