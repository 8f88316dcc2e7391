import type { ReactionSummary } from "@parley/protocol";
import { useEffect, useId, useRef, useState } from "react";
import { SmileIcon } from "./icons";

/** The picker's choices: a handful of common reactions. */
export const QUICK_EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "👀"] as const;

/** "alice, bob and you reacted with 👍". */
export function reactorsText(r: ReactionSummary, me: number | undefined): string {
  const names = r.u.map((u) => (u.i === me ? "you" : u.n));
  const list =
    names.length <= 1
      ? (names[0] ?? "")
      : `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}`;
  return `${list} reacted with ${r.e}`;
}

/** Reaction chips with counts; the tooltip names who reacted; a click toggles your own. */
export function ReactionChips({
  reactions,
  me,
  onToggle,
}: {
  reactions: readonly ReactionSummary[];
  me: number | undefined;
  onToggle: (emoji: string) => void;
}) {
  if (reactions.length === 0) return null;
  return (
    <div className="reactions">
      {reactions.map((r) => {
        const mine = r.u.some((u) => u.i === me);
        const who = reactorsText(r, me);
        return (
          <button
            key={r.e}
            type="button"
            className={`chip${mine ? " mine" : ""}`}
            aria-pressed={mine}
            title={who}
            aria-label={`${r.e} ${r.u.length}: ${who}`}
            data-emoji={r.e}
            onClick={() => onToggle(r.e)}
          >
            <span className="chip-emoji" aria-hidden="true">
              {r.e}
            </span>
            <span className="chip-count" aria-hidden="true">
              {r.u.length}
            </span>
          </button>
        );
      })}
    </div>
  );
}

/**
 * A button that opens a small row of emoji; Escape or a pick closes it. A tool of the message
 * toolbar, which sets its `tabIndex`.
 */
export function ReactionPicker({
  onPick,
  tabIndex,
}: {
  onPick: (emoji: string) => void;
  tabIndex?: number;
}) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLButtonElement>(".picker button")?.focus();
    const onDown = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener("pointerdown", onDown);
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("pointerdown", onDown);
      document.removeEventListener("keydown", onKey, true);
    };
  }, [open]);

  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };

  return (
    <div className={`picker-anchor${open ? " open" : ""}`} ref={root}>
      <button
        ref={toggle}
        type="button"
        className="icon-button tool-button react-button"
        data-tool
        tabIndex={tabIndex}
        aria-label="Add reaction"
        title="Add reaction"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        <SmileIcon />
      </button>
      {open && (
        <fieldset className="picker" id={id}>
          <legend className="sr-only">Pick a reaction</legend>
          {QUICK_EMOJI.map((e) => (
            <button
              key={e}
              type="button"
              className="picker-emoji"
              aria-label={`React with ${e}`}
              onClick={() => {
                onPick(e);
                close();
              }}
            >
              {e}
            </button>
          ))}
        </fieldset>
      )}
    </div>
  );
}
