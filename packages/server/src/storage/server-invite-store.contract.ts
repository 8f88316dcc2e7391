import { describe, expect, it } from "vitest";
import { createUser, type Open, storageFixture } from "./contract-fixture";

/** The {@link ServerInviteStore} contract, with the account store's use of invites. */
export function serverInviteStoreContract(name: string, open: Open) {
  describe(`${name} › ServerInviteStore contract`, () => {
    const fx = storageFixture(open);
    const make = (
      codeHash: string,
      input: { expiresAt?: number | null; maxUses?: number | null; note?: string | null } = {},
    ) =>
      fx.storage.createServerInvite(
        {
          codeHash,
          expiresAt: input.expiresAt ?? null,
          maxUses: input.maxUses ?? null,
          note: input.note ?? null,
        },
        { actor: fx.alice, action: "invitecreate", before: null, after: {} },
      );
    const revoke = (id: number) =>
      fx.storage.revokeServerInvite(id, {
        actor: fx.alice,
        action: "inviterevoke",
        before: { revoked: false },
        after: { revoked: true },
      });
    const usesOf = async (id: number) =>
      (await fx.storage.serverInvites({ live: false, limit: 100 })).find((i) => i.id === id)?.uses;
    const signUp = (username: string, inviteHash: string) =>
      createUser(fx.storage, { username, passwordHash: "h", isGuest: false, inviteHash });

    it("takes one use per account made with an invite, and makes no account with one used up, expired, revoked or unknown", async () => {
      const { storage } = fx;
      const two = await make("two", { maxUses: 2, note: "for the twins" });
      expect(two).toMatchObject({
        createdBy: fx.alice,
        maxUses: 2,
        uses: 0,
        revokedAt: null,
        note: "for the twins",
      });
      await signUp("ann", "two");
      await signUp("ben", "two");
      expect(await usesOf(two.id)).toBe(2);
      const expired = await make("old", { expiresAt: Date.now() - 1 });
      const revoked = await make("gone");
      await revoke(revoked.id);
      for (const [username, hash] of [
        ["cid", "two"],
        ["dee", "old"],
        ["eve", "gone"],
        ["fay", "never-made"],
      ] as const) {
        await expect(signUp(username, hash)).rejects.toMatchObject({
          errorName: "INVITE_INVALID",
        });
        expect(await storage.findUserByName(username)).toBeUndefined();
      }
      expect(await usesOf(expired.id)).toBe(0);
      expect(await usesOf(revoked.id)).toBe(0);
      // Without an invite the account store makes the account (whether one is needed is the
      // service's rule).
      await expect(
        createUser(storage, { username: "gil", passwordHash: "h", isGuest: false }),
      ).resolves.toMatchObject({ username: "gil" });
    });

    it("uses nothing when the account is refused, and takes a use for a guest's upgrade only", async () => {
      const { storage, bob } = fx;
      const one = await make("one", { maxUses: 1 });
      await expect(signUp("alice", "one")).rejects.toMatchObject({ errorName: "USERNAME_TAKEN" });
      expect(await usesOf(one.id)).toBe(0);
      const upgraded = await storage.upgradeGuest(bob.id, "h2", "robert", "one");
      expect(upgraded).toMatchObject({ id: bob.id, username: "robert", isGuest: false });
      expect(await usesOf(one.id)).toBe(1);
      // Not a guest any more: refused, and a second invite keeps its use.
      const other = await make("other");
      await expect(storage.upgradeGuest(bob.id, "h3", undefined, "other")).rejects.toMatchObject({
        errorName: "NOT_A_GUEST",
      });
      expect(await usesOf(other.id)).toBe(0);
      // The used-up invite no longer upgrades anyone.
      const guest = await createUser(storage, {
        username: "guest-x",
        passwordHash: null,
        isGuest: true,
      });
      await expect(storage.upgradeGuest(guest.id, "h4", undefined, "one")).rejects.toMatchObject({
        errorName: "INVITE_INVALID",
      });
      expect((await storage.getUser(guest.id))?.isGuest).toBe(true);
    });

    it("lists invites newest first, usable ones or all, and revokes one once, audited once", async () => {
      const { storage } = fx;
      const a = await make("a", { note: "first" });
      const b = await make("b", { expiresAt: Date.now() - 1 });
      const c = await make("c", { maxUses: 1 });
      const d = await make("d", { expiresAt: Date.now() + 86_400_000 });
      await signUp("hal", "c");
      const all = await storage.serverInvites({ live: false, limit: 10 });
      expect(all.map((i) => i.id)).toEqual([d.id, c.id, b.id, a.id]);
      const live = await storage.serverInvites({ live: true, limit: 10 });
      expect(live.map((i) => i.id)).toEqual([d.id, a.id]);
      expect(
        (await storage.serverInvites({ live: false, beforeId: c.id, limit: 1 })).map((i) => i.id),
      ).toEqual([b.id]);
      expect((await storage.liveServerInvite("a"))?.id).toBe(a.id);
      for (const hash of ["b", "c", "nope"])
        expect(await storage.liveServerInvite(hash)).toBeUndefined();

      const revoked = await revoke(a.id);
      expect(revoked).toMatchObject({ id: a.id, revokedAt: expect.any(Number) });
      expect(await revoke(a.id)).toEqual(revoked);
      expect(await revoke(9999)).toBeUndefined();
      expect(await storage.liveServerInvite("a")).toBeUndefined();
      const entries = await storage.adminAudit({ action: "inviterevoke", limit: 10 });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        actorId: fx.alice.id,
        targetKind: "invite",
        targetId: a.id,
        targetName: "first",
      });
      expect(await storage.adminAudit({ action: "invitecreate", limit: 10 })).toHaveLength(4);
    });
  });
}
