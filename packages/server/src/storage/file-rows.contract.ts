import { EventType, type MessageEvent, MessageKind, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { type Open, storageFixture } from "./contract-fixture";
import type { NewFileRow } from "./file-rows";
import type { Actor, Storage } from "./storage";

let counter = 0;
/** A new file row's fields, with an id of the right shape. */
export function fileOf(uploader: Actor, createdAt = Date.now(), size = 100): NewFileRow {
  const id = `F${String(++counter).padStart(21, "0")}`;
  return {
    id,
    uploaderId: uploader.id,
    name: `${id}.png`,
    size,
    type: "image/png",
    width: 4,
    height: 3,
    hasThumb: true,
    createdAt,
  };
}

/** The {@link FileRowStore} contract and the send path's files, on every implementation. */
export function fileRowsContract(name: string, open: Open) {
  describe(`${name} › FileRowStore contract`, () => {
    const fx = storageFixture(open);

    async function channelWithBob(storage: Storage, alice: Actor, bob: Actor): Promise<number> {
      const { channel } = await storage.createChannel({ name: "files", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      return channel.id;
    }
    const send = (
      storage: Storage,
      channelId: number,
      author: Actor,
      nonce: string,
      files: string[],
    ) =>
      storage.appendMessages([
        { channelId, author, nonce, content: "", kind: MessageKind.Text, files },
      ]);

    it("attaches the author's files in the send, and history carries them", async () => {
      const { storage, alice, bob } = fx;
      const c = await channelWithBob(storage, alice, bob);
      const one = fileOf(alice);
      const two = {
        ...fileOf(alice),
        type: "text/plain",
        width: null,
        height: null,
        hasThumb: false,
      };
      await storage.createFile(one);
      await storage.createFile(two);
      const [result] = await send(storage, c, alice, "n1", [two.id, one.id]);
      const refs = [
        { i: two.id, n: two.name, sz: 100, ty: "text/plain" },
        { i: one.id, n: one.name, sz: 100, ty: "image/png", w: 4, h: 3, th: true },
      ];
      expect(result).toMatchObject({ ok: true, event: { x: "", f: refs } });
      const page = await storage.history(c, { limit: 10 });
      const message = page.e.find((e) => e.t === EventType.MessagePosted) as MessageEvent;
      expect(message.f).toEqual(refs);
      expect(await storage.readableFile(one.id, bob.id)).toMatchObject({
        id: one.id,
        channelId: c,
        messageId: message.i,
      });
    });

    it("refuses someone else's file and one attached already, each alone in its batch", async () => {
      const { storage, alice, bob } = fx;
      const c = await channelWithBob(storage, alice, bob);
      const bobs = fileOf(bob);
      const alices = fileOf(alice);
      await storage.createFile(bobs);
      await storage.createFile(alices);
      const results = await storage.appendMessages([
        {
          channelId: c,
          author: alice,
          nonce: "a",
          content: "x",
          kind: MessageKind.Text,
          files: [bobs.id],
        },
        {
          channelId: c,
          author: alice,
          nonce: "b",
          content: "x",
          kind: MessageKind.Text,
          files: [alices.id],
        },
        {
          channelId: c,
          author: alice,
          nonce: "c",
          content: "x",
          kind: MessageKind.Text,
          files: [alices.id],
        },
        { channelId: c, author: alice, nonce: "d", content: "plain", kind: MessageKind.Text },
      ]);
      expect(
        results.map((r) => (r.ok ? "ok" : (r.error as { errorName?: string }).errorName)),
      ).toEqual(["NO_SUCH_FILE", "ok", "FILE_ATTACHED", "ok"]);
      const [later] = await send(storage, c, alice, "e", [alices.id]);
      expect(later).toMatchObject({ ok: false, error: { errorName: "FILE_ATTACHED" } });
      // A retry of the send that attached it returns that message, files and all.
      const [retry] = await send(storage, c, alice, "b", [alices.id]);
      expect(retry).toMatchObject({ ok: true, duplicate: true, event: { f: [{ i: alices.id }] } });
    });

    it("lets only members read an attached file, and only its uploader an unattached one", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "private", topic: "", owner: alice });
      const file = fileOf(alice);
      await storage.createFile(file);
      expect(await storage.readableFile(file.id, alice.id)).toBeDefined();
      expect(await storage.readableFile(file.id, bob.id)).toBeUndefined();
      await send(storage, channel.id, alice, "n", [file.id]);
      expect(await storage.readableFile(file.id, bob.id)).toBeUndefined();
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      expect(await storage.readableFile(file.id, bob.id)).toBeDefined();
      await storage.removeMember(channel.id, bob.id, { type: EventType.MemberLeft, actor: bob });
      expect(await storage.readableFile(file.id, bob.id)).toBeUndefined();
    });

    it("dooms a deleted message's files, which nobody reads, and removes their rows after", async () => {
      const { storage, alice, bob } = fx;
      const c = await channelWithBob(storage, alice, bob);
      const file = fileOf(alice, Date.now(), 300);
      await storage.createFile(file);
      const [sent] = await send(storage, c, alice, "n", [file.id]);
      const id = sent!.ok ? sent!.event.i : 0;
      expect(await storage.liveFileBytes(alice.id)).toBe(300);
      await storage.deleteMessage(
        { channelId: c, messageId: id, actor: alice, nonce: "d" },
        () => ({
          moderator: false,
        }),
      );
      expect(await storage.readableFile(file.id, alice.id)).toBeUndefined();
      expect(await storage.liveFileBytes(alice.id)).toBe(0);
      expect(await storage.doomedFiles(10)).toEqual([{ id: file.id, hasThumb: true }]);
      const page = await storage.history(c, { limit: 10 });
      expect(
        (page.e.find((e) => e.t === EventType.MessagePosted) as MessageEvent).f,
      ).toBeUndefined();
      await storage.removeFiles([file.id]);
      expect(await storage.doomedFiles(10)).toEqual([]);
    });

    it("lists a user's live uploads by id, page by page, never another's or a doomed one", async () => {
      const { storage, alice, bob } = fx;
      const c = await channelWithBob(storage, alice, bob);
      const mine = [fileOf(alice), fileOf(alice), fileOf(alice)];
      for (const f of [...mine, fileOf(bob)]) await storage.createFile(f);
      const [sent] = await send(storage, c, alice, "n", [mine[2]!.id]);
      const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
      expect(ids(await storage.userFiles(alice.id, undefined, 10))).toEqual(mine.map((f) => f.id));
      const first = await storage.userFiles(alice.id, undefined, 2);
      expect(ids(first)).toEqual([mine[0]!.id, mine[1]!.id]);
      expect(ids(await storage.userFiles(alice.id, first[1]!.id, 2))).toEqual([mine[2]!.id]);
      expect((await storage.userFiles(alice.id, first[1]!.id, 2))[0]).toMatchObject({
        channelId: c,
        messageId: sent!.ok ? sent!.event.i : -1,
      });
      await storage.deleteMessage(
        { channelId: c, messageId: sent!.ok ? sent!.event.i : 0, actor: alice, nonce: "d" },
        () => ({ moderator: false }),
      );
      expect(ids(await storage.userFiles(alice.id, undefined, 10))).toEqual([
        mine[0]!.id,
        mine[1]!.id,
      ]);
    });

    it("dooms only unattached files older than the cut, so no send attaches them after", async () => {
      const { storage, alice, bob } = fx;
      const c = await channelWithBob(storage, alice, bob);
      const old = fileOf(alice, 1000);
      const oldAttached = fileOf(alice, 1000);
      const fresh = fileOf(alice, 5000);
      for (const f of [old, oldAttached, fresh]) await storage.createFile(f);
      await send(storage, c, alice, "n", [oldAttached.id]);
      expect(await storage.doomOrphans(2000)).toBe(1);
      expect(await storage.doomOrphans(2000)).toBe(0);
      expect((await storage.doomedFiles(10)).map((f) => f.id)).toEqual([old.id]);
      const [late] = await send(storage, c, alice, "late", [old.id]);
      expect(late).toMatchObject({ ok: false, error: { errorName: "NO_SUCH_FILE" } });
      // Removing rows leaves live ones alone.
      await storage.removeFiles([old.id, fresh.id]);
      expect(await storage.readableFile(fresh.id, alice.id)).toBeDefined();
      expect(await storage.liveFileBytes(alice.id)).toBe(200);
    });
  });
}
