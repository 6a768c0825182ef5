// Several rounds of the throughput tables, interleaved (every pipeline once, then again), merged into one row per
// pipeline: each timing the median of its rounds, so that one disturbed run (a busy core, a GC at a bad moment)
// moves no ratio. Counts that must hold in every round (records lost, drops) keep their worst round.
import type { Row } from './report.ts';

const MEDIAN_KEYS = [
  'wallMs',
  'recordsPerSecond',
  'cpuMicrosPerRecord',
  'appThreadCpuMicrosPerRecord',
  'sinkCpuMicrosPerRecord',
  'peakRssMiB',
  'rssBeforeRunMiB',
  'eventLoopDelayP99Ms',
  'eventLoopDelayMaxMs',
  'startMs',
] as const satisfies ReadonlyArray<keyof Row>;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One row from a pipeline's rounds: a failed round fails the row; else medians, and the worst loss. */
export function mergeRounds(rounds: readonly Row[]): Row {
  const failed = rounds.find((row) => row.status !== 'ok');
  if (failed || rounds.length === 1) return failed ?? rounds[0]!;
  const merged: Record<string, unknown> = { ...rounds[0]!, rounds: rounds.length };
  for (const key of MEDIAN_KEYS) {
    const values = rounds.map((row) => row[key]).filter((value): value is number => typeof value === 'number');
    if (values.length === rounds.length) merged[key] = median(values);
  }
  const worst = rounds.reduce((a, b) => ((b.recordsLost ?? 0) + (b.exporter?.droppedTotal ?? 0) > (a.recordsLost ?? 0) + (a.exporter?.droppedTotal ?? 0) ? b : a));
  merged.recordsLost = worst.recordsLost;
  merged.exporter = worst.exporter;
  merged.output = worst.output;
  merged.cpuMicrosPerRecordRounds = rounds.map((row) => row.cpuMicrosPerRecord ?? Number.NaN);
  merged.recordsPerSecondRange = [Math.min(...rounds.map((row) => row.recordsPerSecond ?? 0)), Math.max(...rounds.map((row) => row.recordsPerSecond ?? 0))];
  return merged as unknown as Row;
}
