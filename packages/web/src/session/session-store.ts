/** The minimal Storage API used here, so Node tests can pass a Map-backed fake. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const TOKEN_KEY = "parley.session";
const CHANNEL_KEY = "parley.channel";

/**
 * Where the session token lives between page loads (localStorage), so a reload signs the same
 * user back in, and which channel was open last.
 */
export class SessionStore {
  constructor(private readonly storage: KeyValueStore) {}

  get token(): string | undefined {
    return this.read(TOKEN_KEY) ?? undefined;
  }

  set token(value: string | undefined) {
    this.write(TOKEN_KEY, value);
  }

  get lastChannel(): number | undefined {
    const raw = Number(this.read(CHANNEL_KEY));
    return Number.isInteger(raw) && raw > 0 ? raw : undefined;
  }

  set lastChannel(value: number | undefined) {
    this.write(CHANNEL_KEY, value === undefined ? undefined : String(value));
  }

  clear(): void {
    this.write(TOKEN_KEY, undefined);
    this.write(CHANNEL_KEY, undefined);
  }

  private read(key: string): string | null {
    try {
      return this.storage.getItem(key);
    } catch {
      return null; // Storage disabled (private mode, policy): the session lasts for the tab.
    }
  }

  private write(key: string, value: string | undefined): void {
    try {
      if (value === undefined) this.storage.removeItem(key);
      else this.storage.setItem(key, value);
    } catch {
      // See read().
    }
  }
}
