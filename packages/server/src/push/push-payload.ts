/**
 * The JSON a push carries to the service worker, encrypted end to end to the browser
 * (RFC 8291): enough to show the notification and open the message without a connection.
 */
export interface PushPayload {
  /** Channel id. */
  c: number;
  /** Channel name; empty for a direct message. */
  cn: string;
  /** Present for a direct message: the notification is titled by the author. */
  dm?: true;
  /** The message's seq. */
  s: number;
  /** Message id. */
  m: number;
  /** Author's username. */
  a: string;
  /** An excerpt of the content, or the first file's name for files alone (`notificationText()`). */
  x: string;
  /** Why: the message mentions the recipient, or the channel notifies of every message. */
  t: "mention" | "message";
}
