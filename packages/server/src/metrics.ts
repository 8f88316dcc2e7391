import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** Parley's Prometheus metrics, on a registry of their own (no global state). */
export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: "parley_connections",
    help: "Open WebSocket connections",
    registers: [this.registry],
  });
  readonly framesIn = new Counter({
    name: "parley_frames_in_total",
    help: "Frames received from clients",
    registers: [this.registry],
  });
  readonly framesOut = new Counter({
    name: "parley_frames_out_total",
    help: "Frames written to sockets",
    registers: [this.registry],
  });
  readonly bytesOut = new Counter({
    name: "parley_bytes_out_total",
    help: "Bytes of frames written to sockets",
    registers: [this.registry],
  });
  readonly messagesIn = new Counter({
    name: "parley_messages_in_total",
    help: "Chat messages stored",
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: "parley_deliveries_total",
    help: "Channel events delivered to sockets (one per event per socket)",
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: "parley_errors_total",
    help: "Error replies by code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly serverCloses = new Counter({
    name: "parley_server_closes_total",
    help: "Sockets the server closed, by close code (4002 = slow consumer, 4001 = heartbeat)",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly outboundShed = new Counter({
    name: "parley_outbound_shed_total",
    help: "Sockets closed (4002) because all sockets' outbound buffers passed PARLEY_MAX_BUFFERED_TOTAL",
    registers: [this.registry],
  });
  readonly pushDecisions = new Counter({
    name: "parley_push_decisions_total",
    help: "Messages whose push recipients were worked out (on the node that stored them)",
    registers: [this.registry],
  });
  readonly pushesSent = new Counter({
    name: "parley_pushes_sent_total",
    help: "Web Push notifications the push service accepted",
    registers: [this.registry],
  });
  readonly pushesFailed = new Counter({
    name: "parley_pushes_failed_total",
    help: "Web Push notifications that failed (refused address, timeout, push service error)",
    registers: [this.registry],
  });
  readonly pushesRemoved = new Counter({
    name: "parley_push_subscriptions_removed_total",
    help: "Web Push subscriptions deleted because the push service said they are gone (404, 410)",
    registers: [this.registry],
  });
  readonly pushesDropped = new Counter({
    name: "parley_pushes_dropped_total",
    help: "Web Push work dropped because the push queue was full",
    registers: [this.registry],
  });
  private outboundBuffered: () => number = () => 0;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "parley_" });
    this.loopDelay.enable();
    const delay = this.loopDelay;
    const metrics = this;
    new Gauge({
      name: "parley_outbound_buffered_bytes",
      help: "Bytes written to all sockets that the kernel has not taken yet",
      registers: [this.registry],
      collect() {
        this.set(metrics.outboundBuffered());
      },
    });
    new Gauge({
      name: "parley_event_loop_lag_p99_seconds",
      help: "p99 event-loop delay since the last scrape",
      registers: [this.registry],
      collect() {
        this.set(delay.percentile(99) / 1e9);
        delay.reset();
      },
    });
  }

  /** Where the outbound-buffer gauge reads the total from (the gateway's budget). */
  observeOutboundBuffered(total: () => number): void {
    this.outboundBuffered = total;
  }

  close(): void {
    this.loopDelay.disable();
  }
}
