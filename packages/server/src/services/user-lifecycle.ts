import {
  type AdminDeleteUserReply,
  type AdminRemoveGuests,
  type AdminRemoveGuestsReply,
  type AdminUser,
  type ChannelEvent,
  type DeletedMessages,
  GUEST_REMOVAL_BATCH,
} from "@parley/protocol";
import type { UserMessage } from "../broker/message-broker";
import { ParleyError } from "../errors";
import type { PresenceStore } from "../presence/presence-store";
import type { AdminStore } from "../storage/admin-store";
import type { MessageStore } from "../storage/message-store";
import type { Actor, UserRow } from "../storage/storage";
import { type AdminActor, type AdminService, refuseDeleted } from "./admin-service";
import { checkAccountName } from "./auth-service";
import type { ChannelService } from "./channel-service";

const DAY_MS = 86_400_000;
/** Messages removed per transaction when an account's messages go. */
const REMOVAL_BATCH = 200;
/** The reason a removed account's messages show. */
export const ACCOUNT_DELETED_REASON = "account deleted";

const actorOf = (user: UserRow): Actor => ({ id: user.id, name: user.username });

/**
 * What admins do to accounts themselves: rename, deactivate and reactivate, delete (keeping
 * the messages under the deleted name, or removing them), and delete idle guests in bulk.
 * Each change commits with its admin audit entry; then the user's sockets close on every node
 * (the user topic) and the channels hear of it as stored events (membership removals, message
 * deletions) or as UserUpdated.
 */
export class UserLifecycle {
  constructor(
    private readonly admin: AdminService,
    private readonly store: Pick<
      AdminStore,
      | "adminUser"
      | "renameUserAudited"
      | "setDeactivatedAudited"
      | "deleteUserAudited"
      | "idleGuests"
    > &
      Pick<MessageStore, "removeAuthorMessages">,
    private readonly channels: Pick<ChannelService, "publish" | "removed" | "announceUser">,
    private readonly presence: Pick<PresenceStore, "online">,
    private readonly announce: (userId: number, message: UserMessage) => void,
    /** Called after messages were removed (their files are doomed: the file sweep runs). */
    private readonly removedFiles: () => void = () => {},
    private readonly now: () => number = Date.now,
    /** Deletes the bytes of an avatar the account no longer has. */
    private readonly removedAvatar: (avatar: string) => Promise<void> = async () => {},
  ) {}

  /**
   * The user an admin acts on: not the admin itself, not another admin, and not deleted
   * (unless `deleted` allows it); NO_SUCH_USER when there is none.
   */
  private async target(by: AdminActor, userId: number, deleted = false): Promise<UserRow> {
    this.admin.requireAdmin(by);
    const user = await this.store.adminUser(userId);
    if (!user) throw new ParleyError("NO_SUCH_USER");
    if (user.id === by.id) throw new ParleyError("FORBIDDEN", "You cannot do that to yourself");
    if (user.isAdmin) throw new ParleyError("FORBIDDEN", `${user.username} is an admin`);
    if (!deleted) refuseDeleted(user);
    return user;
  }

  /** Renames the user: its tabs and everyone who shares a channel with it see the new name. */
  async rename(by: AdminActor, userId: number, username: string): Promise<AdminUser> {
    const user = await this.target(by, userId);
    checkAccountName(username);
    if (username === user.username) return this.admin.view(userId);
    await this.store.renameUserAudited(userId, username, {
      actor: { id: by.id, name: by.name },
      action: "rename",
      target: actorOf(user),
      before: { username: user.username },
      after: { username },
    });
    this.announce(userId, { k: "renamed", n: username });
    await this.channels.announceUser({ ...user, username });
    return this.admin.view(userId);
  }

  /**
   * Deactivates the account (signed out everywhere, its tabs closed with 4504, sign-in refused
   * with ACCOUNT_DEACTIVATED) or reactivates it. Its memberships and messages stay.
   */
  async setActive(by: AdminActor, userId: number, active: boolean): Promise<AdminUser> {
    const user = await this.target(by, userId);
    if ((user.deactivatedAt === null) === active) return this.admin.view(userId);
    await this.store.setDeactivatedAudited(userId, !active, {
      actor: { id: by.id, name: by.name },
      action: active ? "reactivate" : "deactivate",
      target: actorOf(user),
      before: { deactivated: !active },
      after: { deactivated: !active },
    });
    if (!active) this.announce(userId, { k: "revoked", closed: "deactivated" });
    return this.admin.view(userId);
  }

  /**
   * Deletes the account for good (see `AdminStore.deleteUserAudited`): its tabs close with
   * 4504, the channels it leaves store its MemberLeft, every channel it was in hears its new
   * name, and with `remove` every message of it is deleted as a moderator's deletion would
   * (content, files, mentions, search entries), in batches. Deleting a deleted account again
   * with `remove` finishes a removal that stopped halfway.
   */
  async delete(
    by: AdminActor,
    userId: number,
    messages: DeletedMessages,
  ): Promise<AdminDeleteUserReply> {
    const user = await this.target(by, userId, true);
    if (user.deletedAt === null) {
      const { channelIds, removals } = await this.store.deleteUserAudited(userId, {
        actor: { id: by.id, name: by.name },
        action: "delete",
        target: actorOf(user),
        before: { username: user.username },
        after: { messages },
      });
      this.announce(userId, { k: "revoked", closed: "deleted" });
      if (user.avatar !== null) await this.removedAvatar(user.avatar);
      // The new name first, so that member lists rename the user before it leaves them.
      const deleted = await this.store.adminUser(userId);
      if (deleted) await this.channels.announceUser(deleted, channelIds);
      for (const { channelId, events } of removals) {
        if (events.length === 0) continue;
        this.channels.publish(channelId, events);
        this.channels.removed(userId, channelId, "left", events[0]!.s);
      }
    }
    const removedMessages = messages === "remove" ? await this.removeMessages(by, userId) : 0;
    return { user: await this.admin.view(userId), removedMessages };
  }

  /** Deletes every live message of the user, a batch per transaction; resolves to the count. */
  private async removeMessages(by: AdminActor, userId: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const events = await this.store.removeAuthorMessages(
        userId,
        { id: by.id, name: by.name },
        ACCOUNT_DELETED_REASON,
        REMOVAL_BATCH,
      );
      removed += events.length;
      const byChannel = new Map<number, ChannelEvent[]>();
      for (const { channelId, event } of events)
        byChannel.set(channelId, [...(byChannel.get(channelId) ?? []), event]);
      for (const [channelId, list] of byChannel) this.channels.publish(channelId, list);
      if (events.length > 0) this.removedFiles();
      if (events.length < REMOVAL_BATCH) return removed;
    }
  }

  /**
   * Deletes up to {@link GUEST_REMOVAL_BATCH} guests idle for `idleDays` and not online, the
   * longest idle first, each as {@link delete} deletes.
   */
  async removeIdleGuests(
    by: AdminActor,
    request: AdminRemoveGuests,
  ): Promise<AdminRemoveGuestsReply> {
    this.admin.requireAdmin(by);
    const idle = await this.store.idleGuests(
      this.now() - request.idleDays * DAY_MS,
      GUEST_REMOVAL_BATCH,
    );
    const online = await this.presence.online(idle.map((g) => g.id));
    let removed = 0;
    let removedMessages = 0;
    for (const guest of idle) {
      if (online.has(guest.id)) continue;
      removedMessages += (await this.delete(by, guest.id, request.messages)).removedMessages;
      removed++;
    }
    return { removed, removedMessages, more: idle.length === GUEST_REMOVAL_BATCH && removed > 0 };
  }
}
