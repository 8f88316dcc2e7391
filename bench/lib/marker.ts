/**
 * Every benchmark message carries its scheduled send time in its content: `~T` then 16 digits
 * of microseconds on the generator's clock, then `~`, then padding to the message size. The
 * receiving side finds the marks in the raw frame bytes without decoding the frame, so the
 * same code measures Parley (JSON or MessagePack, one or many events per frame) and the
 * baselines, and decoding never becomes the generator's bottleneck.
 */
const MARK = Buffer.from("~T");
const DIGITS = 16;
/** Bytes of `~T` + digits + `~`. */
export const MARK_BYTES = 2 + DIGITS + 1;

/** Microseconds on this process's monotonic clock. */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}

/** Message content of exactly `bytes` bytes (at least MARK_BYTES) stamped with `scheduledUs`. */
export function stampedContent(scheduledUs: number, bytes: number): string {
  const stamp = `~T${String(Math.round(scheduledUs)).padStart(DIGITS, "0")}~`;
  return stamp + "x".repeat(Math.max(0, bytes - stamp.length));
}

/** Calls `found` with every stamp in `data`; returns how many there were. */
export function scanStamps(data: Buffer, found: (scheduledUs: number) => void): number {
  let count = 0;
  let at = data.indexOf(MARK);
  while (at !== -1 && at + MARK_BYTES <= data.length) {
    let value = 0;
    for (let k = at + 2; k < at + 2 + DIGITS; k++) value = value * 10 + (data[k]! - 48);
    found(value);
    count++;
    at = data.indexOf(MARK, at + MARK_BYTES);
  }
  return count;
}

/** The same for a string (Socket.IO's client hands over decoded strings). */
export function scanStampsInString(text: string, found: (scheduledUs: number) => void): number {
  let count = 0;
  let at = text.indexOf("~T");
  while (at !== -1 && at + MARK_BYTES <= text.length) {
    found(Number(text.slice(at + 2, at + 2 + DIGITS)));
    count++;
    at = text.indexOf("~T", at + MARK_BYTES);
  }
  return count;
}
