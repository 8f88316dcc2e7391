import { useMemo } from "react";
import { splitLinks } from "../chat/linkify";

/** Message content as text nodes, with http(s) links opened in a new tab. Never parsed as HTML. */
export function MessageText({ text }: { text: string }) {
  const parts = useMemo(() => splitLinks(text), [text]);
  return (
    <>
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
    </>
  );
}
