import type { ExchangeSample } from './exchanges.ts';
import { RollingSeries } from './rolling.ts';

export const CHART_SECONDS = 300;
const SERIES = ['records', 'requests', 'throttled', 'failed', 'fill'] as const;
type SeriesName = (typeof SERIES)[number];

/** One destination's per-second series and totals since the console started. */
export interface DestinationStats {
  readonly destination: string;
  readonly series: RollingSeries<SeriesName>;
  records: number;
  requests: number;
  throttled: number;
  failed: number;
}

/** Per provider and destination: what arrived each second over the last minutes, from the request observer. */
export class ConsoleStats {
  private readonly destinations = new Map<string, Map<string, DestinationStats>>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  record(provider: string, samples: readonly ExchangeSample[]): void {
    let byDestination = this.destinations.get(provider);
    if (!byDestination) this.destinations.set(provider, (byDestination = new Map()));
    for (const sample of samples) {
      let stats = byDestination.get(sample.destination);
      if (!stats) {
        stats = { destination: sample.destination, series: new RollingSeries(SERIES, CHART_SECONDS, this.now), records: 0, requests: 0, throttled: 0, failed: 0 };
        byDestination.set(sample.destination, stats);
      }
      stats.series.add('records', sample.records);
      stats.series.add('requests', 1);
      stats.series.add('fill', sample.fill);
      if (sample.throttled) stats.series.add('throttled', 1);
      if (sample.failed) stats.series.add('failed', 1);
      stats.records += sample.records;
      stats.requests++;
      if (sample.throttled) stats.throttled++;
      if (sample.failed) stats.failed++;
    }
  }

  /** The provider's destinations, by name. */
  of(provider: string): DestinationStats[] {
    return [...(this.destinations.get(provider)?.values() ?? [])].sort((a, b) => (a.destination < b.destination ? -1 : 1));
  }

  /** Average fill of each second's requests (0 where there were none). */
  static fillSeries(stats: DestinationStats): number[] {
    const requests = stats.series.series('requests');
    return stats.series.series('fill').map((sum, i) => (requests[i]! > 0 ? sum / requests[i]! : 0));
  }

  clear(): void {
    this.destinations.clear();
  }
}
