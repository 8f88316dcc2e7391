import { LIMITS } from "@parley/protocol";
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import type { Editing } from "../chat/channel-view";

/**
 * One's own message turned into an editor, holding its content: Enter saves, Shift+Enter adds
 * a line, Escape cancels. Takes focus with the caret at the end. Mounted again (keyed by
 * version) when a conflict loads the message's new content.
 */
export function MessageEditor({
  editing,
  onSave,
  onCancel,
}: {
  editing: Editing;
  onSave: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(editing.x);
  const input = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();

  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      if (!editing.saving) onSave(text);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    }
  };

  return (
    <div className="message-editor" data-testid="message-editor">
      <textarea
        ref={input}
        className="edit-input"
        value={text}
        rows={1}
        maxLength={LIMITS.contentMax}
        readOnly={editing.saving}
        aria-label="Edit message"
        aria-describedby={hintId}
        aria-invalid={editing.error ? true : undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="edit-foot" id={hintId}>
        {editing.error && (
          <span className="composer-error" role="alert" data-testid="edit-error">
            {editing.error}
          </span>
        )}
        <span className="edit-hint">
          <kbd>Escape</kbd> to cancel · <kbd>Enter</kbd> to save
        </span>
        <span className="edit-buttons">
          <button type="button" className="link-button" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="button"
            className="link-button"
            disabled={editing.saving}
            onClick={() => onSave(text)}
          >
            {editing.saving ? "Saving…" : "Save"}
          </button>
        </span>
      </div>
    </div>
  );
}
