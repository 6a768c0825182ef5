// Issue 10's targets, checked against one run's tables: each line says the target, what was measured and whether
// it was met, so that the README's claims come from the same run as its table.
import { ratios, type Row, type TableId } from './report.ts';
import type { PipelineId } from './protocol.ts';

const IN_THREAD: readonly PipelineId[] = ['cloudwatch', 'cloudwatch-otlp', 'cloudwatch-spool', 'lts', 'servicewatch'];
const WORKER: readonly PipelineId[] = ['cloudwatch-worker', 'lts-worker', 'servicewatch-worker'];

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
const times = (value: number) => `×${value.toFixed(2)}`;

/**
 * `cores`: the machine's. The worker line also says how fast the row could go at most if its threads and the
 * sink kept every core busy (cores ÷ the CPU the pipeline and the sink spend per record), as a ratio to stock.
 */
export function targetLines(tables: Readonly<Record<TableId, readonly Row[]>>, cores: number): string[] {
  const mix = tables.mix;
  const ok = (rows: readonly Row[], id: PipelineId) => rows.find((row) => row.pipeline === id && row.status === 'ok');
  const ratioRows = ratios(mix);
  const ratio = (id: PipelineId) => ratioRows.find((row) => row.pipeline === id);
  const lines: string[] = [];
  /** One line per target; `show(id)` formats a pipeline's value. */
  const checkEach = (title: string, ids: readonly PipelineId[], measure: (id: PipelineId) => number | undefined, met: (value: number) => boolean, show: (id: PipelineId) => (value: number) => string) => {
    const measured = ids.map((id) => [id, measure(id)] as const).filter((pair): pair is readonly [PipelineId, number] => pair[1] !== undefined);
    if (measured.length === 0) return;
    const all = measured.every(([, value]) => met(value));
    lines.push(`${title}: ${verdict(all)} (${measured.map(([id, value]) => `${id} ${show(id)(value)}${met(value) ? '' : ' ✗'}`).join(', ')})`);
  };
  const check = (title: string, ids: readonly PipelineId[], measure: (id: PipelineId) => number | undefined, met: (value: number) => boolean, show: (value: number) => string) =>
    checkEach(title, ids, measure, met, () => show);
  check('records/s ≥ 2× stock OTLP/JSON in-thread', IN_THREAD, (id) => ratio(id)?.recordsPerSecond, (value) => value >= 2, times);
  const stockRate = ok(mix, 'otlp-json')?.recordsPerSecond;
  const ceiling = (id: PipelineId) => (value: number) => {
    const row = ok(mix, id);
    if (!row?.cpuMicrosPerRecord || row.sinkCpuMicrosPerRecord === undefined || !stockRate) return times(value);
    const most = (cores * 1e6) / (row.cpuMicrosPerRecord + row.sinkCpuMicrosPerRecord);
    return `${times(value)} (${cores}-core ceiling ${times(most / stockRate)}: ${row.cpuMicrosPerRecord.toFixed(1)} + sink ${row.sinkCpuMicrosPerRecord.toFixed(1)} CPU µs/rec)`;
  };
  checkEach('records/s ≥ 3× stock OTLP/JSON with the worker', WORKER, (id) => ratio(id)?.recordsPerSecond, (value) => value >= 3, ceiling);
  // Each round's own ratio too: how far one run's rounds disagree says how much to trust the median.
  const roundRatios = (id: PipelineId): number[] => {
    const [row, stock, floor] = [ok(mix, id), ok(mix, 'otlp-json'), ok(mix, 'floor')].map((found) => found?.cpuMicrosPerRecordRounds);
    if (!row || !stock || !floor) return [];
    return row.map((value, k) => (value - floor[k]!) / (stock[k]! - floor[k]!)).filter((value) => Number.isFinite(value));
  };
  const withRounds = (id: PipelineId) => (value: number) => {
    const each = roundRatios(id);
    return each.length > 1 ? `${times(value)} (rounds ${times(Math.min(...each))}–${times(Math.max(...each))})` : times(value);
  };
  checkEach('CPU per record above the SDK floor ≤ 0.5× stock’s', [...IN_THREAD, ...WORKER], (id) => ratio(id)?.cpuAboveFloor, (value) => value <= 0.5, withRounds);
  const floor = ok(mix, 'floor')?.appThreadCpuMicrosPerRecord;
  check(
    'app thread with the worker ≤ 1 µs/record above the floor',
    WORKER,
    (id) => { const app = ok(mix, id)?.appThreadCpuMicrosPerRecord; return floor === undefined || app === undefined ? undefined : app - floor; },
    (value) => value <= 1,
    (value) => `${value.toFixed(2)} µs`,
  );
  const stockRss = ok(mix, 'otlp-json')?.peakRssMiB;
  check('peak RSS ≤ stock OTLP/JSON’s', [...IN_THREAD, ...WORKER], (id) => { const rss = ok(mix, id)?.peakRssMiB; return stockRss && rss !== undefined ? rss / stockRss : undefined; }, (value) => value <= 1, times);
  check('event-loop delay p99 ≤ 10 ms at 50,000 records/s', [...IN_THREAD, ...WORKER], (id) => ok(tables.paced, id)?.eventLoopDelayP99Ms, (value) => value <= 10, (value) => `${value.toFixed(1)} ms`);
  check('CloudWatch requests ≥ 95 % full', ['cloudwatch', 'cloudwatch-worker', 'cloudwatch-spool'], (id) => ok(mix, id)?.averageRequestFill, (value) => value >= 0.95, (value) => `${(value * 100).toFixed(1)} %`);
  const everyRow = Object.values(tables).flat().filter((row) => row.pipeline !== 'floor');
  const lost = everyRow.reduce((total, row) => total + (row.recordsLost ?? 0), 0);
  if (everyRow.length > 0) lines.push(`0 records lost: ${verdict(lost === 0)} (${lost} lost over ${everyRow.length} rows)`);
  return lines;
}
