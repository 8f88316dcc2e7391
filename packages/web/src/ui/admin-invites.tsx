import type { AdminApi } from "@parley/client";
import {
  ADMIN_INVITE_STATUSES,
  type AdminInviteStatus,
  type RegistrationMode,
  type ServerInvite,
} from "@parley/protocol";
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { inviteExpiry, inviteState, inviteUses } from "../chat/admin-format";
import { formatWhen } from "../chat/format";
import { signupLink } from "../chat/signup-link";
import { errorText, type Guard, usePages } from "./admin-shared";
import { DetailPane, optionsOf, PickTable, SelectField, TextField } from "./admin-widgets";
import { FormError } from "./form-dialog";

const USES = ["1", "5", "25", "100", "unlimited"] as const;
type Uses = (typeof USES)[number];
const USE_LABELS: Record<Uses, string> = {
  "1": "1 use",
  "5": "5 uses",
  "25": "25 uses",
  "100": "100 uses",
  unlimited: "Unlimited",
};

const EXPIRIES = ["1", "7", "30", "never"] as const;
type Expiry = (typeof EXPIRIES)[number];
const EXPIRY_LABELS: Record<Expiry, string> = {
  "1": "1 day",
  "7": "7 days",
  "30": "30 days",
  never: "Never",
};

const STATUS_LABELS: Record<AdminInviteStatus, string> = {
  live: "Usable invites",
  all: "Every invite",
};

/** What invites do under the server's registration setting now. */
const REGISTRATION_NOTES: Record<RegistrationMode, string> = {
  open: "New accounts are open to anyone now: an invite is not needed until the Server tab sets them to invite only.",
  invite: "New accounts are by invitation only: each needs a usable invite.",
  closed:
    "New accounts are closed now: invites let nobody in until the Server tab sets them to invite only.",
};

/** An invite as its row and details name it: its note, or its number. */
function inviteName(invite: ServerInvite): string {
  return invite.note ?? `Invite ${invite.id}`;
}

/**
 * The console's server invites: make one (how many may use it, for how long, who it is for)
 * and copy its sign-up link, shown this once; list the usable ones or every one, with their
 * uses and state, and revoke one.
 */
export function InvitesTab({ api, guard }: { api: AdminApi; guard: Guard }) {
  const [status, setStatus] = useState<AdminInviteStatus>("live");
  const [openId, setOpenId] = useState<number>();
  const [registration, setRegistration] = useState<RegistrationMode>();
  const id = useId();

  useEffect(() => {
    let live = true;
    guard(() => api.settings())
      .then((r) => live && r && setRegistration(r.settings.registration))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, guard]);

  const read = useCallback(
    async (before?: number) => {
      const page = await guard(() => api.invites({ status, ...(before ? { before } : {}) }));
      return (
        page && { items: page.invites, ...(page.next !== undefined ? { next: page.next } : {}) }
      );
    },
    [api, guard, status],
  );
  const { items: invites, setItems, next, error, more, reload } = usePages(read);

  const changed = (invite: ServerInvite) =>
    setItems((list) => list.map((i) => (i.id === invite.id ? invite : i)));
  const open = invites.find((i) => i.id === openId);
  const now = Date.now();

  return (
    <div className="admin-invites">
      {registration && <p className="admin-muted">{REGISTRATION_NOTES[registration]}</p>}
      <MakeInvite api={api} guard={guard} onMade={reload} />
      <section className="admin-invite-list" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`} className="admin-section-title">
          Invites
        </h2>
        <div className="admin-filters">
          <SelectField
            id={`${id}-status`}
            label="Show"
            value={status}
            options={optionsOf(ADMIN_INVITE_STATUSES, STATUS_LABELS)}
            onChange={setStatus}
          />
          <button type="button" className="button" onClick={reload}>
            Refresh
          </button>
        </div>
        <FormError error={error} />
        <PickTable
          caption="Invites, newest first"
          columns={["Invite", "Made by", "Uses", "Expires", "State"]}
          rows={invites}
          openId={openId}
          onOpen={setOpenId}
          name={inviteName}
          cells={(i) => [i.createdBy.username, inviteUses(i), inviteExpiry(i, now), inviteState(i)]}
          empty={status === "live" ? "No usable invites." : "No invites yet."}
          more={next !== undefined ? more : undefined}
          moreLabel="More invites"
        />
      </section>
      {open && (
        <InviteDetails
          key={open.id}
          api={api}
          guard={guard}
          invite={open}
          onChanged={changed}
          onClose={() => setOpenId(undefined)}
        />
      )}
    </div>
  );
}

/** The form that makes an invite, then shows its sign-up link once to copy. */
function MakeInvite({ api, guard, onMade }: { api: AdminApi; guard: Guard; onMade: () => void }) {
  const [uses, setUses] = useState<Uses>("1");
  const [expiry, setExpiry] = useState<Expiry>("7");
  const [note, setNote] = useState("");
  const [link, setLink] = useState<string>();
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const linkInput = useRef<HTMLInputElement>(null);
  const id = useId();

  const make = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setLink(undefined);
    setCopied(false);
    try {
      const made = await guard(() =>
        api.createInvite({
          ...(uses !== "unlimited" ? { maxUses: Number(uses) } : {}),
          ...(expiry !== "never" ? { days: Number(expiry) } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        }),
      );
      if (!made) return;
      setLink(signupLink(window.location.origin, made.code));
      setNote("");
      onMade();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      // No clipboard permission: select the link, so it can be copied by hand.
      linkInput.current?.select();
    }
  };

  return (
    <section className="admin-invite-make" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="admin-section-title">
        Make an invite
      </h2>
      <form className="admin-ban" onSubmit={(e) => void make(e)} aria-label="Make an invite">
        <SelectField
          id={`${id}-uses`}
          label="Uses"
          value={uses}
          options={optionsOf(USES, USE_LABELS)}
          onChange={setUses}
        />
        <SelectField
          id={`${id}-expiry`}
          label="Expires after"
          value={expiry}
          options={optionsOf(EXPIRIES, EXPIRY_LABELS)}
          onChange={setExpiry}
        />
        <TextField
          id={`${id}-note`}
          label="Note (optional)"
          placeholder="Who it is for"
          maxLength={100}
          value={note}
          onChange={setNote}
        />
        <button type="submit" className="button button-primary" disabled={busy}>
          Make invite
        </button>
      </form>
      <FormError error={error} />
      {link && (
        <div className="admin-issued admin-invite-link">
          <div className="field">
            <label className="field-label" htmlFor={`${id}-link`}>
              Sign-up link
            </label>
            <div className="invite-row">
              <input
                id={`${id}-link`}
                ref={linkInput}
                readOnly
                value={link}
                onFocus={(e) => e.target.select()}
              />
              <button type="button" className="button button-primary" onClick={() => void copy()}>
                {copied ? "Copied" : "Copy link"}
              </button>
            </div>
          </div>
          <p role="status">
            Shown only now: copy it and pass it on. The list below never shows it again.
          </p>
        </div>
      )}
    </section>
  );
}

/** An invite's facts, and for a usable one its revocation, asked for twice. */
function InviteDetails({
  api,
  guard,
  invite,
  onChanged,
  onClose,
}: {
  api: AdminApi;
  guard: Guard;
  invite: ServerInvite;
  onChanged: (invite: ServerInvite) => void;
  onClose: () => void;
}) {
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [sure, setSure] = useState(false);

  const revoke = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const revoked = await guard(() => api.revokeInvite(invite.id));
      if (!revoked) return;
      onChanged(revoked);
      setDone("Revoked: nobody can register with its link any more.");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const now = Date.now();
  return (
    <DetailPane title={inviteName(invite)} onClose={onClose} error={error} done={done}>
      <dl className="admin-facts">
        <dt>State</dt>
        <dd>{inviteState(invite)}</dd>
        <dt>Made</dt>
        <dd>
          {formatWhen(invite.createdAt, now)} by {invite.createdBy.username}
        </dd>
        <dt>Uses</dt>
        <dd>{invite.maxUses === undefined ? `${invite.uses} (no limit)` : inviteUses(invite)}</dd>
        <dt>Expires</dt>
        <dd>{inviteExpiry(invite, now)}</dd>
        {invite.revokedAt !== undefined && (
          <>
            <dt>Revoked</dt>
            <dd>{formatWhen(invite.revokedAt, now)}</dd>
          </>
        )}
        <dt>Note</dt>
        <dd>{invite.note ?? "—"}</dd>
      </dl>
      {invite.live && (
        <div className="admin-actions">
          <details className="admin-delete">
            <summary>Revoke invite…</summary>
            <form onSubmit={(e) => void revoke(e)} aria-label="Revoke invite">
              <p>Nobody can register with its link any more; accounts made with it stay.</p>
              <label>
                <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} />{" "}
                I understand this cannot be undone
              </label>
              <button type="submit" className="button button-danger" disabled={busy || !sure}>
                Revoke
              </button>
            </form>
          </details>
        </div>
      )}
    </DetailPane>
  );
}
