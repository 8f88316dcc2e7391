import { LIMITS } from "@parley/protocol";

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to remove them
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
/** Bidi controls and zero-width characters, which make a name read as another. */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The name an uploader gave, fit for display: its last path segment (either slash), without
 * control, bidi and zero-width characters, trimmed, lone surrogates replaced, at most
 * `fileNameMax` UTF-16 code units (cut on a character boundary, the extension kept when it is
 * short). Empty becomes `file`. It is shown, never used as a path.
 */
export function sanitizeFileName(raw: string): string {
  let name = raw.replace(LONE_SURROGATE, "\uFFFD");
  name = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  name = name.replace(CONTROL, "").replace(INVISIBLE, "").trim();
  if (name === "" || name === "." || name === "..") return "file";
  if (name.length <= LIMITS.fileNameMax) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  return cut(name.slice(0, name.length - ext.length), LIMITS.fileNameMax - ext.length) + ext;
}

/** The longest prefix of `s` of at most `max` code units that does not split a pair. */
function cut(s: string, max: number): string {
  let out = s.slice(0, max);
  const last = out.charCodeAt(out.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
  return out;
}
