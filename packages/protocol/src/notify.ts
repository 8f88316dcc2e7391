import { NotifyLevel } from "./ops";
import type { MessageEvent } from "./types";

/** Why a message notifies someone: it mentions them, or it is a message they want every one of. */
export type NotifyReason = "mention" | "message";

/**
 * Whether, and why, a message notifies a member at `level`: `"mention"` when it mentions them
 * (by name or a group mention), `"message"` when their level is every message or the channel is
 * a direct message (a DM is to you; level Nothing mutes it), else false. The server decides Web
 * Push by it, the web client its in-tab notifications, so both agree. Leaving out the author
 * (nobody is notified of their own message) is the caller's.
 */
export function notifies(
  userId: number,
  level: NotifyLevel,
  event: Pick<MessageEvent, "mn" | "mg">,
  direct: boolean,
): NotifyReason | false {
  if (level === NotifyLevel.None) return false;
  if (event.mg !== undefined || (event.mn?.includes(userId) ?? false)) return "mention";
  return direct || level === NotifyLevel.All ? "message" : false;
}
