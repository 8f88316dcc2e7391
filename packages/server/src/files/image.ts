import sharp, { type Metadata, type Sharp } from "sharp";

/** Image types the server reads, re-encodes without metadata and thumbnails. */
export const IMAGE_TYPES: ReadonlySet<string> = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
]);

/** Types a browser may show inline (never SVG, which can carry script). */
export const INLINE_TYPES = IMAGE_TYPES;

/** The longest side of a thumbnail, in pixels. */
export const THUMB_SIDE = 400;

/**
 * The most pixels (of all frames) an image may decode to: 50 MP. A decompression bomb (a few KB
 * of PNG that claims 100k × 100k) is refused before libvips allocates for it.
 */
export const MAX_INPUT_PIXELS = 50_000_000;

/** GIF and WebP may be animated: their frames are kept. */
function animated(type: string): boolean {
  return type === "image/gif" || type === "image/webp";
}

/**
 * A transform from an image's bytes to the same image in its own format with no metadata
 * (EXIF with its GPS position, XMP, IPTC, comments): sharp writes none unless asked to. A JPEG
 * is turned upright by its EXIF orientation first, since the orientation goes with the EXIF.
 * Animated GIF and WebP keep every frame.
 */
export function withoutMetadata(type: string): Sharp {
  const image = sharp({
    limitInputPixels: MAX_INPUT_PIXELS,
    animated: animated(type),
    failOn: "error",
  });
  if (type === "image/jpeg") return image.rotate().jpeg({ quality: 90, mozjpeg: true });
  if (type === "image/png") return image.png();
  if (type === "image/gif") return image.gif();
  return image.webp({ quality: 90 });
}

/**
 * A transform from an image's bytes to a still WebP thumbnail of its first frame, at most
 * {@link THUMB_SIDE} on its longest side (never enlarged): a page of history loads one small
 * still per image, and the original (animated or not) is a click away.
 */
export function thumbnail(): Sharp {
  return sharp({ limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" })
    .resize(THUMB_SIDE, THUMB_SIDE, { fit: "inside", withoutEnlargement: true })
    .webp({ quality: 80 });
}

/** A transform that reads an image's dimensions (of one frame for an animation). */
export function dimensions(): Sharp {
  return sharp({ limitInputPixels: MAX_INPUT_PIXELS, animated: true });
}

/** The width and height of one frame, from sharp's metadata. */
export function frameSize(meta: Metadata): { width: number; height: number } {
  return { width: meta.width ?? 0, height: meta.pageHeight ?? meta.height ?? 0 };
}

/** An avatar's side, in pixels. */
export const AVATAR_SIDE = 256;

/** A transform from an image to a still square WebP avatar, cropped to its centre. */
export function avatarImage(): Sharp {
  return sharp({ limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" })
    .resize(AVATAR_SIDE, AVATAR_SIDE, { fit: "cover", position: "attention" })
    .webp({ quality: 82 });
}
