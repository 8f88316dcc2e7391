import {
  ADMIN_PAGE_DEFAULT,
  ADMIN_PAGE_MAX,
  type AdminChannel,
  type AdminChannelReply,
  type AdminChannelsQuery,
  type AdminChannelsReply,
  type AdminDeleteChannelReply,
} from "@parley/protocol";
import { ParleyError } from "../errors";
import type { PresenceStore } from "../presence/presence-store";
import type { AccountStore } from "../storage/account-store";
import type { AdminChannelRow, AdminChannelStore } from "../storage/admin-channel-store";
import type { ChannelStore } from "../storage/channel-store";
import { type AdminActor, type AdminService, pageOf, refuseDeleted } from "./admin-service";
import type { ChannelService } from "./channel-service";

/** Rows a deleted channel's purge deletes per transaction. */
const PURGE_BATCH = 500;

/**
 * Purges a deleted channel's rows batch by batch (each its own transaction, so sends go on in
 * between) until it is gone; resolves to the messages deleted.
 */
export async function purgeChannel(
  store: Pick<AdminChannelStore, "purgeDeletedChannel">,
  channelId: number,
  stop: () => boolean = () => false,
): Promise<number> {
  let removed = 0;
  while (!stop()) {
    const step = await store.purgeDeletedChannel(channelId, PURGE_BATCH);
    removed += step.removedMessages;
    if (step.done) break;
  }
  return removed;
}

/** Finishes the purge of every deleted channel not purged yet; resolves to the messages. */
export async function purgeDeletedChannels(
  store: Pick<AdminChannelStore, "purgeDeletedChannel" | "deletedChannels">,
  stop: () => boolean,
): Promise<number> {
  let removed = 0;
  for (const channelId of await store.deletedChannels(100)) {
    if (stop()) break;
    removed += await purgeChannel(store, channelId, stop);
  }
  return removed;
}

/**
 * What server admins do to channels through the admin API: list them with their figures, read
 * one with its members, change its owner, archive and unarchive it, and delete it with its
 * messages and files. Direct messages are never reached: they are their members' alone. Every
 * change commits with its admin audit entry; members hear of it as stored events
 * (RoleChanged, ChannelArchived) or, for a deletion, as ChannelRemoved (`deleted`) on every
 * node.
 */
export class ChannelAdmin {
  constructor(
    private readonly admin: Pick<AdminService, "requireAdmin">,
    private readonly store: AdminChannelStore &
      Pick<AccountStore, "findUserByName"> &
      Pick<ChannelStore, "memberIds">,
    private readonly channels: Pick<ChannelService, "publish" | "removed">,
    private readonly presence: Pick<PresenceStore, "online">,
    /** Called after a deletion doomed files (the file sweep runs). */
    private readonly removedFiles: () => void = () => {},
  ) {}

  async list(by: AdminActor, query: AdminChannelsQuery): Promise<AdminChannelsReply> {
    this.admin.requireAdmin(by);
    const limit = query.limit ?? ADMIN_PAGE_DEFAULT;
    const rows = await this.store.adminChannels({
      ...(query.q ? { query: query.q } : {}),
      kind: query.kind ?? "all",
      ...(query.before !== undefined ? { beforeId: query.before } : {}),
      limit: limit + 1,
    });
    const { page, more } = pageOf(rows, limit);
    return { channels: await this.json(page), ...more };
  }

  /** The channel as the console lists it (NO_SUCH_CHANNEL for none, a DM or a deleted one). */
  async channel(by: AdminActor, channelId: number): Promise<AdminChannel> {
    this.admin.requireAdmin(by);
    return this.current(channelId);
  }

  async view(by: AdminActor, channelId: number, membersAfter?: number): Promise<AdminChannelReply> {
    this.admin.requireAdmin(by);
    const channel = await this.target(channelId);
    const rows = await this.store.adminChannelMembers(channelId, membersAfter, ADMIN_PAGE_MAX + 1);
    const page = rows.slice(0, ADMIN_PAGE_MAX);
    const online = await this.presence.online(page.map((m) => m.user.id));
    const [json] = await this.json([channel]);
    return {
      channel: json!,
      members: page.map((m) => ({
        id: m.user.id,
        username: m.user.username,
        guest: m.user.isGuest,
        role: m.role,
        joinedAt: m.joinedAt,
        online: online.has(m.user.id),
      })),
      ...(rows.length > ADMIN_PAGE_MAX ? { membersNext: page.at(-1)!.user.id } : {}),
    };
  }

  /** Makes a member (an account, not deleted) the owner; the owner until now moderates. */
  async setOwner(by: AdminActor, channelId: number, username: string): Promise<AdminChannel> {
    this.admin.requireAdmin(by);
    const channel = await this.target(channelId);
    const user = await this.store.findUserByName(username);
    if (!user) throw new ParleyError("NO_SUCH_USER", `No user named ${username}`);
    refuseDeleted(user);
    if (user.isGuest)
      throw new ParleyError("FORBIDDEN", "A guest cannot own a channel; it must register first");
    const events = await this.store.setChannelOwnerAudited(
      channelId,
      user.id,
      { id: by.id, name: by.name },
      {
        actor: { id: by.id, name: by.name },
        action: "channelowner",
        targetKind: "channel",
        target: { id: channelId, name: channel.name },
        before: { owner: channel.owner?.name ?? null },
        after: { owner: user.username },
      },
    );
    if (events.length > 0) this.channels.publish(channelId, events);
    return this.current(channelId);
  }

  /** Archives the channel (read-only) or unarchives it. */
  async setArchived(by: AdminActor, channelId: number, on: boolean): Promise<AdminChannel> {
    this.admin.requireAdmin(by);
    const channel = await this.target(channelId);
    const event = await this.store.setChannelArchivedAudited(
      channelId,
      on,
      { id: by.id, name: by.name },
      {
        actor: { id: by.id, name: by.name },
        action: on ? "archive" : "unarchive",
        targetKind: "channel",
        target: { id: channelId, name: channel.name },
        before: { archived: channel.archivedAt !== null },
        after: { archived: on },
      },
    );
    if (event) this.channels.publish(channelId, [event]);
    return this.current(channelId);
  }

  /**
   * Deletes the channel for good: its members are told (ChannelRemoved `deleted`) on every
   * node at once, then its messages, events, files and search entries are purged.
   */
  async delete(by: AdminActor, channelId: number): Promise<AdminDeleteChannelReply> {
    this.admin.requireAdmin(by);
    const channel = await this.target(channelId);
    const members = await this.store.deleteChannelAudited(channelId, {
      actor: { id: by.id, name: by.name },
      action: "channeldelete",
      targetKind: "channel",
      target: { id: channelId, name: channel.name },
      before: { name: channel.name, members: channel.members, lastSeq: channel.lastSeq },
      after: null,
    });
    for (const userId of members) this.channels.removed(userId, channelId, "deleted");
    this.removedFiles();
    const removedMessages = await purgeChannel(this.store, channelId);
    return { removedMessages };
  }

  private async current(channelId: number): Promise<AdminChannel> {
    const [json] = await this.json([await this.target(channelId)]);
    return json!;
  }

  /** The channel the admin acts on; NO_SUCH_CHANNEL for none (and for a direct message). */
  private async target(channelId: number): Promise<AdminChannelRow> {
    const channel = await this.store.adminChannel(channelId);
    if (!channel) throw new ParleyError("NO_SUCH_CHANNEL");
    return channel;
  }

  private async json(rows: AdminChannelRow[]): Promise<AdminChannel[]> {
    const ids = await this.store.memberIds(rows.map((r) => r.id));
    const everyone = new Set<number>();
    for (const members of ids.values()) for (const id of members) everyone.add(id);
    const online = await this.presence.online([...everyone]);
    return rows.map((r) => {
      let count = 0;
      for (const id of ids.get(r.id) ?? []) if (online.has(id)) count++;
      return {
        id: r.id,
        name: r.name,
        topic: r.topic,
        private: r.isPrivate,
        createdAt: r.createdAt,
        ...(r.archivedAt !== null ? { archivedAt: r.archivedAt } : {}),
        members: r.members,
        online: count,
        ...(r.lastActivityAt !== null ? { lastActivityAt: r.lastActivityAt } : {}),
        lastSeq: r.lastSeq,
        ...(r.owner ? { owner: { id: r.owner.id, username: r.owner.name } } : {}),
      };
    });
  }
}
