import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { accountStoreContract } from "./account-store.contract";
import { adminChannelStoreContract } from "./admin-channel-store.contract";
import { adminStoreContract } from "./admin-store.contract";
import { channelStoreContract } from "./channel-store.contract";
import type { Open } from "./contract-fixture";
import { directStoreContract } from "./direct-store.contract";
import { eventLogContract } from "./event-log.contract";
import { fileRowsContract } from "./file-rows.contract";
import { inviteStoreContract } from "./invite-store.contract";
import { memberStateContract } from "./member-state.contract";
import { mentionsContract } from "./mentions.contract";
import { messageStoreContract } from "./message-store.contract";
import { moderationStoreContract } from "./moderation-store.contract";
import { pushStoreContract } from "./push-store.contract";
import { reportStoreContract } from "./report-store.contract";
import { searchStoreContract } from "./search-store.contract";
import { sendPathContract } from "./send-path.contract";
import { serverInviteStoreContract } from "./server-invite-store.contract";
import type { Storage } from "./storage";

/**
 * The Storage contract, run against every implementation: each slice's contract. `open`
 * returns a fresh, empty, migrated storage.
 */
export function storageContract(name: string, open: Open) {
  accountStoreContract(name, open);
  channelStoreContract(name, open);
  moderationStoreContract(name, open);
  sendPathContract(name, open);
  eventLogContract(name, open);
  messageStoreContract(name, open);
  memberStateContract(name, open);
  mentionsContract(name, open);
  inviteStoreContract(name, open);
  pushStoreContract(name, open);
  directStoreContract(name, open);
  fileRowsContract(name, open);
  searchStoreContract(name, open);
  adminStoreContract(name, open);
  adminChannelStoreContract(name, open);
  reportStoreContract(name, open);
  serverInviteStoreContract(name, open);
}

/**
 * What migration 0004 (name keys) does to a database an older release left: `openOld` returns
 * a database migrated up to the named migration, and `reopen` opens it as a storage (which
 * migrates it to the latest).
 */
export function nameKeyMigrationContract(
  name: string,
  openOld: (upTo: string) => Promise<{
    db: Kysely<Record<string, Record<string, unknown>>>;
    reopen: () => Promise<Storage>;
  }>,
) {
  describe(`${name} › name-key migration`, () => {
    it("rekeys existing names; of look-alikes the oldest keeps the name, the others stay usable", async () => {
      const { db, reopen } = await openOld("0003_server_bans");
      const user = (username: string) => ({
        username,
        username_lower: username.toLowerCase(),
        password_hash: null,
        is_guest: 1,
        created_at: 1,
      });
      await db
        .insertInto("users")
        .values([user("alice"), user("bob")])
        .execute();
      const channel = (name: string) => ({
        name,
        name_lower: name.toLowerCase(),
        topic: "",
        created_by: 1,
        created_at: 1,
        last_seq: 0,
        slow_mode: 0,
      });
      // Distinct under the old lower-case keys, alike under the new ones.
      await db
        .insertInto("channels")
        .values([channel("Ｌｏｂｂｙ"), channel("lobby"), channel("Straße"), channel("café")])
        .execute();
      await db.destroy();

      const storage = await reopen();
      try {
        const names = async (search: string) =>
          (await storage.listChannels({ search, limit: 10 })).map((c) => c.name);
        expect(await names("lobby")).toEqual(["Ｌｏｂｂｙ", "lobby"]);
        for (const taken of ["LOBBY", "Lobby", "STRASSE", "CAFÉ", "cafe\u0301"]) {
          await expect(
            storage.createChannel({ name: taken, topic: "", owner: { id: 1, name: "alice" } }),
          ).rejects.toMatchObject({ errorName: "CHANNEL_NAME_TAKEN" });
        }
        expect((await storage.getChannel(2))?.name).toBe("lobby");
        expect((await storage.findUserByName("ALICE"))?.id).toBe(1);
        await storage.createChannel({ name: "lobby 2", topic: "", owner: { id: 2, name: "bob" } });
      } finally {
        await storage.close();
      }
    });
  });
}
