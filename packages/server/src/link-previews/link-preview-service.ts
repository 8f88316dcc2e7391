import type { LinkPreview } from "@parley/protocol";
import type { Logger } from "pino";
import type { LinkPreviewAttachment } from "../storage/message-store";
import { linksOf } from "./links";
import { parsePageMetadata } from "./page-metadata";
import { type SafeFetchOptions, safeFetch } from "./safe-fetch";

/** Settings of link previews (`PARLEY_LINK_PREVIEW_*`). */
export interface LinkPreviewOptions {
  /** The fetch policy's lists and the test-only local origins. */
  block?: readonly string[];
  allow?: readonly string[];
  localOrigins?: readonly string[];
  /** Fetches at once on this node; more wait their turn. Default 4. */
  concurrency?: number;
  /** Most messages waiting for a fetch; past it new ones get no preview. Default 1000. */
  queueMax?: number;
  /** Page time limit (ms), redirects included. Default 5000. */
  timeoutMs?: number;
  /** Bytes of HTML read at most (only up to `</head>`). Default 512 KiB. */
  maxHtmlBytes?: number;
  /** Bytes of a preview image fetched at most. Default 5 MiB. */
  maxImageBytes?: number;
  /** The resolver behind the address check (tests). */
  resolve?: SafeFetchOptions["resolve"];
}

/** What the service needs from the rest of the server. */
export interface LinkPreviewDeps {
  /** Stores the previews with their event and publishes it (the message service). */
  attach: (attachment: LinkPreviewAttachment) => Promise<unknown>;
  /** Re-encodes a fetched image into Parley's file store, uploaded by the author. */
  storeImage: (
    authorId: number,
    bytes: Buffer,
  ) => Promise<{ id: string; width: number; height: number }>;
  logger: Logger;
}

/** A message whose links are to be previewed. */
export interface PreviewJob {
  channelId: number;
  messageId: number;
  version: number;
  authorId: number;
  content: string;
  /** An edit: previews of the earlier version give way, even to none. */
  edit?: boolean;
}

/** The User-Agent of every preview fetch: a site can tell Parley's fetcher and refuse it. */
export const PREVIEW_USER_AGENT = "Parley-LinkPreview/1 (+https://github.com/parley-chat)";

/**
 * Makes previews of the first links of new and edited messages, off the send path: `enqueue`
 * returns at once (called after the ack and the publish, on the node that stored the message
 * only), a bounded number of fetches run at a time, one fetch per URL is in flight on a node
 * (messages that link the same page share it), and a failed fetch just means no preview for
 * that link. Each page and its image are fetched through {@link safeFetch}; the image is
 * stored re-encoded in the file store, never linked to.
 */
export class LinkPreviewService {
  private readonly queue: PreviewJob[] = [];
  private readonly inFlight = new Map<string, Promise<PageFetch | undefined>>();
  private running = 0;
  private closed = false;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly deps: LinkPreviewDeps,
    private readonly options: LinkPreviewOptions = {},
  ) {}

  /** Queues a message's links; returns at once. A message without links costs nothing. */
  enqueue(job: PreviewJob): void {
    if (this.closed || (linksOf(job.content).length === 0 && !job.edit)) return;
    if (this.queue.length >= (this.options.queueMax ?? 1000)) return;
    this.queue.push(job);
    this.pump();
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  drained(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** Stops taking jobs and waits for those running. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.drained();
  }

  private pump(): void {
    while (this.running < (this.options.concurrency ?? 4) && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      this.run(job)
        .catch((err) => this.deps.logger.warn({ err }, "link preview failed"))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) {
            for (const resolve of this.idle) resolve();
            this.idle.clear();
          }
        });
    }
  }

  private async run(job: PreviewJob): Promise<void> {
    const links = linksOf(job.content);
    const pages = await Promise.all(links.map((url) => this.page(url)));
    const previews: LinkPreview[] = [];
    for (const [i, page] of pages.entries()) {
      if (!page) continue;
      const preview: LinkPreview = { u: links[i]! };
      if (page.title) preview.t = page.title;
      if (page.description) preview.d = page.description;
      if (page.siteName) preview.s = page.siteName;
      if (page.image) {
        const image = await this.image(job.authorId, page.image);
        if (image) preview.im = image;
      }
      if (preview.t || preview.d) previews.push(preview);
    }
    if (previews.length === 0 && !job.edit) return;
    await this.deps.attach({
      channelId: job.channelId,
      messageId: job.messageId,
      version: job.version,
      previews,
    });
  }

  private fetchOptions(): Pick<
    SafeFetchOptions,
    "block" | "allow" | "localOrigins" | "resolve" | "timeoutMs" | "userAgent"
  > {
    const { block, allow, localOrigins, resolve } = this.options;
    return {
      ...(block ? { block } : {}),
      ...(allow ? { allow } : {}),
      ...(localOrigins ? { localOrigins } : {}),
      ...(resolve ? { resolve } : {}),
      timeoutMs: this.options.timeoutMs ?? 5000,
      userAgent: PREVIEW_USER_AGENT,
    };
  }

  /** The page's metadata, fetched once per URL in flight on this node. */
  private page(url: string): Promise<PageFetch | undefined> {
    let pending = this.inFlight.get(url);
    if (!pending) {
      pending = this.fetchPage(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, pending);
    }
    return pending;
  }

  private async fetchPage(url: string): Promise<PageFetch | undefined> {
    try {
      const got = await safeFetch(url, {
        ...this.fetchOptions(),
        accept: "text/html,application/xhtml+xml;q=0.9",
        maxBytes: this.options.maxHtmlBytes ?? 512 * 1024,
        truncate: true,
        stopAt: /<\/head\s*>/i,
      });
      if (!/^\s*(text\/html|application\/xhtml\+xml)/i.test(got.contentType)) return undefined;
      return parsePageMetadata(got.body.toString("utf8"), got.url);
    } catch (err) {
      this.deps.logger.debug({ err, url }, "link preview: page not fetched");
      return undefined;
    }
  }

  private async image(authorId: number, url: string): Promise<LinkPreview["im"]> {
    try {
      const got = await safeFetch(url, {
        ...this.fetchOptions(),
        accept: "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.8",
        maxBytes: this.options.maxImageBytes ?? 5 * 1024 * 1024,
      });
      if (!/^\s*image\//i.test(got.contentType)) return undefined;
      const stored = await this.deps.storeImage(authorId, got.body);
      return { i: stored.id, w: stored.width, h: stored.height };
    } catch (err) {
      this.deps.logger.debug({ err, url }, "link preview: image not fetched");
      return undefined;
    }
  }
}

type PageFetch = ReturnType<typeof parsePageMetadata>;
