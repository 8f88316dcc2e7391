import type { ParleyClient } from "@parley/client";
import type { LinkPreview, MessageEvent } from "@parley/protocol";
import { useEffect, useState } from "react";
import "./link-preview.css";

/** The image of a preview, through a signed link to Parley's copy (never the page's own URL). */
function Thumbnail({
  client,
  image,
}: {
  client: ParleyClient;
  image: NonNullable<LinkPreview["im"]>;
}) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let live = true;
    client
      .fileLink(image.i)
      .then((link) => live && setSrc(link.url))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [client, image.i]);
  if (!src) return null;
  return <img className="link-preview-image" src={src} width={image.w} height={image.h} alt="" />;
}

/** Only http(s) URLs become links (the server previews nothing else; a replayed event might). */
function safeHref(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The link previews of a message as cards: site, title (a link to the page), description and
 * thumbnail, all rendered as text. `mayRemove` (the author, moderators) adds a remove button.
 */
export function LinkPreviews({
  client,
  channelId,
  message,
  mayRemove,
}: {
  client: ParleyClient;
  channelId: number;
  message: MessageEvent;
  mayRemove: boolean;
}) {
  if (!message.lp || message.lp.length === 0 || message.dl) return null;
  return (
    <ul className="link-previews" aria-label="Link previews">
      {message.lp.map((p) => {
        const href = safeHref(p.u);
        const title = p.t ?? p.u;
        return (
          <li key={p.u} className="link-preview" data-testid="link-preview">
            {p.im && <Thumbnail client={client} image={p.im} />}
            <div className="link-preview-text">
              {p.s && <div className="link-preview-site">{p.s}</div>}
              <div className="link-preview-title">
                {href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
                    {title}
                  </a>
                ) : (
                  title
                )}
              </div>
              {p.d && <p className="link-preview-description">{p.d}</p>}
            </div>
            {mayRemove && (
              <button
                type="button"
                className="link-preview-remove"
                aria-label={`Remove the preview of ${title}`}
                onClick={() =>
                  void client.removeLinkPreview(channelId, message.i, p.u).catch(() => {})
                }
              >
                ×
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
