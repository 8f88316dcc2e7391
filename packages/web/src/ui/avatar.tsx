import { useState } from "react";
import { avatarUrl } from "../chat/people";

/** A stable colour slot for a name, so a person keeps their colour everywhere. */
function hue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return h % 8;
}

const PIXELS = { sm: 26, md: 36, lg: 48 } as const;

/**
 * A person's picture: their avatar (`av`, an image id) when they chose one, else the first
 * letter of their name on a coloured disc (also when the image cannot be read). Decorative: the
 * name is always next to it (the image's alt text is empty).
 */
export function Avatar({
  name,
  av,
  size = "md",
}: {
  name: string;
  av?: string | undefined;
  size?: "sm" | "md" | "lg";
}) {
  const [failed, setFailed] = useState<string>();
  if (av && failed !== av) {
    return (
      <img
        className={`avatar avatar-${size} avatar-image`}
        src={avatarUrl(av)}
        alt=""
        width={PIXELS[size]}
        height={PIXELS[size]}
        decoding="async"
        draggable={false}
        onError={() => setFailed(av)}
      />
    );
  }
  const letter = (name.replace(/^guest-/, "")[0] ?? "?").toUpperCase();
  return (
    <span className={`avatar avatar-${size} avatar-c${hue(name)}`} aria-hidden="true">
      {letter}
    </span>
  );
}
