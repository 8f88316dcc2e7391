import { afterEach, beforeEach } from "vitest";
import type { AccountStore, NewUser } from "./account-store";
import type { Actor, Storage, UserRow } from "./storage";

/** Opens a fresh, empty, migrated storage. */
export type Open = () => Promise<Storage>;

/** What every contract case starts from: a fresh storage with an account and a guest. */
export interface StorageFixture {
  storage: Storage;
  /** An account. */
  alice: Actor;
  /** A guest. */
  bob: Actor;
}

/**
 * Opens a fresh storage before each case of the enclosing `describe`, with alice (an account)
 * and bob (a guest), and closes it after. Read its fields inside the case.
 */
export function storageFixture(open: Open): StorageFixture {
  const fx = {} as StorageFixture;
  beforeEach(async () => {
    fx.storage = await open();
    const a = await createUser(fx.storage, {
      username: "alice",
      passwordHash: "h",
      isGuest: false,
    });
    const b = await createUser(fx.storage, { username: "bob", passwordHash: null, isGuest: true });
    fx.alice = { id: a.id, name: a.username };
    fx.bob = { id: b.id, name: b.username };
  });
  afterEach(() => fx.storage.close());
  return fx;
}

/** Creates a user as sign-up does (with a first session, whose token hash names the user). */
export async function createUser(storage: AccountStore, input: NewUser): Promise<UserRow> {
  return (await storage.createUserWithSession(input, `seed-${input.username}`)).user;
}
