import {
  ChannelKind,
  EventType,
  type FileRef,
  type MessageEvent,
  MessageKind,
  roleName,
} from "@parley/protocol";
import { ParleyError } from "../errors";
import type { AdminActor } from "../services/admin-service";
import type { ChannelAdmin } from "../services/channel-admin";
import type { FileService } from "../services/file-service";
import type { AccountStore } from "../storage/account-store";
import type { AdminChannelStore } from "../storage/admin-channel-store";
import type { AdminStore } from "../storage/admin-store";
import type { ChannelStore } from "../storage/channel-store";
import type { EventLog } from "../storage/event-log";
import type { FileRowStore } from "../storage/file-rows";
import type { UserRow } from "../storage/storage";
import { entryName, ZipStream } from "./zip-stream";

/** Rows read per page while an export is written. */
const PAGE = 200;

/** A file as an export lists it, with where its bytes are in the archive. */
interface ExportedFile {
  id: string;
  name: string;
  type: string;
  size: number;
  /** The entry holding its bytes; absent when they were deleted while the export was written. */
  path?: string;
  missing?: true;
}

/** A started export: its file name, and the archive as it is written. */
export interface ExportDownload {
  fileName: string;
  zip: ZipStream;
  /** Resolves once the archive is written (or rejects when it could not be). */
  done: Promise<void>;
}

function filePath(file: { id: string; name: string }): string {
  return `files/${file.id}-${entryName(file.name)}`;
}

function day(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** A channel's live message as a channel export holds it, in whole words. */
function exportedMessage(e: MessageEvent) {
  return {
    id: e.i,
    seq: e.s,
    at: e.ts,
    author: { id: e.a, username: e.an },
    ...(e.k === MessageKind.Action ? { kind: "action" } : {}),
    content: e.x,
    ...(e.ed !== undefined ? { editedAt: e.ed, version: e.v ?? 1 } : {}),
    ...(e.rp ? { replyTo: { id: e.rp.m, seq: e.rp.s } } : {}),
    ...(e.f?.length
      ? { files: e.f.map((f) => ({ id: f.i, name: f.n, path: filePath({ id: f.i, name: f.n }) })) }
      : {}),
    ...(e.r?.length
      ? { reactions: e.r.map((r) => ({ emoji: r.e, users: r.u.map((u) => u.n) })) }
      : {}),
    ...(e.pn ? { pinned: { by: e.pn.un, at: e.pn.ts } } : {}),
  };
}

/**
 * Data exports as zip archives of JSON, with the files' bytes beside: a user's own
 * (`profile.json`, `messages.json`, `files.json` and `files/`), and a channel's, for server
 * admins (`channel.json` with its members, `messages.json`, `files.json` and `files/`).
 * Written page by page as the download is read, so an export of any size holds little at once.
 */
export class ExportService {
  constructor(
    private readonly store: Pick<
      AdminStore,
      "userMemberships" | "userMessages" | "recordAdminChange"
    > &
      Pick<FileRowStore, "userFiles"> &
      Pick<EventLog, "history"> &
      Pick<ChannelStore, "memberIds"> &
      Pick<AccountStore, "getUser"> &
      Pick<AdminChannelStore, "adminChannelMembers">,
    private readonly files: Pick<FileService, "open">,
    private readonly channels: Pick<ChannelAdmin, "channel">,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user's own data: profile and channels, every live message, every upload. */
  userExport(user: UserRow): ExportDownload {
    const zip = new ZipStream();
    const now = this.now();
    const done = (async () => {
      const memberships = await this.store.userMemberships(user.id);
      const channels = [];
      for (const m of memberships) {
        if (m.kind === ChannelKind.Direct) {
          const ids = (await this.store.memberIds([m.channelId])).get(m.channelId) ?? [];
          const names = [];
          for (const id of ids)
            if (id !== user.id) names.push((await this.store.getUser(id))?.username ?? `${id}`);
          channels.push({ id: m.channelId, kind: "direct", with: names });
        } else {
          channels.push({ id: m.channelId, kind: "channel", name: m.name, role: roleName(m.role) });
        }
      }
      await zip.json("profile.json", {
        exportedAt: new Date(now).toISOString(),
        user: {
          id: user.id,
          username: user.username,
          guest: user.isGuest,
          admin: user.isAdmin,
          createdAt: user.createdAt,
          displayName: user.displayName,
          status: user.statusText,
        },
        channels,
      });
      const store = this.store;
      await zip.jsonArray(
        "messages.json",
        (async function* () {
          let before: number | undefined;
          for (;;) {
            const page = await store.userMessages(user.id, before, PAGE);
            yield page.map((m) => ({
              id: m.id,
              channel: { id: m.channelId, name: m.channelName },
              seq: m.seq,
              at: m.createdAt,
              content: m.content,
            }));
            if (page.length < PAGE) return;
            before = page.at(-1)!.id;
          }
        })(),
      );
      const uploads: ExportedFile[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await this.store.userFiles(user.id, after, PAGE);
        for (const f of page) {
          uploads.push(await this.addFile(zip, f));
        }
        if (page.length < PAGE) break;
        after = page.at(-1)!.id;
      }
      await zip.json("files.json", uploads);
      zip.end();
    })();
    return this.started(`parley-${entryName(user.username)}-${day(now)}.zip`, zip, done);
  }

  /**
   * A channel's data for a server admin (never a DM: NO_SUCH_CHANNEL, as for every admin
   * route): the channel, its members, every live message and every attached file. Audited as
   * `channelexport` before the archive is written.
   */
  async channelExport(by: AdminActor, channelId: number): Promise<ExportDownload> {
    const channel = await this.channels.channel(by, channelId);
    await this.store.recordAdminChange({
      actor: { id: by.id, name: by.name },
      action: "channelexport",
      targetKind: "channel",
      target: { id: channelId, name: channel.name },
      before: null,
      after: { messages: channel.lastSeq },
    });
    const zip = new ZipStream();
    const now = this.now();
    const done = (async () => {
      const members = [];
      let after: number | undefined;
      for (;;) {
        const page = await this.store.adminChannelMembers(channelId, after, PAGE + 1);
        for (const m of page.slice(0, PAGE))
          members.push({
            id: m.user.id,
            username: m.user.username,
            guest: m.user.isGuest,
            role: roleName(m.role),
            joinedAt: m.joinedAt,
          });
        if (page.length <= PAGE) break;
        after = page[PAGE - 1]!.user.id;
      }
      await zip.json("channel.json", {
        exportedAt: new Date(now).toISOString(),
        channel,
        members,
      });
      const attached: FileRef[] = [];
      const store = this.store;
      await zip.jsonArray(
        "messages.json",
        (async function* () {
          let seq = 0;
          for (;;) {
            const page = await store.history(channelId, { after: seq, limit: PAGE });
            const messages = page.e.filter(
              (e): e is MessageEvent => e.t === EventType.MessagePosted && !e.dl,
            );
            for (const m of messages) attached.push(...(m.f ?? []));
            yield messages.map(exportedMessage);
            if (!page.ma || page.e.length === 0) return;
            seq = page.e.at(-1)!.s;
          }
        })(),
      );
      const files: ExportedFile[] = [];
      for (const f of attached)
        files.push(await this.addFile(zip, { id: f.i, name: f.n, type: f.ty, size: f.sz }));
      await zip.json("files.json", files);
      zip.end();
    })();
    return this.started(`parley-${entryName(channel.name)}-${day(now)}.zip`, zip, done);
  }

  private async addFile(
    zip: ZipStream,
    file: { id: string; name: string; type: string; size: number },
  ): Promise<ExportedFile> {
    const path = filePath(file);
    const listed = { id: file.id, name: file.name, type: file.type, size: file.size };
    let bytes: AsyncIterable<Uint8Array>;
    try {
      bytes = await this.files.open(file);
    } catch (err) {
      // Deleted since it was listed (its message went, the sweep took it): listed as missing.
      if (err instanceof ParleyError && err.errorName === "NO_SUCH_FILE")
        return { ...listed, missing: true };
      throw err;
    }
    // Images are stored re-encoded and most other uploads are compressed formats already.
    await zip.add(path, bytes, false);
    return { ...listed, path };
  }

  private started(fileName: string, zip: ZipStream, done: Promise<void>): ExportDownload {
    const guarded = done.catch((err: unknown) => {
      zip.fail(err instanceof Error ? err : new Error(String(err)));
      throw err;
    });
    return { fileName, zip, done: guarded };
  }
}
