import * as hdr from "hdr-histogram-js";

/** Percentiles of a latency histogram, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** An HDR histogram of latencies recorded in microseconds (3 significant digits, up to 10 min). */
export class LatencyHistogram {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });

  record(us: number): void {
    this.h.recordValue(Math.min(Math.max(1, Math.round(us)), 600_000_000));
  }

  get count(): number {
    return this.h.totalCount;
  }

  reset(): void {
    this.h.reset();
  }

  summary(): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    const at = (p: number) => (this.h.totalCount > 0 ? ms(this.h.getValueAtPercentile(p)) : 0);
    return {
      count: this.h.totalCount,
      mean: this.h.totalCount > 0 ? ms(this.h.mean) : 0,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: this.h.totalCount > 0 ? ms(this.h.maxValue) : 0,
    };
  }
}
