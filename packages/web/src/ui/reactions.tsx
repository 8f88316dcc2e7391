import type { ReactionSummary } from "@parley/protocol";
import { EmojiPickerButton } from "./emoji-picker";
import { SmileIcon } from "./icons";

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
 * The button on a message that opens the emoji picker; a pick reacts with it. A tool of the
 * message toolbar, which sets its `tabIndex`.
 */
export function ReactionPicker({
  onPick,
  tabIndex,
}: {
  onPick: (emoji: string) => void;
  tabIndex?: number;
}) {
  return (
    <EmojiPickerButton
      label="Add reaction"
      className="icon-button tool-button react-button"
      icon={<SmileIcon />}
      tool
      tabIndex={tabIndex}
      onPick={onPick}
    />
  );
}
