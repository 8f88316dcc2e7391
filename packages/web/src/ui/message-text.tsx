import type { ReactNode } from "react";
import Markdown, { type Components } from "react-markdown";
import { type Mention, markdownOptions, mentionPills } from "../chat/markdown";
import "./markdown.css";

/** A link that passed `safeUrl` opens in a new tab; one that did not shows as its text. */
function Link({ href, children }: { href?: string; children?: ReactNode }) {
  if (!href) return <>{children}</>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

/** Images are never loaded: a link to the image, named by its alt text or its address. */
function Image({ src, alt }: { src?: string | Blob; alt?: string }) {
  const href = typeof src === "string" ? src : undefined;
  return <Link href={href}>{alt || href || ""}</Link>;
}

const components: Components = {
  a: ({ href, children }) => <Link href={href}>{children}</Link>,
  img: ({ src, alt }) => <Image src={src} alt={alt} />,
};

/**
 * Message content as Markdown (`chat/markdown.ts`) rendered to React elements: never parsed
 * as HTML, links only to http(s) and mailto, opened in a new tab. Isolated for bidi (`<bdi>`):
 * right-to-left text and the bidi controls it may carry keep to the message and cannot
 * reorder the author's name or anything around it. `mentions` (see `shownMentions`) makes the
 * resolved `@names` pills, a person's showing their display name.
 */
export function MessageText({
  text,
  mentions,
}: {
  text: string;
  mentions?: ReadonlyMap<string, Mention>;
}) {
  const rehypePlugins =
    mentions && mentions.size > 0
      ? [...markdownOptions.rehypePlugins, () => mentionPills(mentions)]
      : markdownOptions.rehypePlugins;
  return (
    <bdi className="md">
      <Markdown {...markdownOptions} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </Markdown>
    </bdi>
  );
}
