import { type ChannelEvent, EventType, excerpt, NotifyLevel } from "@parley/protocol";

/** A browser notification to show (the Notification API's title and options). */
export interface Alert {
  title: string;
  body: string;
  /** One per channel, so a channel's alerts replace each other. */
  tag: string;
}

/** Events older than this (a replay after a reconnect) raise no alert. */
const FRESH_MS = 60_000;

/**
 * The alert a live event raises while the tab is hidden: a message by someone else that
 * mentions you (by name, or `@here`/`@channel`), unless the channel's level is Nothing. Pushes
 * cover the devices with no connection; this covers an open but hidden tab.
 */
export function mentionAlert(
  event: ChannelEvent,
  channel: { id: number; name: string; level: NotifyLevel },
  me: number,
  now: number,
): Alert | null {
  if (event.t !== EventType.MessagePosted || event.a === me || event.dl) return null;
  if (channel.level === NotifyLevel.None || now - event.ts > FRESH_MS) return null;
  if (event.mg === undefined && !event.mn?.includes(me)) return null;
  return {
    title: `Mention in #${channel.name}`,
    body: `${event.an}: ${excerpt(event.x)}`,
    tag: `parley-channel-${channel.id}`,
  };
}
