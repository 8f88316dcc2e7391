import { type CommandInfo, LIMITS, type Member, may, rankOf, type Self } from "@parley/protocol";
import {
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import { roomLeft } from "../chat/attachments";
import { type ChannelView, isMuted } from "../chat/channel-view";
import { addressOf } from "../chat/chat-state";
import { type ChatStore, CommandRefusedError } from "../chat/chat-store";
import { formatCountdown, formatUntil } from "../chat/format";
import { AttachmentTray } from "./attachment-tray";
import "./attachments.css";
import { useCompletion } from "./completions";
import { EmojiPickerButton } from "./emoji-picker";
import { CloseIcon, PaperclipIcon, SendIcon, SmileIcon } from "./icons";
import type { Attachments } from "./use-attachments";
import { useNow } from "./use-chat";

export interface ComposerProps {
  store: ChatStore;
  view: ChannelView;
  commands: readonly CommandInfo[];
  /** The channel's members, for `@` completion. */
  members?: readonly Member[];
  /** The list holds some of the members only (a big channel): `@` completion asks the server too. */
  membersPartial?: boolean;
  /** The user, whose guest and admin flags count with the role for group mentions. */
  me?: Self;
  disabled: boolean;
  /** The next message's files (chosen here, pasted, or dropped on the channel). */
  attachments: Attachments;
  /** Take focus now (a channel was just opened from a dialog); `onFocused` says it did. */
  autoFocus?: boolean;
  onFocused?: () => void;
}

/** The command being typed: "/mu" → "mu" while no space follows the name yet. */
function commandPrefix(text: string): string | undefined {
  const match = /^\/(\S*)$/.exec(text);
  return match?.[1]?.toLowerCase();
}

/** The command whose name has been typed in full, for its usage hint. */
function typedCommand(text: string, commands: readonly CommandInfo[]): CommandInfo | undefined {
  const match = /^\/(\S+)\s/.exec(text);
  const name = match?.[1]?.toLowerCase();
  return name ? commands.find((c) => c.n === name) : undefined;
}

/**
 * Message input: Enter sends, Shift+Enter adds a line, Up when empty edits your last message.
 * A line starting with `/` runs a command, with autocomplete of the commands this user's role
 * allows. Disabled with a countdown while muted; slow mode shows when the next message may go.
 */
export function Composer({
  store,
  view,
  commands,
  members = [],
  membersPartial = false,
  me,
  disabled,
  attachments,
  autoFocus = false,
  onFocused,
}: ComposerProps) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [highlight, setHighlight] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  /** A send was refused for slow mode: the wait shows as a live countdown until it ends. */
  const [slowRefused, setSlowRefused] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const listId = useId();
  const hintId = useId();

  const role = view.summary.rl ?? 0;
  const allowed = useMemo(() => commands.filter((c) => c.rl <= role), [commands, role]);
  const prefix = commandPrefix(text);
  const suggestions =
    prefix === undefined || dismissed ? [] : allowed.filter((c) => c.n.startsWith(prefix));
  const open = suggestions.length > 0;
  const usage = typedCommand(text, allowed);
  /** Where the caret goes once an insertion has rendered (and a closing picker let go). */
  const [caretTo, setCaretTo] = useState<number>();
  const completion = useCompletion({
    text,
    input,
    members,
    ...(membersPartial ? { search: (prefix: string) => store.searchMembers(view.id, prefix) } : {}),
    // Offered by the rank the server checks at the send (which decides).
    groups: may("mentionChannel", rankOf(view.summary.rl, { isGuest: !!me?.g, isAdmin: !!me?.ad })),
    suspended: open,
    apply: (value, caret) => {
      change(value);
      setCaretTo(caret);
    },
  });
  useEffect(() => {
    if (caretTo === undefined) return;
    input.current?.focus();
    input.current?.setSelectionRange(caretTo, caretTo);
    setCaretTo(undefined);
  }, [caretTo]);
  const insertAtCaret = (emoji: string) => {
    const el = input.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    change(text.slice(0, start) + emoji + text.slice(end));
    setCaretTo(start + emoji.length);
  };

  const counting =
    view.mute !== undefined || (view.slowUntil !== undefined && view.slowUntil > Date.now());
  const now = useNow(counting);
  const muted = isMuted(view, now);
  const slowLeft = view.slowUntil !== undefined ? view.slowUntil - now : 0;
  const blocked = disabled || muted || busy;
  const slowNotice = slowRefused && slowLeft > 0;
  // The refusal is over once the wait is (run out, slow mode turned off or changed).
  useEffect(() => {
    if (slowRefused && slowLeft <= 0) setSlowRefused(false);
  }, [slowRefused, slowLeft]);

  // A dropped held message taken back: its text joins what is written here (after a line
  // break, nothing typed is lost), with the caret at its end, to edit and send again.
  const draft = view.draft;
  // biome-ignore lint/correctness/useExhaustiveDependencies: taken once per draft, by its key
  useEffect(() => {
    if (!draft) return;
    const value = text.trim() ? `${text.trimEnd()}\n${draft.x}` : draft.x;
    change(value);
    setCaretTo(value.length);
    store.draftTaken(view.id, draft.key);
  }, [draft?.key]);

  // Choosing Reply on a message moves to the composer, where the reply is written.
  const replyingTo = view.replying?.m;
  useEffect(() => {
    if (replyingTo !== undefined) input.current?.focus();
  }, [replyingTo]);
  const cancelReply = () => {
    store.cancelReply(view.id);
    input.current?.focus();
  };

  // Runs after the closing dialog gave focus back to its opener, so this move wins.
  useEffect(() => {
    if (!autoFocus) return;
    input.current?.focus();
    onFocused?.();
  }, [autoFocus, onFocused]);

  // Focus returns to the input when the mute ends, so the user can carry on typing.
  const wasMuted = useRef(muted);
  useEffect(() => {
    if (wasMuted.current && !muted) input.current?.focus();
    wasMuted.current = muted;
  }, [muted]);

  const change = (value: string) => {
    setText(value);
    setError(undefined);
    setDismissed(false);
    setHighlight(0);
    store.typingInput(view.id, value);
  };

  const accept = (command: CommandInfo) => {
    change(`/${command.n} `);
    input.current?.focus();
  };

  const files = attachments.ready;
  const hasFiles = attachments.list.length > 0;
  const attach = (chosen: readonly File[]) => {
    if (chosen.length === 0) return;
    // The server takes files from accounts only (a guest costs nothing, so no quota bounds it).
    if (me?.g) {
      setError("Guests cannot attach files: register to send them.");
      return;
    }
    const left = attachments.add(chosen);
    setError(
      left > 0
        ? `A message takes at most ${LIMITS.filesPerMessage} files: ${left} not added.`
        : undefined,
    );
  };
  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = [...e.clipboardData.files];
    if (pasted.length === 0) return;
    e.preventDefault();
    attach(pasted);
  };

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const value = text.trim();
    if (blocked) return;
    // Files go once every upload is done; a command never takes them.
    if (hasFiles && !files) return;
    if (!value && !files?.length) return;
    if (value.startsWith("/") && !value.startsWith("//")) {
      setBusy(true);
      try {
        await store.command(view.id, value);
        setText("");
      } catch (err) {
        if (err instanceof CommandRefusedError && err.slowMode) setSlowRefused(true);
        else setError(err instanceof Error ? err.message : String(err));
      } finally {
        setBusy(false);
        input.current?.focus();
      }
      return;
    }
    if (slowLeft > 0) {
      setSlowRefused(true);
      return;
    }
    // "//text" sends "/text" as a message.
    store.send(view.id, value.startsWith("//") ? value.slice(1) : value, files ?? []);
    setText("");
    attachments.clear();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (completion.onKeyDown(e)) return;
    if (open) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        setHighlight((h) => (h + step + suggestions.length) % suggestions.length);
        return;
      }
      if (e.key === "Tab" || (e.key === "Enter" && !e.shiftKey)) {
        const choice = suggestions[highlight] ?? suggestions[0];
        if (choice && `/${choice.n}` !== text.trim()) {
          e.preventDefault();
          accept(choice);
          return;
        }
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setDismissed(true);
        return;
      }
    }
    if (e.key === "Escape" && view.replying) {
      e.preventDefault();
      cancelReply();
      return;
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      void submit();
    }
    // As in most chat clients: Up in an empty composer edits your last message.
    if (e.key === "ArrowUp" && !text && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      if (store.editLast(view.id)) e.preventDefault();
    }
  };

  let status: ReactNode = null;
  if (muted) {
    const reason = view.mute?.reason ? ` (${view.mute.reason})` : "";
    const until = view.mute?.until ?? now;
    status =
      view.mute?.until === null ? (
        <span className="composer-status warn">You are muted in this channel{reason}.</span>
      ) : (
        <span className="composer-status warn" data-testid="mute-countdown">
          You are muted{reason}. You can write again in{" "}
          <strong>{formatCountdown(until - now)}</strong>{" "}
          <span className="muted-until">({formatUntil(until, now)})</span>
        </span>
      );
  } else if (slowNotice) {
    status = (
      <span className="composer-error" data-testid="slow-countdown">
        Slow mode is on. You can send again in <strong>{formatCountdown(slowLeft)}</strong>
      </span>
    );
  } else if (slowLeft > 0) {
    status = (
      <span className="composer-status" data-testid="slow-countdown">
        Slow mode: you can send again in <strong>{formatCountdown(slowLeft)}</strong>
      </span>
    );
  } else if (view.summary.sl > 0) {
    status = (
      <span className="composer-status">
        Slow mode is on: one message every {formatCountdown(view.summary.sl * 1000)}
      </span>
    );
  }

  return (
    <form className="composer" onSubmit={submit}>
      {open && (
        <div className="suggestions" id={listId} role="listbox" aria-label="Commands">
          {suggestions.map((c, k) => (
            <div
              key={c.n}
              id={`${listId}-${c.n}`}
              role="option"
              tabIndex={-1}
              aria-selected={k === highlight}
              className={k === highlight ? "suggestion active" : "suggestion"}
              onPointerDown={(e) => {
                e.preventDefault();
                accept(c);
              }}
            >
              <span className="suggestion-usage">{c.u}</span>
              <span className="suggestion-desc">{c.d}</span>
            </div>
          ))}
        </div>
      )}
      {completion.listbox}
      <AttachmentTray attachments={attachments} />
      {view.replying && (
        <div className="reply-bar" data-testid="reply-bar">
          <span className="reply-bar-text">
            Replying to <span className="reply-bar-author">{view.replying.an}</span>:{" "}
            <bdi className="reply-bar-excerpt">{view.replying.x}</bdi>
          </span>
          <button
            type="button"
            className="icon-button reply-bar-close"
            aria-label="Cancel reply"
            title="Cancel reply (Escape)"
            onClick={cancelReply}
          >
            <CloseIcon />
          </button>
        </div>
      )}
      <div className={`composer-box${muted ? " is-muted" : ""}`}>
        {!me?.g && (
          <button
            type="button"
            className="icon-button composer-attach"
            aria-label="Attach files"
            title={`Attach files (up to ${LIMITS.filesPerMessage}; or paste, or drop them here)`}
            disabled={blocked || roomLeft(attachments.list) === 0}
            onClick={() => picker.current?.click()}
          >
            <PaperclipIcon />
          </button>
        )}
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          tabIndex={-1}
          data-testid="file-picker"
          onChange={(e) => {
            attach([...(e.target.files ?? [])]);
            // The same file may be chosen again after its removal.
            e.target.value = "";
            input.current?.focus();
          }}
        />
        <textarea
          ref={input}
          className="composer-input"
          rows={1}
          value={text}
          maxLength={4000}
          disabled={blocked && !busy}
          readOnly={busy}
          placeholder={
            muted ? "You are muted in this channel" : `Message ${addressOf(view.summary)}`
          }
          aria-label={`Message ${addressOf(view.summary)}`}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open || completion.open}
          aria-controls={open ? listId : completion.open ? completion.listId : undefined}
          aria-activedescendant={
            open && suggestions[highlight]
              ? `${listId}-${suggestions[highlight].n}`
              : completion.activeId
          }
          aria-describedby={hintId}
          aria-invalid={error ? true : undefined}
          onChange={(e) => change(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onSelect={completion.onSelect}
          onBlur={() => store.stopTyping(view.id)}
        />
        <EmojiPickerButton
          label="Insert emoji"
          className="icon-button composer-emoji"
          icon={<SmileIcon />}
          disabled={blocked}
          onPick={insertAtCaret}
        />
        <button
          type="submit"
          className="send-button"
          aria-label="Send"
          title="Send (Enter)"
          disabled={
            blocked ||
            (hasFiles ? !files : !text.trim()) ||
            (slowLeft > 0 && !text.trim().startsWith("/"))
          }
        >
          <SendIcon />
        </button>
      </div>
      <div className="composer-foot" id={hintId}>
        {error && (
          <span className="composer-error" role="alert" data-testid="composer-error">
            {error}
          </span>
        )}
        {/* Announced once; the visible countdown beside it ticks without being read out. */}
        <span className="sr-only" role="alert">
          {slowNotice ? "Slow mode is on. Wait before sending again." : ""}
        </span>
        {status}
        {!error && !status && usage && (
          <span className="composer-hint">
            <code>{usage.u}</code> — {usage.d}
          </span>
        )}
        {!error && !status && !usage && (
          <span className="composer-hint">
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line ·{" "}
            <kbd>/</kbd> for commands
          </span>
        )}
      </div>
    </form>
  );
}
