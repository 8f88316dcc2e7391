import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import {
  addressAllowed,
  classifyAddress,
  guardedLookup,
  type Resolver,
} from "../http/address-policy";

/** How an outgoing fetch of a user-given URL is bounded. */
export interface SafeFetchOptions {
  /** Redirects followed, each checked like the first URL. Default 3. */
  maxRedirects?: number;
  /** The whole fetch, redirects and body included (ms). Default 5000. */
  timeoutMs?: number;
  /** Bytes of body read at most; past it the fetch fails (or stops, with `truncate`). */
  maxBytes: number;
  /** Stop reading at `maxBytes` (or once `stopAt` matches) and keep what came, instead of failing. */
  truncate?: boolean;
  /** Stop reading once the text read so far matches (e.g. `</head>`). */
  stopAt?: RegExp;
  /** The `Accept` header. */
  accept: string;
  /** The `User-Agent` header. */
  userAgent: string;
  /** Domains refused (each with its subdomains). */
  block?: readonly string[];
  /** When non-empty, only these domains (each with its subdomains) are fetched. */
  allow?: readonly string[];
  /**
   * Tests and development only: `host:port` origins on loopback that may be connected to (a
   * local test page). Every other loopback address stays refused.
   */
  localOrigins?: readonly string[];
  /** The resolver behind the connect-time address check (tests pass their own). */
  resolve?: Resolver;
}

/** A fetched body: the final URL (after redirects), its content type and bytes. */
export interface FetchedBody {
  url: string;
  contentType: string;
  body: Buffer;
}

/** Why a fetch was refused or failed; `code` is stable, for logs and tests. */
export class FetchRefusedError extends Error {
  override name = "FetchRefusedError";
  constructor(
    readonly code:
      | "BAD_URL"
      | "SCHEME"
      | "CREDENTIALS"
      | "BLOCKED_DOMAIN"
      | "REFUSED_ADDRESS"
      | "TOO_MANY_REDIRECTS"
      | "HTTP_STATUS"
      | "TOO_BIG"
      | "TIMEOUT"
      | "NETWORK",
    message: string,
  ) {
    super(message);
  }
}

function inDomains(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return domains.some((d) => {
    const domain = d.toLowerCase().replace(/^\*?\./, "");
    return h === domain || h.endsWith(`.${domain}`);
  });
}

/**
 * Why a URL may not be fetched, or null: only http(s), no credentials, not a blocked domain,
 * within the allow list when there is one, and an IP literal only when its address is public
 * (or it is one of the `localOrigins`). A host name's addresses are checked at connect time.
 */
export function fetchRefusal(
  raw: string,
  options: Pick<SafeFetchOptions, "block" | "allow" | "localOrigins">,
): FetchRefusedError | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return new FetchRefusedError("BAD_URL", "not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return new FetchRefusedError("SCHEME", `not http(s): ${url.protocol}`);
  if (url.username || url.password)
    return new FetchRefusedError("CREDENTIALS", "credentials in the URL");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (options.localOrigins?.includes(url.host)) return null;
  if (options.block && inDomains(host, options.block))
    return new FetchRefusedError("BLOCKED_DOMAIN", `${host} is blocked`);
  if (options.allow && options.allow.length > 0 && !inDomains(host, options.allow))
    return new FetchRefusedError("BLOCKED_DOMAIN", `${host} is not on the allow list`);
  if (isIP(host) !== 0 && !addressAllowed(host))
    return new FetchRefusedError("REFUSED_ADDRESS", `${host} is ${classifyAddress(host)}`);
  if (isIP(host) === 0 && !host.includes("."))
    return new FetchRefusedError("REFUSED_ADDRESS", `${host} is not a public host name`);
  return null;
}

/**
 * Fetches a user-given URL as a server must: each URL (the first and every redirect's) checked
 * by {@link fetchRefusal}, every host name's addresses checked when connecting (the lookup
 * hook, so DNS rebinding gains nothing), redirects followed by hand up to a limit, one time
 * limit for everything, a size limit, no cookies sent or kept, no connection reuse.
 */
export async function safeFetch(url: string, options: SafeFetchOptions): Promise<FetchedBody> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  const maxRedirects = options.maxRedirects ?? 3;
  const lookup = guardedLookup({}, options.resolve);
  let current = url;
  for (let hop = 0; ; hop++) {
    const refusal = fetchRefusal(current, options);
    if (refusal) throw refusal;
    const response = await get(current, options, lookup, deadline);
    const status = response.res.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.res.headers.location) {
      response.res.destroy();
      if (hop >= maxRedirects)
        throw new FetchRefusedError("TOO_MANY_REDIRECTS", `more than ${maxRedirects} redirects`);
      current = new URL(response.res.headers.location, current).href;
      continue;
    }
    if (status < 200 || status >= 300) {
      response.res.destroy();
      throw new FetchRefusedError("HTTP_STATUS", `status ${status}`);
    }
    const body = await read(response.res, options, deadline, response.abort);
    return { url: current, contentType: String(response.res.headers["content-type"] ?? ""), body };
  }
}

interface Open {
  res: IncomingMessage;
  abort: () => void;
}

function get(
  url: string,
  options: SafeFetchOptions,
  lookup: ReturnType<typeof guardedLookup>,
  deadline: number,
): Promise<Open> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const request = parsed.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(parsed, {
      method: "GET",
      agent: false,
      lookup,
      headers: {
        "User-Agent": options.userAgent,
        Accept: options.accept,
        "Accept-Encoding": "identity",
      },
    });
    const timer = setTimeout(
      () => req.destroy(new FetchRefusedError("TIMEOUT", "took too long")),
      Math.max(0, deadline - Date.now()),
    );
    req.on("response", (res) => {
      // From here the body's read keeps the deadline: this timer destroying the request under
      // it would end the read as a network error rather than a timeout.
      clearTimeout(timer);
      resolve({ res, abort: () => req.destroy() });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(classify(err));
    });
    req.end();
  });
}

function classify(err: unknown): FetchRefusedError {
  if (err instanceof FetchRefusedError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ERR_REFUSED_ADDRESS") return new FetchRefusedError("REFUSED_ADDRESS", e.message);
  return new FetchRefusedError("NETWORK", e.message ?? String(err));
}

function read(
  res: IncomingMessage,
  options: SafeFetchOptions,
  deadline: number,
  abort: () => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers["content-length"]);
    if (!options.truncate && Number.isFinite(declared) && declared > options.maxBytes) {
      abort();
      reject(new FetchRefusedError("TOO_BIG", `${declared} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: FetchRefusedError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).subarray(0, options.maxBytes));
    };
    const timer = setTimeout(
      () => {
        abort();
        finish(new FetchRefusedError("TIMEOUT", "took too long"));
      },
      Math.max(0, deadline - Date.now()),
    );
    res.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const stop = options.stopAt?.test(chunk.toString("latin1"));
      if (size > options.maxBytes && !options.truncate) {
        abort();
        finish(new FetchRefusedError("TOO_BIG", `more than ${options.maxBytes} bytes`));
      } else if (size >= options.maxBytes || stop) {
        abort();
        finish();
      }
    });
    res.on("end", () => finish());
    res.on("error", (err) => finish(classify(err)));
    res.on("close", () => finish());
  });
}
