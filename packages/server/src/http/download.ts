import type { FastifyReply, FastifyRequest } from "fastify";
import type { ExportDownload } from "../export/export-service";

/** Answers with an export's archive as an attachment, streamed as it is written. */
export function sendDownload(req: FastifyRequest, reply: FastifyReply, download: ExportDownload) {
  download.done.catch((err: unknown) => req.log.warn({ err }, "export cut short"));
  return reply
    .header("content-type", "application/zip")
    .header("content-disposition", `attachment; filename="${download.fileName}"`)
    .header("cache-control", "no-store")
    .send(download.zip.readable);
}
