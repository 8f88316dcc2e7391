import {
  findMentionTokens,
  GROUP_MENTIONS,
  type MentionGroup,
  type UserRef,
} from "@parley/protocol";
import type { Element, ElementContent, Root, RootContent } from "hast";
import type { Options } from "react-markdown";
import remarkGfm from "remark-gfm";
import { displayName, handleOf, type PersonOf } from "./people";

/**
 * Parley's Markdown: the one parser configuration for message text. The web client renders it
 * with react-markdown (`ui/message-text.tsx`); any other renderer (a server-side preview, a
 * notification) builds from these same options, so a message means the same everywhere.
 *
 * What chat needs and nothing more: **bold**, *italic*, ~~strikethrough~~, `code`, fenced code
 * blocks, > quotes, lists, [links](https://…), <https://…> and bare URL / www / e-mail
 * autolinks. Everything else in the source stays the text that was typed:
 * - raw HTML is never parsed, so `<b>` or `<script>` shows as those characters;
 * - headings (`# x`, `x\n===`), thematic breaks (`---`) and indented code are off: a chat
 *   line that starts with `#`, a row of dashes or four spaces means what it says;
 * - tables, footnotes and task lists (the rest of GFM) are off: footnotes would need ids that
 *   are unique on a page full of messages, and tables do not fit a phone;
 * - single tildes do not strike through (`~5 min` stays text), double ones do.
 * Images are parsed, but never loaded: an image shows as a link to its address (its alt text,
 * or the address), under the same link rules, so a message cannot make a reader's browser
 * fetch anything.
 */

/** Parser constructs (micromark names) chat leaves as text. */
const DISABLED_CONSTRUCTS = [
  "headingAtx",
  "setextUnderline",
  "thematicBreak",
  "codeIndented",
  "htmlFlow",
  "htmlText",
  "table",
  "gfmFootnoteDefinition",
  "gfmFootnoteCall",
  "gfmPotentialFootnoteCall",
  "tasklistCheck",
];

/** A remark plugin that switches the constructs above off in the parser. */
function chatSyntax(this: { data(): object }): undefined {
  const data = this.data() as { micromarkExtensions?: unknown[] };
  data.micromarkExtensions ??= [];
  data.micromarkExtensions.push({ disable: { null: DISABLED_CONSTRUCTS } });
}

/**
 * A one-paragraph message (most of them) renders as inline content without a `<p>`, so it
 * sits inside a line (a `/me` action, a quote in a notice) as plain text did.
 */
function unwrapSingleParagraph() {
  return (tree: Root) => {
    const blocks = tree.children.filter((c) => !(c.type === "text" && !c.value.trim()));
    const only = blocks[0];
    if (blocks.length === 1 && only?.type === "element" && only.tagName === "p")
      tree.children = only.children as ElementContent[];
  };
}

/** Every element the renderer may produce; anything else is unwrapped to its content. */
export const MARKDOWN_ELEMENTS = [
  "p",
  "br",
  "strong",
  "em",
  "del",
  "code",
  "pre",
  "blockquote",
  "ul",
  "ol",
  "li",
  "a",
  "img",
  // Mention pills only: raw HTML is never parsed, so nothing else makes a span.
  "span",
] as const;

/**
 * The address a link or image may point to, or undefined: only http(s) with a host, and
 * mailto with an address. `javascript:`, `data:`, relative paths and everything else are
 * refused, and the renderer shows their text without a link.
 */
export function safeUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol === "http:" || parsed.protocol === "https:")
    return parsed.hostname ? parsed.href : undefined;
  if (parsed.protocol === "mailto:") return parsed.pathname.includes("@") ? parsed.href : undefined;
  return undefined;
}

/** The react-markdown options (all but the components) every renderer of messages uses. */
export const markdownOptions = {
  remarkPlugins: [[remarkGfm, { singleTilde: false }], chatSyntax],
  rehypePlugins: [unwrapSingleParagraph],
  allowedElements: MARKDOWN_ELEMENTS,
  unwrapDisallowed: true,
  // Raw HTML is not parsed at all (htmlFlow/htmlText are off); should any reach the tree, it
  // stays text (react-markdown's default).
  skipHtml: false,
  urlTransform: (url: string) => safeUrl(url) ?? "",
} satisfies Omit<Options, "children" | "components">;

/** How a resolved `@name` shows: the reader's own name, another member, or a group mention. */
export type MentionKind = "me" | "user" | "group";

/**
 * A resolved `@name` of a message: its kind, and for a person who chose a display name, that
 * name (the pill's text, as the rest of the client shows them) and their `@username` (its
 * title): the text of the message still says `@username`.
 */
export interface Mention {
  kind: MentionKind;
  shown?: { name: string; handle: string };
}

/**
 * The `@names` of a message that show as pills, keyed by lower-cased name: the users in its
 * `mn` whose names the client knows (the channel's members, by id, and the reader's own),
 * each with their display name as `person` (`personOf`) shows them, and the group names when
 * the server made a group mention (`mg`). Anything else the message says after an `@` is plain
 * text, as the server saw it.
 */
export function shownMentions(
  message: { mn?: readonly number[]; mg?: MentionGroup },
  names: ReadonlyMap<number, string>,
  me: Pick<UserRef, "i" | "n" | "dn">,
  person?: PersonOf,
): ReadonlyMap<string, Mention> {
  const mentions = new Map<string, Mention>();
  for (const id of message.mn ?? []) {
    const mine = id === me.i;
    const name = mine ? me.n : names.get(id);
    if (!name) continue;
    const user = mine ? me : person?.(id, name);
    const handle = user && user.n === name ? handleOf(user) : undefined;
    mentions.set(name.toLowerCase(), {
      kind: mine ? "me" : "user",
      ...(user && handle ? { shown: { name: displayName(user), handle } } : {}),
    });
  }
  if (message.mg)
    for (const group of Object.keys(GROUP_MENTIONS)) mentions.set(group, { kind: "group" });
  return mentions;
}

/** Elements whose text is never a mention: code, and links (their text is the address). */
const NO_MENTIONS = new Set(["code", "pre", "a"]);

/**
 * A rehype plugin that turns the resolved `@name` tokens of text nodes (the protocol's
 * tokenizer, outside code) into `<span class="mention">` pills, `mention-me` for the reader's
 * own name, built as hast elements whose only child is text: the token, or `@` and the
 * person's display name with their `@username` as the title.
 */
export function mentionPills(mentions: ReadonlyMap<string, Mention>) {
  return (tree: Root) => {
    if (mentions.size === 0) return;
    const visit = (node: Root | Element) => {
      const children: RootContent[] = [];
      for (const child of node.children) {
        if (child.type === "element") {
          if (!NO_MENTIONS.has(child.tagName)) visit(child);
          children.push(child);
        } else if (child.type === "text") children.push(...split(child.value, mentions));
        else children.push(child);
      }
      node.children = children as ElementContent[];
    };
    visit(tree);
  };
}

/** A text node's value as text and pill nodes. */
function split(value: string, mentions: ReadonlyMap<string, Mention>): ElementContent[] {
  const out: ElementContent[] = [];
  let at = 0;
  for (const token of findMentionTokens(value)) {
    const mention = mentions.get(token.name);
    if (!mention) continue;
    if (token.index > at) out.push({ type: "text", value: value.slice(at, token.index) });
    const typed = value.slice(token.index, token.index + token.length);
    out.push({
      type: "element",
      tagName: "span",
      properties: {
        className: mention.kind === "me" ? ["mention", "mention-me"] : ["mention"],
        ...(mention.shown ? { title: mention.shown.handle } : {}),
      },
      children: [{ type: "text", value: mention.shown ? `@${mention.shown.name}` : typed }],
    });
    at = token.index + token.length;
  }
  if (at === 0) return [{ type: "text", value }];
  if (at < value.length) out.push({ type: "text", value: value.slice(at) });
  return out;
}
