import { LIMITS, type SearchHit } from "@parley/protocol";
import {
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
} from "react";
import { addressOf, type ChatState } from "../chat/chat-state";
import type { ChatStore } from "../chat/chat-store";
import { applyCompletion, matchMembers } from "../chat/completions";
import { formatCountdown, formatFull, formatWhen } from "../chat/format";
import {
  insertFilter,
  knownUsers,
  namedChannels,
  SEARCH_FILTERS,
  searchCompletionAt,
} from "../chat/search-completions";
import { canLoadMore, noResults, reduceSearch, searchRefusal } from "../chat/search-results";
import { snippetSegments } from "../chat/snippet";
import { SuggestionList, suggestionId } from "./completions";
import { ContextMenu, type MenuPoint } from "./context-menu";
import { CloseIcon, SearchIcon } from "./icons";
import { useNow } from "./use-chat";
import "./search.css";

/** Suggestions shown at most. */
const SUGGESTIONS_MAX = 8;

/** The shortcut as this platform writes it. */
function shortcutLabel(): string {
  return /Mac|iPhone|iPad/.test(globalThis.navigator?.userAgent ?? "") ? "⌘K" : "Ctrl K";
}

/** The header's button that opens search (also Ctrl+K / ⌘K from anywhere). */
export function SearchButton({ open, onOpen }: { open: boolean; onOpen: () => void }) {
  return (
    <button
      type="button"
      className="search-toggle"
      aria-keyshortcuts="Control+K Meta+K"
      aria-expanded={open}
      onClick={onOpen}
    >
      <SearchIcon />
      <span className="sr-only">Search messages</span>
      <span className="search-toggle-visible" aria-hidden="true">
        <span className="search-toggle-text">Search</span>
        <kbd>{shortcutLabel()}</kbd>
      </span>
    </button>
  );
}

interface Suggestion {
  key: string;
  insert: string;
  content: ReactNode;
}

/** A suggestion that inserts `label` and a space, with an optional description. */
function suggestion(key: string, label: string, desc?: string): Suggestion {
  return {
    key,
    insert: `${label} `,
    content: (
      <>
        <span className="suggestion-usage">{label}</span>
        {desc && <span className="suggestion-desc">{desc}</span>}
      </>
    ),
  };
}

/** A hit's snippet as text with its matches in `<mark>`, never as markup. */
function Snippet({ hit }: { hit: SearchHit }) {
  const segments = snippetSegments(hit.x, hit.hl);
  return (
    <bdi>
      {segments.map((s, k) =>
        s.mark ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and never reorder
          <mark key={k}>{s.text}</mark>
        ) : (
          s.text
        ),
      )}
    </bdi>
  );
}

/**
 * Search: the query box (a combobox completing people after `from:@`, `mentions:@`, `in:@`
 * and channels after `in:#`, with a Filters menu that inserts the syntax), and the results,
 * newest first, read a page at a time. A search runs on Enter, not while typing: the server
 * allows about one a second, and a word half typed is not yet the word. Choosing a result opens
 * its channel at that message (the message-link path), highlighted; on a phone the panel
 * closes first, as it covers the channel. Arrow keys move from the box through the results;
 * Escape closes the panel (`onClose(true)`: focus goes back to where it was).
 */
export function SearchPanel({
  store,
  state,
  focusKey,
  onClose,
}: {
  store: ChatStore;
  state: ChatState;
  /** Changes whenever the box should take focus again (Ctrl+K while open). */
  focusKey: number;
  onClose: (returnFocus: boolean) => void;
}) {
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [results, dispatch] = useReducer(reduceSearch, noResults);
  const [highlight, setHighlight] = useState(0);
  const [dismissed, setDismissed] = useState<string>();
  const [menu, setMenu] = useState<MenuPoint>();
  const [select, setSelect] = useState<[number, number]>();
  const [active, setActive] = useState(0);
  const keys = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const filters = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const listId = useId();
  const statusId = useId();

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again for each Ctrl+K
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, [focusKey]);

  // After an insertion: the box takes focus with the caret (or a date) where it belongs.
  useLayoutEffect(() => {
    if (!select) return;
    input.current?.focus();
    input.current?.setSelectionRange(select[0], select[1]);
    setCaret(select[1]);
    setSelect(undefined);
  }, [select]);

  const channels = useMemo(
    () => Object.values(state.channels).map((v) => v.summary),
    [state.channels],
  );
  const people = useMemo(
    () => knownUsers(state.members, channels, state.me),
    [state.members, channels, state.me],
  );

  const at = searchCompletionAt(text, caret);
  const token = at && `${at.start}:${at.filter}:${at.query}`;
  let suggestions: Suggestion[] = [];
  if (at && token !== dismissed) {
    if (at.kind === "channel") {
      suggestions = matchMembers(namedChannels(channels), at.query, SUGGESTIONS_MAX).map((c) =>
        suggestion(`c${c.i}`, `#${c.n}`),
      );
    } else {
      const me = at.filter === "mentions" && "me".startsWith(at.query.toLowerCase());
      const found = matchMembers(people, at.query, SUGGESTIONS_MAX - (me ? 1 : 0));
      suggestions = [
        ...(me ? [suggestion("me", "@me", "you")] : []),
        ...found.map((u) =>
          suggestion(
            `u${u.i}`,
            `@${u.n}`,
            u.i === state.me?.i ? "you" : u.on ? "online" : "offline",
          ),
        ),
      ];
    }
  }
  const listOpen = suggestions.length > 0;
  const index = Math.min(highlight, suggestions.length - 1);
  const optionId = (k: number) => suggestionId(listId, k);
  // A new token starts at the top of its list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the token changes
  useEffect(() => setHighlight(0), [token]);

  const change = (value: string, at: number) => {
    setText(value);
    setCaret(at);
  };

  const choose = (s: Suggestion) => {
    if (!at) return;
    const next = applyCompletion(text, caret, at, s.insert);
    change(next.text, next.caret);
    setSelect([next.caret, next.caret]);
  };

  const run = (query: string, cursor?: string) => {
    const key = ++keys.current;
    dispatch(
      cursor === undefined ? { type: "searched", query, key } : { type: "more-requested", key },
    );
    store.search(query, cursor).then(
      (reply) => dispatch({ type: "page-loaded", key, reply }),
      (err) => dispatch({ type: "page-failed", key, ...searchRefusal(err, Date.now()) }),
    );
  };

  const submit = () => {
    const query = text.trim();
    if (!query) return;
    setActive(0);
    run(query);
  };

  const hits = () => [...(list.current?.querySelectorAll<HTMLElement>(".search-hit") ?? [])];
  const focusHit = (k: number) => {
    const all = hits();
    const to = Math.max(0, Math.min(k, all.length - 1));
    setActive(to);
    all[to]?.focus();
  };

  const onInputKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (listOpen) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        const step = e.key === "ArrowDown" ? 1 : -1;
        setHighlight((index + step + suggestions.length) % suggestions.length);
        e.preventDefault();
        return;
      }
      const s = suggestions[index];
      const typed = at && text.slice(at.start, caret);
      // A name typed in full is done: Enter then searches, as it does without a list.
      if (s && (e.key === "Tab" || (e.key === "Enter" && s.insert.trim() !== typed))) {
        e.preventDefault();
        choose(s);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        e.nativeEvent.stopPropagation();
        setDismissed(token);
        return;
      }
    }
    if (e.key === "Enter") {
      e.preventDefault();
      submit();
    } else if (e.key === "ArrowDown" && results.hits.length > 0) {
      e.preventDefault();
      focusHit(active);
    }
  };

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const all = hits();
    const k = all.indexOf(document.activeElement as HTMLElement);
    if (k < 0) return;
    let next: number | undefined;
    if (e.key === "ArrowDown") next = k + 1;
    else if (e.key === "ArrowUp") {
      if (k === 0) {
        e.preventDefault();
        input.current?.focus();
        return;
      }
      next = k - 1;
    } else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = all.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    focusHit(next);
  };

  const openHit = (hit: SearchHit, k: number) => {
    setActive(k);
    // On a phone the panel covers the channel: it closes, and the message takes focus.
    if (globalThis.matchMedia?.("(max-width: 760px)").matches) onClose(false);
    store.openLink({ c: hit.c, s: hit.s });
  };

  const retryAt = results.error?.retryAt;
  const now = useNow(retryAt !== undefined && retryAt > Date.now());
  const nowShown = Date.now();

  const status =
    results.phase === "loading"
      ? "Searching…"
      : results.phase === "idle"
        ? ""
        : results.hits.length === 0 && results.phase !== "error"
          ? ""
          : `${results.hits.length}${results.next !== undefined ? "+" : ""} result${results.hits.length === 1 ? "" : "s"}`;

  return (
    <section
      className="search-panel"
      aria-labelledby={titleId}
      data-testid="search-panel"
      onKeyDown={(e) => {
        if (e.key !== "Escape" || e.defaultPrevented) return;
        e.preventDefault();
        e.nativeEvent.stopPropagation();
        onClose(true);
      }}
    >
      <div className="search-head">
        <h2 id={titleId}>Search</h2>
        <button
          type="button"
          className="icon-button"
          aria-label="Close search"
          onClick={() => onClose(true)}
        >
          <CloseIcon />
        </button>
      </div>
      <search>
        <form
          className="search-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div className="search-box">
            <SearchIcon />
            <input
              ref={input}
              type="text"
              className="search-input"
              role="combobox"
              aria-label="Search messages"
              aria-autocomplete="list"
              aria-expanded={listOpen}
              aria-controls={listId}
              aria-describedby={statusId}
              {...(listOpen ? { "aria-activedescendant": optionId(index) } : {})}
              placeholder="Search messages"
              autoComplete="off"
              spellCheck={false}
              enterKeyHint="search"
              maxLength={LIMITS.searchQueryMax}
              value={text}
              onChange={(e) =>
                change(
                  e.currentTarget.value,
                  e.currentTarget.selectionEnd ?? e.currentTarget.value.length,
                )
              }
              onSelect={(e) => setCaret(e.currentTarget.selectionEnd ?? text.length)}
              onKeyDown={onInputKey}
            />
            {listOpen && (
              <SuggestionList
                id={listId}
                className="suggestions search-suggestions"
                label={at?.kind === "channel" ? "Channels" : "People"}
                options={suggestions}
                index={index}
                onChoose={choose}
              />
            )}
          </div>
          <div className="search-tools">
            <button
              ref={filters}
              type="button"
              className="button button-ghost search-filters"
              aria-haspopup="menu"
              aria-expanded={menu !== undefined}
              onClick={(e) => {
                const r = e.currentTarget.getBoundingClientRect();
                setMenu({ x: r.left, y: r.bottom + 4 });
              }}
            >
              Filters
            </button>
            <button type="submit" className="button button-primary search-submit">
              Search
            </button>
          </div>
        </form>
      </search>
      {menu && (
        <ContextMenu
          label="Add a filter"
          at={menu}
          entries={SEARCH_FILTERS.map((f) => ({
            label: f.label,
            run: () => {
              const next = insertFilter(text, caret, f, Date.now());
              setText(next.text);
              setSelect(next.select);
            },
          }))}
          onClose={(returnFocus) => {
            setMenu(undefined);
            if (returnFocus) filters.current?.focus();
          }}
        />
      )}
      <div className="search-body">
        <p className="search-status" id={statusId} role="status">
          {status}
        </p>
        {results.phase === "idle" && (
          <div className="search-help">
            <p>
              Type words and press Enter. Narrow it down with <code>from:@name</code>,{" "}
              <code>in:#channel</code>, <code>mentions:@me</code>, <code>has:link</code>,{" "}
              <code>is:pinned</code> or <code>before:</code>, <code>after:</code>, <code>on:</code>{" "}
              a day (<code>2025-01-31</code>); <code>"exact phrase"</code>, <code>pre*</code> and{" "}
              <code>-without</code>.
            </p>
          </div>
        )}
        {results.phase === "ready" && results.hits.length === 0 && (
          <div className="search-empty" data-testid="search-empty">
            <p className="search-empty-title">No messages match “{results.query}”.</p>
            <p>
              Check the spelling, try fewer words or filters, or search for the start of a word with
              *.
            </p>
          </div>
        )}
        {results.hits.length > 0 && (
          <ul
            ref={list}
            className="search-results"
            aria-label={`Results for ${results.query}`}
            data-testid="search-results"
            onKeyDown={onListKey}
          >
            {results.hits.map((hit, k) => {
              const summary = state.channels[hit.c]?.summary;
              return (
                <li key={hit.m}>
                  <button
                    type="button"
                    className="search-hit"
                    data-testid="search-hit"
                    tabIndex={k === Math.min(active, results.hits.length - 1) ? 0 : -1}
                    onFocus={() => setActive(k)}
                    onClick={() => openHit(hit, k)}
                  >
                    <span className="search-hit-head">
                      <span className="search-hit-channel">
                        {summary ? addressOf(summary) : "A channel you left"}
                      </span>
                      <span className="search-hit-author">{hit.an}</span>
                      <time
                        className="time"
                        dateTime={new Date(hit.ts).toISOString()}
                        title={formatFull(hit.ts)}
                      >
                        {formatWhen(hit.ts, nowShown)}
                      </time>
                    </span>
                    <span className="search-hit-text">
                      <Snippet hit={hit} />
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {results.error && (
          <div className="search-error" role="alert">
            {results.error.text}
            {retryAt !== undefined &&
              (retryAt > now
                ? ` Try again in ${formatCountdown(retryAt - now)}.`
                : " Try again now.")}
          </div>
        )}
        {results.next !== undefined && results.phase !== "loading" && (
          <button
            type="button"
            className="button search-more"
            disabled={!canLoadMore(results)}
            onClick={() => run(results.query, results.next)}
          >
            {results.phase === "more" ? "Loading…" : "Load more"}
          </button>
        )}
      </div>
    </section>
  );
}
