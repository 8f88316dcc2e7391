import {
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import {
  addRecent,
  type Emoji,
  type EmojiData,
  loadEmoji,
  readRecent,
  readTone,
  SKIN_TONES,
  searchEmoji,
  withTone,
  writeTone,
} from "../chat/emoji";
import { Modal } from "./modal";
import "./emoji-picker.css";

/** Emoji per row of the grid; the CSS lays it out with the same count, arrows move by it. */
export const GRID_COLUMNS = 8;
/** Search shows at most this many. */
const SEARCH_MAX = 160;
const RECENT = -1;
/** The raised hand in each of SKIN_TONES. */
const TONE_HANDS = ["✋", "✋🏻", "✋🏼", "✋🏽", "✋🏾", "✋🏿"];

/** The emoji data once loaded (a chunk of its own), or an error message. */
export function useEmojiData(): EmojiData | string | undefined {
  const [data, setData] = useState<EmojiData | string>();
  useEffect(() => {
    let live = true;
    loadEmoji().then(
      (d) => live && setData(d),
      () => live && setData("The emoji could not be loaded. Close and try again."),
    );
    return () => {
      live = false;
    };
  }, []);
  return data;
}

/** Where an arrow key moves in a grid of `count` cells, `columns` wide; undefined: leave it. */
export function gridMove(key: string, index: number, count: number, columns: number) {
  switch (key) {
    case "ArrowRight":
      return Math.min(index + 1, count - 1);
    case "ArrowLeft":
      return Math.max(index - 1, 0);
    case "ArrowDown":
      return index + columns < count ? index + columns : index;
    case "ArrowUp":
      return index - columns >= 0 ? index - columns : undefined;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return index;
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The picker's content: search, categories (recents first), skin tone, and a grid of emoji
 * buttons with one tab stop (arrow keys move in it, Enter or Space picks). Enter in the search
 * picks the first result; Escape anywhere closes. Recents and the tone are kept in
 * localStorage.
 */
export function EmojiPicker({
  onPick,
  onClose,
}: {
  onPick: (emoji: string) => void;
  onClose: () => void;
}) {
  const data = useEmojiData();
  const [query, setQuery] = useState("");
  const [recent, setRecent] = useState(() => readRecent(localStorage));
  const [tone, setTone] = useState(() => readTone(localStorage));
  const [group, setGroup] = useState(() => (recent.length > 0 ? RECENT : 0));
  const [active, setActive] = useState(0);
  const gridRef = useRef<HTMLFieldSetElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const gridId = useId();

  // Recents are stored as sent (with their tone); this finds their names again.
  const byText = useMemo(() => {
    const map = new Map<string, Emoji>();
    if (typeof data === "object")
      for (const e of data.list) for (const text of [e.e, ...(e.k ?? [])]) map.set(text, e);
    return map;
  }, [data]);

  const groups = typeof data === "object" ? data.groups : [];
  let title = "";
  let cells: { text: string; name: string }[] = [];
  if (typeof data === "object") {
    if (query.trim()) {
      title = "Search results";
      cells = searchEmoji(data.list, query, SEARCH_MAX).map((e) => ({
        text: withTone(e, tone),
        name: e.n,
      }));
    } else if (group === RECENT) {
      title = "Recently used";
      cells = recent.map((text) => ({ text, name: byText.get(text)?.n ?? text }));
    } else {
      title = capitalize(groups.find((g) => g.i === group)?.n ?? "");
      cells = data.list
        .filter((e) => e.g === group)
        .map((e) => ({ text: withTone(e, tone), name: e.n }));
    }
  }
  const current = Math.min(active, Math.max(cells.length - 1, 0));

  const pick = (text: string) => {
    setRecent(addRecent(localStorage, text));
    onPick(text);
  };

  const focusCell = (index: number) => {
    setActive(index);
    gridRef.current?.querySelectorAll<HTMLButtonElement>("button")[index]?.focus();
  };

  const onGridKey = (e: KeyboardEvent<HTMLFieldSetElement>) => {
    const next = gridMove(e.key, current, cells.length, GRID_COLUMNS);
    if (next === current) return;
    e.preventDefault();
    if (next === undefined) searchRef.current?.focus();
    else focusCell(next);
  };

  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" && cells.length > 0) {
      e.preventDefault();
      focusCell(0);
    } else if (e.key === "Enter") {
      e.preventDefault();
      const first = cells[0];
      if (first && query.trim()) pick(first.text);
    } else if (e.key === "Escape") {
      // A search field would clear itself first; Escape closes the picker at once instead.
      e.preventDefault();
      onClose();
    }
  };

  const tab = (i: number, label: string, icon: ReactNode) => (
    <button
      key={i}
      type="button"
      className="emoji-tab"
      aria-pressed={!query.trim() && group === i}
      aria-label={label}
      title={label}
      onClick={() => {
        setQuery("");
        setGroup(i);
        setActive(0);
      }}
    >
      <span aria-hidden="true">{icon}</span>
    </button>
  );

  return (
    <div className="emoji-picker">
      <div className="emoji-bar">
        <input
          ref={searchRef}
          type="search"
          className="emoji-search"
          placeholder="Search emoji"
          aria-label="Search emoji"
          aria-controls={gridId}
          data-autofocus
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onSearchKey}
        />
        <select
          className="emoji-tone"
          aria-label="Skin tone"
          value={tone}
          onChange={(e) => {
            const t = Number(e.target.value);
            setTone(t);
            writeTone(localStorage, t);
          }}
        >
          {SKIN_TONES.map((label, t) => (
            // The hand alone fits the closed select; its tone is its accessible name.
            <option key={label} value={t} title={label}>
              {TONE_HANDS[t]}
            </option>
          ))}
        </select>
      </div>
      {typeof data === "object" && (
        <div className="emoji-tabs" role="toolbar" aria-label="Categories">
          {recent.length > 0 && tab(RECENT, "Recently used", "🕘")}
          {groups.map((g) =>
            tab(g.i, capitalize(g.n), data.list.find((e) => e.g === g.i)?.e ?? "?"),
          )}
        </div>
      )}
      {typeof data !== "object" ? (
        <p className="emoji-status" role="status">
          {data ?? "Loading emoji…"}
        </p>
      ) : (
        <div className="emoji-section">
          {cells.length === 0 ? (
            <p className="emoji-status" role="status">
              No emoji found
            </p>
          ) : (
            <fieldset ref={gridRef} id={gridId} className="emoji-grid" onKeyDown={onGridKey}>
              <legend className="emoji-title">{title}</legend>
              {cells.map((c, k) => (
                <button
                  key={c.text}
                  type="button"
                  className="emoji-cell"
                  tabIndex={k === current ? 0 : -1}
                  aria-label={c.name}
                  title={c.name}
                  data-emoji={c.text}
                  onFocus={() => setActive(k)}
                  onClick={() => pick(c.text)}
                >
                  {c.text}
                </button>
              ))}
            </fieldset>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * A button that opens the emoji picker in a dialog; a pick closes it. Escape closes it too,
 * and focus goes back to the button (or where `onPick` moves it).
 */
export function EmojiPickerButton({
  label,
  className,
  icon,
  disabled = false,
  tool = false,
  tabIndex,
  onPick,
}: {
  label: string;
  className: string;
  icon: ReactNode;
  disabled?: boolean;
  /** A tool of a toolbar (its roving focus finds it; the toolbar sets `tabIndex`). */
  tool?: boolean;
  tabIndex?: number;
  onPick: (emoji: string) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <span className={`picker-anchor${open ? " open" : ""}`}>
      <button
        type="button"
        className={className}
        aria-label={label}
        title={label}
        aria-haspopup="dialog"
        aria-expanded={open}
        disabled={disabled}
        data-tool={tool || undefined}
        tabIndex={tabIndex}
        onClick={() => setOpen((o) => !o)}
      >
        {icon}
      </button>
      {open && <EmojiPickerDialog label={label} onClose={() => setOpen(false)} onPick={onPick} />}
    </span>
  );
}

/** The emoji picker in a modal dialog titled `label`; a pick closes it, then calls `onPick`. */
export function EmojiPickerDialog({
  label,
  onClose,
  onPick,
}: {
  label: string;
  onClose: () => void;
  onPick: (emoji: string) => void;
}) {
  return (
    <Modal title={label} onClose={onClose}>
      <EmojiPicker
        onClose={onClose}
        onPick={(emoji) => {
          onClose();
          onPick(emoji);
        }}
      />
    </Modal>
  );
}
