import { mentionTokens, type ServerSettings } from "@parley/protocol";
import {
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  toAsciiLowerCaseTransformer,
} from "obscenity";
import type { ServerTopic } from "../broker/server-topic";
import { ParleyError } from "../errors";
import { linksOf } from "../link-previews/links";
import type { ModerationStore } from "../storage/moderation-store";

/**
 * Text as the word filter reads it: NFKC (fullwidth and styled letters to plain ones), without
 * invisible format characters (zero-width spaces and joiners, soft hyphens), and punctuation as
 * spaces (but `@` and `$`, leetspeak for a and s).
 */
export function filterText(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/\p{Cf}/gu, "")
    .replace(/[^\p{L}\p{N}\p{M}@$]+/gu, " ")
    .trim();
}

/** obscenity's tables of look-alike characters and leetspeak, and ASCII lower case. */
const FOLDS = [
  resolveConfusablesTransformer(),
  resolveLeetSpeakTransformer(),
  toAsciiLowerCaseTransformer(),
];

/**
 * {@link filterText}, then every character folded (a look-alike to the letter it imitates,
 * leetspeak to letters, lower case) and repeated characters collapsed to one (`scaaam`:
 * `scam`): the text and the entries are compared in this form.
 */
export function foldText(text: string): string {
  let out = "";
  let last = -1;
  for (const char of filterText(text).toLowerCase()) {
    let code: number | undefined = char.codePointAt(0)!;
    for (const fold of FOLDS) {
      code = fold.transform(code);
      if (code === undefined) break;
    }
    if (code === undefined || code === last) continue;
    out += String.fromCodePoint(code);
    last = code;
  }
  return out;
}

/** A blocked entry, folded: its words, and whether the last one is a prefix (`crypto*`). */
interface Entry {
  source: string;
  words: string[];
  prefix: boolean;
}

/**
 * The blocked words of auto-moderation, compared after {@link foldText} (so through
 * look-alike characters such as Cyrillic `с`, leetspeak such as `5c4m`, any case and repeated
 * letters): as whole words of the text, phrases as consecutive words, an entry ending in `*`
 * as the start of a word; and anywhere in a run of letters spaced out (`a s c a m`), where the
 * spacing hides the word's edges. A message is read once, word by word, whatever the number of
 * entries (those indexed by their first word).
 */
export class WordFilter {
  /** Entries by their first word (a prefix entry of one word is in `prefixes`). */
  private readonly byFirst = new Map<string, Entry[]>();
  private readonly prefixes: Entry[] = [];
  private readonly all: Entry[] = [];

  constructor(entries: readonly string[]) {
    for (const source of entries) {
      const prefix = source.endsWith("*");
      const words = foldText(source.replace(/\*$/, "")).split(" ").filter(Boolean);
      if (words.length === 0) continue;
      const entry = { source, words, prefix };
      this.all.push(entry);
      if (prefix && words.length === 1) this.prefixes.push(entry);
      else {
        const list = this.byFirst.get(words[0]!) ?? [];
        list.push(entry);
        this.byFirst.set(words[0]!, list);
      }
    }
  }

  /** The first entry the text holds, or undefined. */
  match(text: string): string | undefined {
    if (this.all.length === 0) return undefined;
    const tokens = foldText(text).split(" ");
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      for (const entry of this.byFirst.get(token) ?? [])
        if (this.matchesAt(entry, tokens, i)) return entry.source;
      for (const entry of this.prefixes) if (token.startsWith(entry.words[0]!)) return entry.source;
    }
    // Runs of three or more single characters, joined: an entry anywhere inside one.
    let run = "";
    for (const token of [...tokens, ""]) {
      if (token.length === 1) {
        run += token;
        continue;
      }
      if (run.length >= 3)
        for (const entry of this.all) if (run.includes(entry.words.join(""))) return entry.source;
      run = "";
    }
    return undefined;
  }

  private matchesAt(entry: Entry, tokens: readonly string[], at: number): boolean {
    const { words, prefix } = entry;
    if (at + words.length > tokens.length) return false;
    for (let k = 1; k < words.length; k++) {
      const token = tokens[at + k]!;
      const last = k === words.length - 1;
      if (last && prefix ? !token.startsWith(words[k]!) : token !== words[k]) return false;
    }
    return true;
  }
}

/** Who wrote a message, as auto-moderation weighs it. */
export interface AutoModAuthor {
  isGuest: boolean;
  /** The account's creation, epoch ms. */
  createdAt?: number;
}

/** How long a node keeps a channel's words before reading them again. */
const CHANNEL_WORDS_MS = 30_000;

/** The most entries of a channel's own words, blocked and held together. */
export const CHANNEL_BLOCKED_WORDS_MAX = 200;

/** What auto-moderation makes of a message it lets through: posted, or held for review. */
export type AutoModVerdict = { held: string } | undefined;

/** A word filter kept for as long as the list it was made from is the one in force. */
class CachedFilter {
  private filter = new WordFilter([]);
  private words: readonly string[] = [];

  of(words: readonly string[]): WordFilter {
    // The settings hand out the same array until they change: no per-message comparison.
    if (words !== this.words) {
      this.filter = new WordFilter(words);
      this.words = words;
    }
    return this.filter;
  }
}

/**
 * The server's auto-moderation of what members write (sends, `/me`, edits): blocked words, the
 * server's and the channel's own (MESSAGE_BLOCKED), links from guests and new accounts
 * (LINKS_NOT_ALLOWED) and mention spam (TOO_MANY_MENTIONS), as the live settings say; and
 * words that hold a message for review instead (the server's and the channel's), which a
 * send learns as a verdict (an edit cannot be held: it is refused as MESSAGE_BLOCKED). A
 * blocked word wins over a held one. The channel's moderators, owner and admins are exempt.
 * Checked before anything is stored, so a refused message leaves nothing. A channel's words
 * are kept per node for 30 s at most: a change is announced on the server topic, and every
 * node drops its copy at once.
 */
export class AutoModeration {
  private readonly blocked = new CachedFilter();
  private readonly held = new CachedFilter();
  private readonly channels = new Map<
    number,
    { blocked: WordFilter; held: WordFilter; at: number }
  >();
  /** Counts drops, so that a read a drop overtook is not cached. */
  private drops = 0;

  constructor(
    private readonly settings: () => Pick<
      ServerSettings,
      "blockedWords" | "heldWords" | "linkMinAccountHours" | "maxMentions"
    >,
    private readonly store: Pick<ModerationStore, "channelWords">,
    private readonly server?: ServerTopic,
    private readonly now: () => number = Date.now,
  ) {}

  /** Follows changes of channels' words made on any node. */
  async start(): Promise<void> {
    await this.server?.listen((m) => {
      if (m.k === "automod") this.drop(m.c);
    });
  }

  /** A channel's words changed here: every node (this one included) reads them again. */
  channelChanged(channelId: number): void {
    this.drop(channelId);
    this.server?.publish({ k: "automod", c: channelId });
  }

  /**
   * Throws the refusal of a message, or resolves to its verdict: `{ held }` (the entry that
   * holds it) when it is to wait for review; an edit (`edit`) is refused instead.
   */
  async check(
    author: AutoModAuthor,
    channelId: number,
    content: string,
    exempt: boolean,
    edit = false,
  ): Promise<AutoModVerdict> {
    if (exempt || content === "") return undefined;
    const { blockedWords, heldWords, linkMinAccountHours, maxMentions } = this.settings();
    if (this.blocked.of(blockedWords).match(content) !== undefined)
      throw new ParleyError("MESSAGE_BLOCKED");
    const own = await this.channelFilters(channelId);
    if (own.blocked.match(content) !== undefined)
      throw new ParleyError(
        "MESSAGE_BLOCKED",
        "This message holds a word this channel does not allow",
      );
    if (linkMinAccountHours > 0) {
      const young =
        author.isGuest ||
        author.createdAt === undefined ||
        this.now() - author.createdAt < linkMinAccountHours * 3_600_000;
      if (young && linksOf(content, 1).length > 0)
        throw new ParleyError(
          "LINKS_NOT_ALLOWED",
          `Guests and accounts younger than ${linkMinAccountHours} h cannot post links`,
        );
    }
    if (maxMentions > 0) {
      const names = new Set(mentionTokens(content).map((n) => n.toLowerCase()));
      if (names.size > maxMentions)
        throw new ParleyError(
          "TOO_MANY_MENTIONS",
          `A message may mention at most ${maxMentions} people`,
        );
    }
    const held = this.held.of(heldWords).match(content) ?? own.held.match(content);
    if (held === undefined) return undefined;
    if (edit)
      throw new ParleyError(
        "MESSAGE_BLOCKED",
        "This edit holds a word that needs a moderator's review: send it as a new message",
      );
    return { held };
  }

  private async channelFilters(channelId: number) {
    const cached = this.channels.get(channelId);
    if (cached && this.now() - cached.at < CHANNEL_WORDS_MS) return cached;
    const at = this.now();
    const drops = this.drops;
    const words = await this.store.channelWords(channelId);
    const filters = {
      blocked: new WordFilter(words.blocked),
      held: new WordFilter(words.held),
      at,
    };
    if (drops === this.drops) this.channels.set(channelId, filters);
    return filters;
  }

  private drop(channelId: number): void {
    this.drops++;
    this.channels.delete(channelId);
  }
}
