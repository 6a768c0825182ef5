import { RollingSeries } from '@otel-cloud-logs/emulators/console-ui';
import type { GatewayMetrics } from './metrics.ts';

export const HISTORY_SECONDS = 300;
/** Sampling stops this long after the status page was last read, so an unwatched gateway spends nothing on it. */
const IDLE_MILLIS = 10 * 60_000;

const GATEWAY_SERIES = ['received', 'rejected', 'refusedRequests'] as const;
const EXPORTER_SERIES = ['exported', 'dropped', 'rejected', 'requests', 'retried', 'throttled', 'requestBytes', 'queueFill'] as const;
export type GatewaySeries = RollingSeries<(typeof GATEWAY_SERIES)[number]>;
export type ExporterSeries = RollingSeries<(typeof EXPORTER_SERIES)[number]>;

type Counters = Record<string, number>;

/** Cumulative counters now, flattened, to take per-second differences from. */
function counters(metrics: GatewayMetrics): { gateway: Counters; exporters: Map<string, Counters> } {
  const responses = metrics.gateway.responses;
  const refusedRequests = Object.entries(responses).reduce((sum, [code, count]) => (code === '200' ? sum : sum + count), 0);
  const exporters = new Map<string, Counters>();
  for (const [name, snapshot] of Object.entries(metrics.exporters)) {
    exporters.set(name, {
      exported: snapshot.exported,
      dropped: snapshot.droppedTotal,
      rejected: snapshot.rejectedTotal,
      requests: snapshot.requests,
      retried: snapshot.retriedRequests,
      throttled: snapshot.throttledRequests,
      requestBytes: snapshot.requestBytes,
    });
  }
  return { gateway: { received: metrics.gateway.receivedRecords, rejected: metrics.gateway.rejectedRecords, refusedRequests }, exporters };
}

/**
 * Once a second, the differences of the gateway's counters (and the queue fill of each exporter), kept for the
 * last 5 minutes: what the status page's charts show. Starts with the first view of the page.
 */
export class StatusHistory {
  readonly gateway: GatewaySeries = new RollingSeries(GATEWAY_SERIES, HISTORY_SECONDS);
  readonly exporters = new Map<string, ExporterSeries>();
  private previous: ReturnType<typeof counters> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastViewed = 0;
  private readonly metrics: () => GatewayMetrics;
  private readonly queueFill: (exporter: string) => number;

  constructor(metrics: () => GatewayMetrics, queueFill: (exporter: string) => number) {
    this.metrics = metrics;
    this.queueFill = queueFill;
  }

  /** Called on every view: keeps the sampler running. */
  touch(): void {
    this.lastViewed = Date.now();
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => {
      if (Date.now() - this.lastViewed > IDLE_MILLIS) return this.pause();
      this.sample();
    }, 1_000).unref();
  }

  exporter(name: string): ExporterSeries {
    let series = this.exporters.get(name);
    if (!series) this.exporters.set(name, (series = new RollingSeries(EXPORTER_SERIES, HISTORY_SECONDS)));
    return series;
  }

  private pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.previous = undefined;
  }

  private sample(): void {
    const now = counters(this.metrics());
    const before = this.previous;
    this.previous = now;
    for (const name of now.exporters.keys()) this.exporter(name).set('queueFill', this.queueFill(name));
    // The first sample only sets the baseline: counts from before the page was opened are not one second's worth.
    if (!before) return;
    for (const name of GATEWAY_SERIES) this.gateway.add(name, Math.max(0, now.gateway[name]! - before.gateway[name]!));
    for (const [exporter, values] of now.exporters) {
      const previous = before.exporters.get(exporter);
      const series = this.exporter(exporter);
      for (const [name, value] of Object.entries(values)) series.add(name as (typeof EXPORTER_SERIES)[number], Math.max(0, value - (previous?.[name] ?? 0)));
    }
  }
}
