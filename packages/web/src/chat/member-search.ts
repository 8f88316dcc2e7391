import { LIMITS, type Member, type MemberListReply, nameKey } from "@parley/protocol";

/** How long typing must pause before a prefix is asked for (ms). */
export const MEMBER_SEARCH_DELAY_MS = 150;

/**
 * A typed prefix as the server compares names (case-insensitively, `nameKey`); undefined when
 * there is nothing to ask for (nothing typed, or longer than any name).
 */
export function searchKey(prefix: string): string | undefined {
  const key = nameKey(prefix);
  return key && [...key].length <= LIMITS.usernameMax ? key : undefined;
}

/**
 * Finds members of a big channel by the start of their name, for `@` completion: asks the
 * server (`ask`, a MemberList by prefix) for what is typed once typing pauses, with at most one
 * request in flight (the latest prefix is asked once the one in flight is answered). Answers
 * are kept by prefix while the completion stays open; one that listed every match (no `mm`)
 * also answers every longer prefix, which is then not asked. {@link found} offers only what
 * answers for the prefix typed (or a shorter one) found: an answer that comes after the
 * typing moved elsewhere is kept, never shown for another prefix. `changed` is called when an
 * answer arrives.
 */
export class MemberSearch {
  /** The key of the prefix typed now. */
  private wanted: string | undefined;
  /** The key of the prefix asked for, while its answer has not come. */
  private inFlight: string | undefined;
  /** A prefix whose read failed: not asked again until the typing changes. */
  private failed: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly answers = new Map<string, MemberListReply>();
  private disposed = false;

  constructor(
    private readonly ask: (prefix: string) => Promise<MemberListReply>,
    private readonly changed: () => void,
    private readonly delayMs = MEMBER_SEARCH_DELAY_MS,
  ) {}

  /**
   * What is typed after `@` now; undefined when no name is being completed (the answers kept
   * so far are dropped: the next completion asks afresh).
   */
  query(prefix: string | undefined): void {
    if (this.disposed) return;
    const key = prefix === undefined ? undefined : searchKey(prefix);
    if (prefix === undefined) this.answers.clear();
    if (key === this.wanted) return;
    this.wanted = key;
    this.failed = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (key === undefined || this.covered(key)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.next();
    }, this.delayMs);
  }

  /** The members the answers found whose name starts with `prefix` (as the server compares). */
  found(prefix: string): Member[] {
    const key = searchKey(prefix);
    if (key === undefined) return [];
    const byId = new Map<number, Member>();
    for (const [asked, reply] of this.answers) {
      if (!key.startsWith(asked)) continue;
      for (const m of reply.m) if (nameKey(m.n).startsWith(key)) byId.set(m.i, m);
    }
    return [...byId.values()];
  }

  /** Whether a request is in flight (for tests and a busy hint). */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether an answer already lists every member whose name starts with `key`. */
  private covered(key: string): boolean {
    for (const [asked, reply] of this.answers) if (!reply.mm && key.startsWith(asked)) return true;
    return false;
  }

  /** Asks for the prefix typed now, unless a request is in flight (its end asks then). */
  private next(): void {
    const key = this.wanted;
    if (this.inFlight !== undefined || key === undefined) return;
    if (key === this.failed || this.answers.has(key) || this.covered(key)) return;
    this.inFlight = key;
    this.ask(key).then(
      (reply) => {
        if (this.disposed) return;
        this.inFlight = undefined;
        // The completion may have closed meanwhile: then the answer is no longer wanted.
        if (this.wanted !== undefined) this.answers.set(key, reply);
        if (this.timer === undefined) this.next();
        this.changed();
      },
      () => {
        if (this.disposed) return;
        this.inFlight = undefined;
        if (this.wanted === key) this.failed = key;
        if (this.timer === undefined) this.next();
      },
    );
  }
}
