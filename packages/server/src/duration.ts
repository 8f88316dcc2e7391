const UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Longest mute or ban with an end: 28 days. */
export const MAX_DURATION_MS = 28 * UNITS.d;

/** Parses `30s`, `10m`, `2h`, `7d` to milliseconds; undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,7})([smhd])$/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2]!.toLowerCase() as keyof typeof UNITS];
}

/** Formats milliseconds as the largest two units, e.g. `2h 5m`, `45s`. */
export function formatDuration(ms: number): string {
  let rest = Math.max(1, Math.ceil(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}
