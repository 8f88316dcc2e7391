import type { Encoding } from "@parley/protocol";
import type { BenchContext } from "../lib/context";
import { int, markdownTable, ms } from "../lib/report";
import type { ScenarioReport } from "../lib/scenario";
import { type FanoutStep, fanoutSeries } from "./fanout";

/**
 * JSON against MessagePack: the same fan-out steps on `parley.v1.json` and
 * `parley.v1.msgpack`, with the bytes each delivery and each frame cost on the wire.
 */
export async function encodings(ctx: BenchContext): Promise<ScenarioReport> {
  const conns = ctx.full ? 1000 : 200;
  const deliveryRates = ctx.full ? [100_000, 250_000, 500_000, 1_000_000, 2_000_000] : [100_000];
  const stepMs = ctx.full ? 5_000 : 1_500;
  const steps: FanoutStep[] = [];
  for (const encoding of ["json", "msgpack"] as Encoding[]) {
    steps.push(
      ...(await fanoutSeries(ctx, {
        kind: "parley",
        encoding,
        conns,
        senders: 10,
        deliveryRates,
        stepMs,
        drainMs: ctx.full ? 10_000 : 2_000,
      })),
    );
  }
  const rows = steps.map((s) => {
    const r = s.run;
    return [
      s.encoding,
      int(s.offeredDeliveriesPerSec),
      int(r.deliveriesPerSec),
      ms(r.latency.p99),
      r.frames > 0 ? (r.delivered / r.frames).toFixed(1) : "–",
      r.frames > 0 ? Math.round(r.frameBytes / r.frames) : "–",
      r.delivered > 0 ? Math.round(r.frameBytes / r.delivered) : "–",
      `${s.serverProc.cpuPercent} / ${s.serverProc.peakCpuPercent}`,
      s.machine.otherCpuPercent,
      s.passed ? "" : "fail",
    ];
  });
  return {
    title: "Encodings",
    markdown: [
      `${conns} connections in one channel, 10 senders, 64-byte messages (nonces of 7–8 characters), ${stepMs / 1000} s per step.`,
      "",
      markdownTable(
        [
          "encoding",
          "offered deliveries/s",
          "deliveries/s",
          "p99 ms",
          "events/frame",
          "bytes/frame",
          "bytes/delivery",
          "server CPU % (mean / peak 1 s)",
          "other processes CPU %",
          "note",
        ],
        rows,
      ),
    ].join("\n"),
    data: { conns, steps },
    targets: [],
  };
}
