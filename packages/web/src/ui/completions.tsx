import type { Member, MemberListReply } from "@parley/protocol";
import {
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  useEffect,
  useId,
  useReducer,
  useRef,
  useState,
} from "react";
import { applyCompletion, completionAt, matchGroups, matchMembers } from "../chat/completions";
import { type EmojiData, loadEmoji, readTone, searchEmoji, withTone } from "../chat/emoji";
import { mergeMembers } from "../chat/member-pages";
import { MemberSearch } from "../chat/member-search";

/** Rows in the list at most. */
const LIST_MAX = 8;

interface Option {
  key: string;
  insert: string;
  content: ReactNode;
}

export interface Completion {
  /** A list is showing. */
  open: boolean;
  listId: string;
  /** The highlighted option's id, for the input's aria-activedescendant. */
  activeId: string | undefined;
  /** The listbox to render above the input (null when closed). */
  listbox: ReactNode;
  /** Handles arrows, Enter, Tab and Escape while the list shows; true when it took the key. */
  onKeyDown: (e: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** The caret moved: the token at it may be another. */
  onSelect: () => void;
}

/**
 * `:shortcode` and `@name` completion for a textarea, as a combobox: the input keeps focus,
 * the options are a listbox it controls, and the highlighted one is its active descendant.
 * The emoji data is loaded when the first shortcode is typed. `apply` sets the new text and
 * caret. With `groups`, `@here` and `@channel` are offered after the members. With `search`
 * (the members are some of the channel's only), what is typed after `@` is also looked up
 * on the server once typing pauses, and the members found are offered with those known.
 */
export function useCompletion({
  text,
  input,
  members,
  search,
  groups = false,
  suspended,
  apply,
}: {
  text: string;
  input: RefObject<HTMLTextAreaElement | null>;
  members: readonly Member[];
  /** Finds the channel's members whose name starts with a prefix (a MemberList search). */
  search?: (prefix: string) => Promise<MemberListReply>;
  /** The user may make group mentions (`mentionChannel`). */
  groups?: boolean;
  /** Another list (commands) is showing. */
  suspended: boolean;
  apply: (text: string, caret: number) => void;
}): Completion {
  const listId = useId();
  const [, caretMoved] = useReducer((n: number) => n + 1, 0);
  const [highlight, setHighlight] = useState(0);
  const [dismissed, setDismissed] = useState<string>();
  const [emoji, setEmoji] = useState<EmojiData>();

  // Read at render: after a change or a select event the textarea's caret is current.
  const caret = input.current?.selectionEnd ?? text.length;
  const at = suspended ? undefined : completionAt(text, caret);
  const token = at && `${at.start}:${at.kind}:${at.query}`;
  const wantsEmoji = at?.kind === "emoji" && !emoji;

  useEffect(() => {
    if (!wantsEmoji) return;
    let live = true;
    loadEmoji().then(
      (d) => live && setEmoji(d),
      () => undefined, // No list then; typing on tries again.
    );
    return () => {
      live = false;
    };
  }, [wantsEmoji]);

  // Names typed after `@` are looked up while the list is partial; answers re-render.
  const [, answered] = useReducer((n: number) => n + 1, 0);
  const searchFn = useRef(search);
  searchFn.current = search;
  const finder = useRef<MemberSearch | undefined>(undefined);
  useEffect(() => {
    const f = new MemberSearch((prefix) => {
      const ask = searchFn.current;
      return ask ? ask(prefix) : Promise.resolve({ m: [] });
    }, answered);
    finder.current = f;
    return () => {
      f.dispose();
      finder.current = undefined;
    };
  }, []);
  const searched = search && at?.kind === "member" && token !== dismissed ? at.query : undefined;
  useEffect(() => finder.current?.query(searched), [searched]);

  // A new token starts at the top of its list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the token changes
  useEffect(() => setHighlight(0), [token]);

  let options: Option[] = [];
  if (at && token !== dismissed) {
    if (at.kind === "member") {
      const offered = groups ? matchGroups(at.query) : [];
      const found = search ? (finder.current?.found(at.query) ?? []) : [];
      const candidates = found.length > 0 ? mergeMembers(members, found) : members;
      options = matchMembers(candidates, at.query, LIST_MAX - offered.length).map((m) => ({
        key: `m${m.i}`,
        insert: `@${m.n} `,
        content: (
          <>
            <span className={`presence ${m.on ? "on" : "off"}`} aria-hidden="true" />
            <span className="suggestion-usage">{m.n}</span>
            <span className="suggestion-desc">{m.on ? "online" : "offline"}</span>
          </>
        ),
      }));
      for (const g of offered)
        options.push({
          key: `g${g.n}`,
          insert: `@${g.n} `,
          content: (
            <>
              <span className="suggestion-usage">@{g.n}</span>
              <span className="suggestion-desc">{g.d}</span>
            </>
          ),
        });
    } else if (emoji) {
      const tone = readTone(localStorage);
      options = searchEmoji(emoji.list, at.query, LIST_MAX).map((e) => {
        const text = withTone(e, tone);
        const code = e.s.find((s) => s.startsWith(at.query.toLowerCase())) ?? e.s[0];
        return {
          key: `e${e.e}`,
          insert: text,
          content: (
            <>
              <span className="suggestion-emoji" aria-hidden="true">
                {text}
              </span>
              <span className="suggestion-usage">{code ? `:${code}:` : e.n}</span>
              <span className="suggestion-desc">{e.n}</span>
            </>
          ),
        };
      });
    }
  }
  const open = options.length > 0;
  const index = Math.min(highlight, options.length - 1);
  const optionId = (k: number) => suggestionId(listId, k);

  const choose = (option: Option) => {
    if (!at) return;
    const next = applyCompletion(text, caret, at, option.insert);
    apply(next.text, next.caret);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!open) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const step = e.key === "ArrowDown" ? 1 : -1;
      setHighlight((index + step + options.length) % options.length);
    } else if (e.key === "Tab" || (e.key === "Enter" && !e.shiftKey)) {
      const option = options[index];
      // A name typed in full is done: Enter then sends, as it does without a list.
      const typed = at && text.slice(at.start, caret);
      if (e.key === "Enter" && option?.insert.trim() === typed) return false;
      if (option) choose(option);
    } else if (e.key === "Escape") {
      setDismissed(token);
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  };

  const listbox = open ? (
    <SuggestionList
      id={listId}
      className="suggestions"
      label={at?.kind === "member" ? "Members" : "Emoji"}
      options={options}
      index={index}
      onChoose={choose}
    />
  ) : null;

  return {
    open,
    listId,
    activeId: open ? optionId(index) : undefined,
    listbox,
    onKeyDown,
    onSelect: caretMoved,
  };
}

/** The id of a suggestion list's option `k`, for its input's aria-activedescendant. */
export function suggestionId(listId: string, k: number): string {
  return `${listId}-${k}`;
}

/**
 * The listbox of suggestions an input (a combobox) controls: option `index` is highlighted;
 * a pointer down chooses one without taking focus from the input.
 */
export function SuggestionList<O extends { key: string; content: ReactNode }>({
  id,
  className,
  label,
  options,
  index,
  onChoose,
}: {
  id: string;
  className: string;
  label: string;
  options: readonly O[];
  index: number;
  onChoose: (option: O) => void;
}) {
  return (
    <div className={className} id={id} role="listbox" aria-label={label}>
      {options.map((o, k) => (
        <div
          key={o.key}
          id={suggestionId(id, k)}
          role="option"
          tabIndex={-1}
          aria-selected={k === index}
          className={k === index ? "suggestion active" : "suggestion"}
          onPointerDown={(e) => {
            e.preventDefault();
            onChoose(o);
          }}
        >
          {o.content}
        </div>
      ))}
    </div>
  );
}
