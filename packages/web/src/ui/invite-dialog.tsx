import { type InviteInfo, LIMITS } from "@parley/protocol";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { type ChatStore, errorText } from "../chat/chat-store";
import { inviteLink } from "../chat/invite-link";
import { FormError } from "./form-dialog";
import { Modal } from "./modal";

const DAY = 24 * 3600;

/** Expiry choices, in seconds (0 = never); the server's default (7 days) is preselected. */
const EXPIRIES: readonly [number, string][] = [
  [3600, "1 hour"],
  [DAY, "1 day"],
  [LIMITS.inviteExpiryDefault, "7 days"],
  [LIMITS.inviteExpiryMax, "30 days"],
  [0, "Never"],
];
/** Use-limit choices (0 = no limit). */
const USES: readonly number[] = [0, 1, 5, 10, 25, 100];

function whenText(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function inviteText(invite: InviteInfo): string {
  const expiry = invite.ex === undefined ? "never expires" : `expires ${whenText(invite.ex)}`;
  const uses = invite.mu === undefined ? `${invite.uc} uses` : `${invite.uc} of ${invite.mu} uses`;
  return `by ${invite.an} · ${expiry} · ${uses}`;
}

/** A labelled select of numbers, each shown by its label. */
function NumberSelect({
  label,
  name,
  value,
  choices,
  onChange,
}: {
  label: string;
  name: string;
  value: number;
  choices: readonly (readonly [number, string])[];
  onChange: (value: number) => void;
}) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <select name={name} value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {choices.map(([n, text]) => (
          <option key={n} value={n}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Invite people to a channel: add someone by name, or make a link (with an expiry and a use
 * limit) to copy, and see and revoke the live links one may see (an owner: all of them).
 */
export function InviteDialog({
  store,
  channelId,
  channelName,
  people,
  onClose,
}: {
  store: ChatStore;
  channelId: number;
  channelName: string;
  /** Names to suggest: people from your other channels who are not in this one. */
  people: readonly string[];
  onClose: () => void;
}) {
  const [name, setName] = useState("");
  const [added, setAdded] = useState<string>();
  const [addError, setAddError] = useState<string>();
  const [expiry, setExpiry] = useState(LIMITS.inviteExpiryDefault);
  const [uses, setUses] = useState(0);
  const [link, setLink] = useState<string>();
  const [copied, setCopied] = useState(false);
  const [linkError, setLinkError] = useState<string>();
  const [invites, setInvites] = useState<InviteInfo[]>();
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    store.client.listInvites(channelId).then(
      (r) => setInvites(r.iv),
      (err) => setLinkError(errorText(err)),
    );
  }, [store, channelId]);
  useEffect(refresh, [refresh]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const who = name.trim().replace(/^@/, "");
    if (!who) return;
    setBusy(true);
    setAdded(undefined);
    setAddError(undefined);
    try {
      await store.client.inviteUser(channelId, who);
      setAdded(`${who} was added to #${channelName}.`);
      setName("");
    } catch (err) {
      setAddError(errorText(err));
    }
    setBusy(false);
  };

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setLinkError(undefined);
    setCopied(false);
    try {
      const made = await store.client.createInvite(channelId, {
        expiresIn: expiry,
        ...(uses > 0 ? { maxUses: uses } : {}),
      });
      setLink(inviteLink(window.location.origin, made.code));
      refresh();
    } catch (err) {
      setLinkError(errorText(err));
    }
    setBusy(false);
  };

  const copy = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      // No clipboard permission: select the text, so the user can copy it by hand.
      document.querySelector<HTMLInputElement>("#invite-link-text")?.select();
    }
  };

  const revoke = async (invite: InviteInfo) => {
    try {
      await store.client.revokeInvite(channelId, invite.i);
    } catch (err) {
      setLinkError(errorText(err));
    }
    refresh();
  };

  return (
    <Modal title={`Invite people to #${channelName}`} onClose={onClose}>
      <div className="stack">
        <form className="stack invite-section" onSubmit={add} aria-label="Add a person">
          <label className="field">
            <span className="field-label">Add a person by name</span>
            <span className="invite-row">
              <input
                name="invite-name"
                data-autofocus
                required
                maxLength={LIMITS.usernameMax + 1}
                value={name}
                placeholder="@username"
                autoComplete="off"
                list="invite-people"
                onChange={(e) => setName(e.target.value)}
              />
              <datalist id="invite-people">
                {people.map((n) => (
                  <option key={n} value={n} />
                ))}
              </datalist>
              <button type="submit" className="button button-primary" disabled={busy}>
                Add
              </button>
            </span>
          </label>
          {added && (
            <p className="form-ok" role="status">
              {added}
            </p>
          )}
          <FormError error={addError} />
        </form>
        <form className="stack invite-section" onSubmit={create} aria-label="Invite link">
          <div className="invite-row">
            <NumberSelect
              label="Expires after"
              name="invite-expiry"
              value={expiry}
              choices={EXPIRIES}
              onChange={setExpiry}
            />
            <NumberSelect
              label="Most uses"
              name="invite-uses"
              value={uses}
              choices={USES.map((n) => [n, n === 0 ? "No limit" : String(n)] as const)}
              onChange={setUses}
            />
          </div>
          <button type="submit" className="button" disabled={busy}>
            Create invite link
          </button>
          {link && (
            <div className="field">
              <label className="field-label" htmlFor="invite-link-text">
                Invite link (shown once)
              </label>
              <span className="invite-row">
                <input
                  id="invite-link-text"
                  readOnly
                  value={link}
                  onFocus={(e) => e.target.select()}
                />
                <button type="button" className="button button-primary" onClick={copy}>
                  {copied ? "Copied" : "Copy link"}
                </button>
              </span>
            </div>
          )}
          <FormError error={linkError} />
        </form>
        <section className="invite-section" aria-labelledby="invite-list-title">
          <h3 id="invite-list-title" className="field-label">
            Active invite links
          </h3>
          <ul className="browse-list invite-list" aria-busy={invites === undefined}>
            {invites?.length === 0 && <li className="browse-empty">No active links.</li>}
            {invites?.map((invite) => (
              <li key={invite.i} className="browse-item">
                <span className="browse-text">
                  <span className="browse-meta invite-meta">{inviteText(invite)}</span>
                </span>
                <button
                  type="button"
                  className="button button-ghost"
                  aria-label={`Revoke link ${inviteText(invite)}`}
                  onClick={() => void revoke(invite)}
                >
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </Modal>
  );
}
