/** A stable colour slot for a name, so a person keeps their colour everywhere. */
function hue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return h % 8;
}

/** The first letter of a name on a coloured disc; decorative (the name is always next to it). */
export function Avatar({ name, size = "md" }: { name: string; size?: "sm" | "md" | "lg" }) {
  const letter = (name.replace(/^guest-/, "")[0] ?? "?").toUpperCase();
  return (
    <span className={`avatar avatar-${size} avatar-c${hue(name)}`} aria-hidden="true">
      {letter}
    </span>
  );
}
