import { parseEntities } from "parse-entities";

/** What a page says about itself, read from its `<head>`: plain text, entities decoded. */
export interface PageMetadata {
  title?: string;
  description?: string;
  siteName?: string;
  /** The preview image's absolute URL (resolved against the page's URL). */
  image?: string;
}

/** Longest title, description and site name kept (characters); the rest is cut with "…". */
export const METADATA_LIMITS = { title: 200, description: 300, siteName: 100 } as const;

const META = /<meta\b([^>]*)>/gi;
const ATTRIBUTE = /([^\s=/"'<>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const TITLE = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i;
// Comments and the bodies of scripts and styles may hold text that looks like tags.
const NOISE = /<!--[\s\S]*?-->|<(script|style|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;

function attributes(source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of source.matchAll(ATTRIBUTE)) {
    const name = m[1]!.toLowerCase();
    if (!out.has(name)) out.set(name, m[2] ?? m[3] ?? m[4] ?? "");
  }
  return out;
}

/** Decodes entities, drops control characters, collapses whitespace, cuts to `max`. */
function text(raw: string | undefined, max: number): string | undefined {
  if (raw === undefined) return undefined;
  const decoded = parseEntities(raw)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are removed on purpose
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (decoded === "") return undefined;
  const chars = [...decoded];
  return chars.length > max
    ? `${chars
        .slice(0, max - 1)
        .join("")
        .trimEnd()}…`
    : decoded;
}

/** The part of a page before `</head>` (or before `<body`), where the metadata lives. */
export function headOf(html: string): string {
  const end = html.search(/<\/head\s*>|<body\b/i);
  return end === -1 ? html : html.slice(0, end);
}

/**
 * Reads a page's Open Graph metadata (`og:title`, `og:description`, `og:image`,
 * `og:site_name`), falling back to `<title>` and `<meta name="description">`. Only the head is
 * read; every value is text (tags are never interpreted, entities are decoded). The image URL
 * is kept only when it is http(s) after resolving against `pageUrl`.
 */
export function parsePageMetadata(html: string, pageUrl: string): PageMetadata {
  const head = headOf(html).replace(NOISE, " ");
  const og = new Map<string, string>();
  const named = new Map<string, string>();
  for (const m of head.matchAll(META)) {
    const attrs = attributes(m[1]!);
    const content = attrs.get("content");
    if (content === undefined) continue;
    const property = attrs.get("property")?.toLowerCase();
    const name = attrs.get("name")?.toLowerCase();
    // Some pages put Open Graph keys in `name`; `property` wins when both are there.
    for (const key of [property, name]) {
      if (key?.startsWith("og:") && !og.has(key)) og.set(key, content);
    }
    if (name && !named.has(name)) named.set(name, content);
  }
  const titleTag = TITLE.exec(head)?.[1]?.replace(/<[^>]*>/g, "");
  const out: PageMetadata = {};
  const title =
    text(og.get("og:title"), METADATA_LIMITS.title) ?? text(titleTag, METADATA_LIMITS.title);
  const description =
    text(og.get("og:description"), METADATA_LIMITS.description) ??
    text(named.get("description"), METADATA_LIMITS.description);
  const siteName = text(og.get("og:site_name"), METADATA_LIMITS.siteName);
  const image = imageUrl(og.get("og:image:secure_url") ?? og.get("og:image"), pageUrl);
  if (title) out.title = title;
  if (description) out.description = description;
  if (siteName) out.siteName = siteName;
  if (image) out.image = image;
  return out;
}

function imageUrl(raw: string | undefined, base: string): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(parseEntities(raw).trim(), base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
