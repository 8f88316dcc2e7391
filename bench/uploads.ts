/**
 * What files cost: a server process of its own (SQLite, disk file store) in a fresh directory.
 *
 * - upload throughput: `--clients` accounts each uploading `--files` files of 1 MiB at once;
 * - thumbnail cost: ms per 1-megapixel PNG and JPEG for the server's image work (re-encode
 *   without metadata, thumbnail, dimensions), in this process, median of 10;
 * - the send path while uploads run: messages/s of one client with 50 sends in flight, alone,
 *   then with 4 accounts uploading 1 MiB files in a loop, as a ratio in the same run;
 * - peak RSS of the server while 20 accounts upload 25 MiB each at once (VmHWM from /proc).
 *
 *   node --import tsx bench/uploads.ts [--clients 8] [--files 10] [--sends 2000]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { ParleyClient } from "@parley/client";
import sharp from "sharp";
import WebSocket from "ws";
import { dimensions, thumbnail, withoutMetadata } from "../packages/server/src/files/image";
import { spawnServer } from "../packages/server/test/process";
import { describeRun, runInfo } from "./lib/machine";
import { markdownTable, times } from "./lib/report";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "8" },
    files: { type: "string", default: "10" },
    sends: { type: "string", default: "2000" },
  },
});
const CLIENTS = Number(values.clients);
const FILES = Number(values.files);
const SENDS = Number(values.sends);
const MiB = 1 << 20;

const dir = mkdtempSync(join(tmpdir(), "parley-bench-uploads-"));
const server = await spawnServer(
  {
    PARLEY_DATABASE_URL: `sqlite:${join(dir, "parley.db")}`,
    PARLEY_RATE_LIMITS: "upload=100000/100000,send=100000/100000,register=100000/100000",
    PARLEY_UPLOAD_QUOTA_BYTES: String(100 * 1024 * MiB),
  },
  120_000,
);
const pid = server.child.pid!;

/** The server's resident set now and its peak so far, in MiB. */
function rss(): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { now: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

let accounts = 0;
async function register(): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: `bench${++accounts}`, password: "correct horse battery" }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** Uploads `bytes` bytes of `chunk` as a stream (the client holds one chunk). */
function upload(token: string, bytes: number, chunk = randomBytes(64 * 1024)): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/api/v1/files?name=f.bin`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-length": String(bytes) },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 201 ? resolve() : reject(new Error(`${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    async function* body() {
      for (let sent = 0; sent < bytes; sent += chunk.length)
        yield chunk.subarray(0, Math.min(chunk.length, bytes - sent));
    }
    pipeline(body(), req).catch(reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  // 1. Upload throughput.
  const tokens = await Promise.all(Array.from({ length: CLIENTS }, register));
  let started = performance.now();
  await Promise.all(
    tokens.map(async (t) => {
      for (let i = 0; i < FILES; i++) await upload(t, MiB);
    }),
  );
  const uploadSeconds = (performance.now() - started) / 1000;
  const uploadRate = (CLIENTS * FILES) / uploadSeconds;

  // 2. Thumbnail cost per 1-MP image.
  const noise = await sharp(randomBytes(1000 * 1000 * 3), {
    raw: { width: 1000, height: 1000, channels: 3 },
  })
    .blur(2)
    .png()
    .toBuffer();
  const jpeg = await sharp(noise).jpeg().toBuffer();
  const cost = async (type: string, input: Buffer) => {
    const runs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const clean = await sharp(input).pipe(withoutMetadata(type)).toBuffer();
      await sharp(clean).pipe(thumbnail()).toBuffer();
      await sharp(clean).pipe(dimensions()).metadata();
      runs.push(performance.now() - t);
    }
    return median(runs);
  };
  const pngMs = await cost("image/png", noise);
  const jpegMs = await cost("image/jpeg", jpeg);

  // 3. The send path, alone and while uploads run.
  const senderToken = await register();
  const sender = new ParleyClient({
    url: `${server.url.replace("http", "ws")}/ws`,
    token: senderToken,
    WebSocket: WebSocket as never,
  });
  await sender.connect();
  const { ch } = await sender.createChannel("bench");
  const sendRate = async () => {
    const t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < SENDS) {
          next++;
          await sender.send(ch.i, `message ${next}`);
        }
      }),
    );
    return SENDS / ((performance.now() - t) / 1000);
  };
  const alone = await sendRate();
  let uploading = true;
  const uploaders = await Promise.all(Array.from({ length: 4 }, register));
  let background = 0;
  const loops = uploaders.map(async (t) => {
    while (uploading) {
      await upload(t, MiB);
      background++;
    }
  });
  const during = await sendRate();
  uploading = false;
  await Promise.all(loops);
  await sender.close();

  // 4. Peak RSS with 20 uploads of 25 MiB at once.
  const big = await Promise.all(Array.from({ length: 20 }, register));
  const before = rss();
  started = performance.now();
  await Promise.all(big.map((t) => upload(t, 25 * MiB - 1)));
  const bigSeconds = (performance.now() - started) / 1000;
  const after = rss();

  console.log(describeRun(runInfo()));
  console.log(
    markdownTable(
      ["Measure", "Value"],
      [
        [
          `Uploads of 1 MiB, ${CLIENTS} clients × ${FILES}`,
          `${uploadRate.toFixed(1)} files/s (${uploadRate.toFixed(1)} MiB/s)`,
        ],
        ["Image work per 1-MP PNG (re-encode, thumbnail, size)", `${pngMs.toFixed(1)} ms`],
        ["Image work per 1-MP JPEG (re-encode, thumbnail, size)", `${jpegMs.toFixed(1)} ms`],
        ["Sends/s, alone (50 in flight)", alone.toFixed(0)],
        [
          `Sends/s while 4 clients upload 1 MiB files (${background} uploaded)`,
          `${during.toFixed(0)} (${times(during / alone)} of alone)`,
        ],
        [
          "Server RSS before 20 × 25 MiB at once",
          `${before.now.toFixed(0)} MiB (peak so far ${before.peak.toFixed(0)} MiB)`,
        ],
        [
          `Server peak RSS during them (${bigSeconds.toFixed(1)} s, 500 MiB in all)`,
          `${after.peak.toFixed(0)} MiB`,
        ],
      ],
    ),
  );
} finally {
  server.child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
