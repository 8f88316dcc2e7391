import { fileIdSchema, LIMITS } from "@parley/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ByteRange } from "../files/file-store";
import { INLINE_TYPES } from "../files/image";
import type { Authenticated } from "../services/auth-service";
import type { Services } from "../services/services";
import type { FileRow } from "../storage/file-rows";

/** What the file routes take from the API's other routes. */
export interface FileRouteHelpers {
  authenticate: (req: FastifyRequest) => Promise<Authenticated>;
  /** Takes a token of the user's bucket, or refuses with RATE_LIMITED. */
  limitUser: (auth: Authenticated, name: "upload") => Promise<void>;
  parse: <T>(schema: z.ZodType<T>, value: unknown) => T;
}

/**
 * Every file response is a download, never a page: no sniffing, no script, no plugin, a
 * sandbox even for an image opened as a document, cached by the browser of the one user only.
 */
const FILE_CSP = "default-src 'none'; sandbox";

const nameQuery = z.object({
  name: z
    .string()
    .max(4 * LIMITS.fileNameMax)
    .optional(),
});

/**
 * The file routes under /api/v1/files: upload (the request body is the file, streamed; the
 * name in `?name=`), download and thumbnail (with the Bearer token, or a signed link's query),
 * and signed links. Registered in their own scope, where every body is left unparsed.
 */
export function registerFileRoutes(
  app: FastifyInstance,
  services: Services,
  helpers: FileRouteHelpers,
): void {
  const { authenticate, limitUser, parse } = helpers;
  app.register(async (scope) => {
    // The body is the file: streamed to the store by the handler, whatever its type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));

    scope.post("/api/v1/files", async (req, reply) => {
      const auth = await authenticate(req);
      await limitUser(auth, "upload");
      const { name } = parse(nameQuery, req.query);
      const length = req.headers["content-length"];
      try {
        const uploaded = await services.files.upload(
          auth.user,
          name ?? "file",
          req.raw,
          length === undefined ? undefined : Number(length),
        );
        return reply.code(201).send(uploaded);
      } catch (err) {
        // The rest of the body is not read: the connection closes after the answer.
        if (!req.raw.readableEnded) reply.header("connection", "close");
        throw err;
      }
    });

    scope.get<{ Params: { id: string } }>("/api/v1/files/:id/url", async (req) => {
      const auth = await authenticate(req);
      const id = parse(fileIdSchema, req.params.id);
      return services.files.link(id, auth.user.id, "");
    });

    scope.get<{ Params: { id: string } }>("/api/v1/files/:id", async (req, reply) => {
      const file = await readable(req, false);
      const size = file.size;
      const range = parseRange(req.headers.range, size);
      fileHeaders(reply, file, file.type);
      reply.header("accept-ranges", "bytes");
      if (range === "unsatisfiable") {
        reply.header("content-range", `bytes */${size}`);
        return reply.code(416).send();
      }
      if (range) {
        reply.header("content-range", `bytes ${range.start}-${range.end}/${size}`);
        reply.header("content-length", String(range.end - range.start + 1));
        return reply.code(206).send(await services.files.open(file, range));
      }
      reply.header("content-length", String(size));
      return reply.code(200).send(await services.files.open(file));
    });

    scope.get<{ Params: { id: string } }>("/api/v1/files/:id/thumb", async (req, reply) => {
      const file = await readable(req, true);
      fileHeaders(reply, file, "image/webp");
      return reply.code(200).send(await services.files.openThumb(file));
    });
  });

  /**
   * The file a request may read: its user from the Bearer token, or from a signed link's
   * query; then the access check of storage, now.
   */
  async function readable(req: FastifyRequest, thumb: boolean): Promise<FileRow> {
    const id = parse(fileIdSchema, (req.params as { id: string }).id);
    const query = req.query as Record<string, unknown>;
    const userId =
      req.headers.authorization === undefined && query.s !== undefined
        ? await services.files.linkUser(id, thumb, query)
        : (await authenticate(req)).user.id;
    return services.files.readable(id, userId);
  }
}

/** The headers of every file response (see {@link FILE_CSP}). */
function fileHeaders(reply: FastifyReply, file: FileRow, type: string): void {
  reply.header("content-type", type);
  reply.header("content-security-policy", FILE_CSP);
  reply.header("x-content-type-options", "nosniff");
  reply.header("cache-control", "private, max-age=300");
  reply.header("cross-origin-resource-policy", "same-origin");
  const disposition = INLINE_TYPES.has(type) ? "inline" : "attachment";
  reply.header("content-disposition", `${disposition}; ${dispositionName(file.name)}`);
}

/** A Content-Disposition filename: ASCII fallback and the UTF-8 name (RFC 6266, 8187). */
function dispositionName(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * One range of a Range header (`bytes=a-b`, `bytes=a-`, `bytes=-n`) within `size`: undefined
 * when there is none or it is not one we serve (several ranges: the whole file), or
 * "unsatisfiable" when it starts past the end.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
