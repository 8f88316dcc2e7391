import {
  type ChannelEvent,
  EventType,
  type NotifyLevel,
  notificationText,
  notifies,
} from "@parley/protocol";

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
 * notifies you by the same rule as Web Push (`notifies`: a mention, any message at level All,
 * any message of a DM; nothing at level Nothing). Pushes cover the devices with no connection;
 * this covers an open but hidden tab. A DM's alert is titled by its author, a channel's by the
 * channel.
 */
export function messageAlert(
  event: ChannelEvent,
  channel: { id: number; name: string; level: NotifyLevel; direct: boolean },
  me: number,
  now: number,
): Alert | null {
  if (event.t !== EventType.MessagePosted || event.a === me || event.dl) return null;
  if (now - event.ts > FRESH_MS) return null;
  const why = notifies(me, channel.level, event, channel.direct);
  if (!why) return null;
  const tag = `parley-channel-${channel.id}`;
  const text = notificationText(event.x, event.f);
  if (channel.direct) return { title: event.an, body: text, tag };
  return {
    title: why === "mention" ? `Mention in #${channel.name}` : `#${channel.name}`,
    body: `${event.an}: ${text}`,
    tag,
  };
}
