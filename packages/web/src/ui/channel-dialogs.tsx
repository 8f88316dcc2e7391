import { type ChannelSummary, LIMITS, type MessageEvent } from "@parley/protocol";
import { useEffect, useState } from "react";
import { type ChatStore, errorText } from "../chat/chat-store";
import { FormDialog, FormError, useFormAction } from "./form-dialog";
import { InviteCodeField, useAuthOptions } from "./invite-code-field";
import { MessageText } from "./message-text";
import { Modal } from "./modal";
import { ChannelMark } from "./sidebar";
import { UsernameField } from "./username-field";

export interface ChannelDialogProps {
  store: ChatStore;
  /** Closed without a channel (Escape, the close button, Cancel). */
  onClose: () => void;
  /** A channel was joined or created and is now open. */
  onOpened: (channelId: number) => void;
}

/** Search every channel on the server and join one. */
export function BrowseDialog({ store, onClose, onOpened }: ChannelDialogProps) {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<ChannelSummary[]>();
  const [error, setError] = useState<string>();
  const [joining, setJoining] = useState<number>();

  useEffect(() => {
    let live = true;
    const timer = setTimeout(
      () => {
        store.listChannels(query.trim()).then(
          (ch) => {
            if (!live) return;
            setResults(ch);
            setError(undefined);
          },
          (err) => live && setError(errorText(err)),
        );
      },
      query ? 200 : 0,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [store, query]);

  const join = async (channel: ChannelSummary) => {
    setJoining(channel.i);
    try {
      await store.joinChannel(channel.i);
      onOpened(channel.i);
    } catch (err) {
      setError(errorText(err));
      setJoining(undefined);
    }
  };

  return (
    <Modal title="Browse channels" onClose={onClose}>
      <label className="field">
        <span className="field-label">Search by name</span>
        <input
          type="search"
          data-autofocus
          value={query}
          maxLength={64}
          placeholder="e.g. general"
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      <FormError error={error} />
      <ul className="browse-list" aria-label="Channels" aria-busy={results === undefined}>
        {results?.length === 0 && <li className="browse-empty">No channel matches.</li>}
        {results?.map((ch) => (
          <li key={ch.i} className="browse-item">
            <div className="browse-text">
              <span className="browse-name">
                {ch.pv ? <ChannelMark isPrivate /> : "# "}
                {ch.n}
              </span>
              {ch.tp && <span className="browse-topic">{ch.tp}</span>}
              <span className="browse-meta">
                {ch.mc} {ch.mc === 1 ? "member" : "members"} · {ch.oc} online
              </span>
            </div>
            <button
              type="button"
              className={ch.rl ? "button" : "button button-primary"}
              disabled={joining !== undefined}
              onClick={() => join(ch)}
              aria-label={`${ch.rl ? "Open" : "Join"} #${ch.n}`}
            >
              {ch.rl ? "Open" : joining === ch.i ? "Joining…" : "Join"}
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}

/** Create a channel and become its owner; an account may make it private. */
export function CreateDialog({
  store,
  onClose,
  onOpened,
  canBePrivate,
}: ChannelDialogProps & { canBePrivate: boolean }) {
  const [name, setName] = useState("");
  const [topic, setTopic] = useState("");
  const [isPrivate, setPrivate] = useState(false);
  const form = useFormAction(
    async () => onOpened(await store.createChannel(name.trim(), topic.trim(), isPrivate)),
    errorText,
  );

  return (
    <FormDialog title="Create a channel" onClose={onClose} form={form} submitLabel="Create channel">
      <label className="field">
        <span className="field-label">Name</span>
        <input
          name="channel-name"
          data-autofocus
          required
          maxLength={64}
          value={name}
          placeholder="e.g. design-review"
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <label className="field">
        <span className="field-label">Topic (optional)</span>
        <input
          name="channel-topic"
          maxLength={250}
          value={topic}
          placeholder="What is it about?"
          onChange={(e) => setTopic(e.target.value)}
        />
      </label>
      {canBePrivate && (
        <label className="check-field">
          <input
            type="checkbox"
            name="channel-private"
            checked={isPrivate}
            onChange={(e) => setPrivate(e.target.checked)}
          />
          <span>
            <span className="field-label">Private channel</span>
            <span className="field-hint">Only people you invite can find and join it.</span>
          </span>
        </label>
      )}
    </FormDialog>
  );
}

/** Asks for the people of a new direct message (names, comma separated) and opens it. */
export function NewMessageDialog({ store, onClose, onOpened }: ChannelDialogProps) {
  const [names, setNames] = useState("");
  const form = useFormAction(
    async () =>
      onOpened(
        await store.openDm(
          names
            .split(/[\s,]+/)
            .map((n) => n.trim())
            .filter(Boolean),
        ),
      ),
    errorText,
  );
  return (
    <FormDialog title="New message" onClose={onClose} form={form} submitLabel="Open">
      <label className="field">
        <span className="field-label">To</span>
        <input
          name="dm-names"
          data-autofocus
          required
          value={names}
          placeholder="e.g. alice, bob"
          onChange={(e) => setNames(e.target.value)}
        />
        <span className="field-hint">Usernames, separated by commas.</span>
      </label>
    </FormDialog>
  );
}

/** A guest chooses a password, and keeps its name or picks another. */
export function RegisterDialog({
  store,
  name,
  onClose,
}: {
  store: ChatStore;
  name: string;
  onClose: () => void;
}) {
  const [username, setUsername] = useState(name);
  const [password, setPassword] = useState("");
  const [invite, setInvite] = useState("");
  const options = useAuthOptions();
  const inviteRequired = options?.registration === "invite";
  const form = useFormAction(
    async () => {
      const chosen = username.trim();
      await store.register(
        password,
        chosen === name ? undefined : chosen,
        inviteRequired && invite ? invite : undefined,
      );
      onClose();
    },
    (err) => (err instanceof Error ? err.message : "Could not register. Try again."),
  );

  return (
    <FormDialog
      title="Register"
      onClose={onClose}
      form={form}
      submitLabel="Register"
      cancelLabel="Not now"
    >
      <p className="modal-text">
        Choose a password to turn <strong>{name}</strong> into an account. You keep your channels,
        and your name unless you pick another.
      </p>
      <UsernameField
        value={username}
        onChange={setUsername}
        hint="Names beginning with guest- are for guests; keep yours or pick a new one."
      />
      <label className="field">
        <span className="field-label">Password</span>
        <input
          type="password"
          name="password"
          autoComplete="new-password"
          data-autofocus
          required
          minLength={8}
          maxLength={256}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <span className="field-hint">At least 8 characters.</span>
      </label>
      {inviteRequired && <InviteCodeField value={invite} onChange={setInvite} required />}
    </FormDialog>
  );
}

/**
 * Asks before deleting a message. A moderator deleting another member's message may give a
 * reason, kept in the moderation log. Focus starts on the reason when there is one, else on
 * Cancel, the choice that loses nothing.
 */
export function DeleteMessageDialog({
  store,
  channelId,
  message,
  byModerator,
  onClose,
  onDeleted,
}: {
  store: ChatStore;
  channelId: number;
  message: MessageEvent;
  /** The message is another member's: this user deletes it as a moderator. */
  byModerator: boolean;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [reason, setReason] = useState("");
  const form = useFormAction(
    async () => {
      await store.deleteMessage(channelId, message.i, byModerator ? reason : undefined);
      onDeleted();
    },
    (err) => (err instanceof Error ? err.message : "Could not delete. Try again."),
  );

  return (
    <FormDialog
      title="Delete message"
      onClose={onClose}
      form={form}
      submitLabel={form.busy ? "Deleting…" : "Delete"}
      danger
      cancelFocused={!byModerator}
    >
      <p className="modal-text">
        {byModerator ? (
          <>
            Delete this message by <strong>{message.an}</strong>? Everyone will see that a moderator
            deleted it.
          </>
        ) : (
          "Delete this message? Everyone will see that it was deleted."
        )}{" "}
        This cannot be undone.
      </p>
      <blockquote className="delete-preview">
        <MessageText text={message.x} />
      </blockquote>
      {byModerator && (
        <label className="field">
          <span className="field-label">Reason (optional)</span>
          <input
            name="delete-reason"
            data-autofocus
            maxLength={LIMITS.topicMax}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <span className="field-hint">Kept in the moderation log.</span>
        </label>
      )}
    </FormDialog>
  );
}

/**
 * Reports a message to the channel's moderators and the server's admins, with an optional
 * reason. They see the message as it is now, even if it is edited or deleted later.
 */
export function ReportMessageDialog({
  store,
  channelId,
  message,
  onClose,
}: {
  store: ChatStore;
  channelId: number;
  message: MessageEvent;
  onClose: () => void;
}) {
  const [reason, setReason] = useState("");
  const form = useFormAction(
    async () => {
      await store.reportMessage(channelId, message.i, reason);
      onClose();
    },
    (err) => (err instanceof Error ? err.message : "Could not report. Try again."),
  );

  return (
    <FormDialog
      title="Report message"
      onClose={onClose}
      form={form}
      submitLabel={form.busy ? "Reporting…" : "Report"}
    >
      <p className="modal-text">
        Report this message by <strong>{message.an}</strong> to the channel's moderators? They will
        see it as it is now, and that you reported it; <strong>{message.an}</strong> will not.
      </p>
      <blockquote className="delete-preview">
        <MessageText text={message.x} />
      </blockquote>
      <label className="field">
        <span className="field-label">Reason (optional)</span>
        <input
          name="report-reason"
          data-autofocus
          maxLength={LIMITS.topicMax}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <span className="field-hint">Shown to the moderators with the message.</span>
      </label>
    </FormDialog>
  );
}
