import { useMemo } from "react";
import { splitLinks } from "../chat/linkify";

/**
 * Message content as text nodes, with http(s) links opened in a new tab. Never parsed as HTML.
 * Isolated for bidi (`<bdi>`): right-to-left text and the bidi controls it may carry keep to
 * the message and cannot reorder the author's name or anything around it.
 */
export function MessageText({ text }: { text: string }) {
  const parts = useMemo(() => splitLinks(text), [text]);
  return (
    <bdi>
      {parts.map((part, k) =>
        part.kind === "link" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable string
          <a key={k} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable string
          <span key={k}>{part.text}</span>
        ),
      )}
    </bdi>
  );
}
