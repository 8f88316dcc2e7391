import {
  type ChannelEvent,
  type Encoding,
  encodeFrame,
  Op,
  type ServerPush,
} from "@parley/protocol";

/** Most events in one Events frame: a burst becomes several frames, each still shared. */
export const MAX_EVENTS_PER_FRAME = 100;

/** The Events frames carrying `events` of one channel, in order. */
export function eventFrames(channelId: number, events: readonly ChannelEvent[]): SharedFrame[] {
  const frames: SharedFrame[] = [];
  for (let i = 0; i < events.length; i += MAX_EVENTS_PER_FRAME) {
    frames.push(
      new SharedFrame({
        o: Op.Events,
        d: { c: channelId, e: events.slice(i, i + MAX_EVENTS_PER_FRAME) },
      }),
    );
  }
  return frames;
}

/**
 * A server frame encoded at most once per encoding, however many sockets it goes to.
 * JSON is kept as a Buffer so that `ws` does not convert the string again for every socket.
 */
export class SharedFrame {
  private json?: Buffer;
  private msgpack?: Uint8Array;

  constructor(readonly frame: ServerPush) {}

  bytes(encoding: Encoding): Buffer | Uint8Array {
    if (encoding === "json") {
      this.json ??= Buffer.from(encodeFrame("json", this.frame) as string);
      return this.json;
    }
    this.msgpack ??= encodeFrame("msgpack", this.frame) as Uint8Array;
    return this.msgpack;
  }
}
