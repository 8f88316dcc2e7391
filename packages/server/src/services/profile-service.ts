import type { ProfileChange } from "@parley/protocol";
import type { UserMessage } from "../broker/message-broker";
import { ParleyError } from "../errors";
import type { AccountStore } from "../storage/account-store";
import type { UserRow } from "../storage/storage";
import type { ChannelService } from "./channel-service";
import type { FileService } from "./file-service";

/**
 * What an account shows of itself: a display name (beside its unique username, which stays),
 * a status text and an avatar made from an image it uploaded. Guests have none: they register
 * first. A change reaches the user's own connections and every member of its channels, on
 * every node, as UserUpdated.
 */
export class ProfileService {
  constructor(
    private readonly store: Pick<AccountStore, "updateProfile">,
    private readonly files: Pick<FileService, "storeAvatar" | "deleteAvatar">,
    private readonly channels: Pick<ChannelService, "announceUser">,
    private readonly announce: (userId: number, message: UserMessage) => void,
  ) {}

  async update(user: UserRow, change: ProfileChange): Promise<UserRow> {
    if (user.isGuest) throw new ParleyError("FORBIDDEN", "Register to have a profile");
    const avatar =
      change.avatar === undefined || change.avatar === null
        ? change.avatar
        : await this.files.storeAvatar(user, change.avatar);
    let updated: { user: UserRow; previousAvatar: string | null };
    try {
      updated = await this.store.updateProfile(user.id, {
        ...(change.displayName !== undefined ? { displayName: change.displayName } : {}),
        ...(change.status !== undefined ? { statusText: change.status || null } : {}),
        ...(avatar !== undefined ? { avatar } : {}),
      });
    } catch (err) {
      if (avatar) await this.files.deleteAvatar(avatar);
      throw err;
    }
    const { user: now, previousAvatar } = updated;
    if (avatar !== undefined && previousAvatar !== null && previousAvatar !== avatar)
      await this.files.deleteAvatar(previousAvatar);
    this.announce(now.id, {
      k: "profile",
      dn: now.displayName,
      sx: now.statusText,
      av: now.avatar,
    });
    await this.channels.announceUser(now);
    return now;
  }
}
