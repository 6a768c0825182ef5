// The rows of the benchmark's tables, the ratios to stock OTLP/JSON, and their rendering as aligned text.
import type { ExporterCounts, PipelineId, RunSpec } from './protocol.ts';

export type TableId = 'mix' | 'short' | 'paced' | 'destinations' | 'recordSizes';

export interface Row {
  readonly pipeline: PipelineId;
  readonly label: string;
  readonly status: 'ok' | 'failed' | 'n/a';
  readonly error?: string;
  readonly spec: RunSpec;
  readonly records?: number;
  /** Until the pipeline answered a first flush, before the clock started (a worker thread's start-up). */
  readonly startMs?: number;
  readonly wallMs?: number;
  readonly recordsPerSecond?: number;
  /** Paced: the rate the app actually emitted at. */
  readonly emittedPerSecond?: number;
  readonly cpuMicrosPerRecord?: number;
  readonly appThreadCpuMicrosPerRecord?: number;
  /** CPU the sink process spent per record it received (parsing, counting, answering): not the pipeline's. */
  readonly sinkCpuMicrosPerRecord?: number;
  /** Sized workloads: CPU µs per 1,000 body bytes. */
  readonly cpuMicrosPerKB?: number;
  readonly requests?: number;
  readonly bytesSent?: number;
  /** Mean request size / the provider's request limit, counted as `fillBasis` says. */
  readonly averageRequestFill?: number;
  readonly fillBasis?: string;
  readonly peakRssMiB?: number;
  readonly rssBeforeRunMiB?: number;
  readonly eventLoopDelayP99Ms?: number;
  readonly eventLoopDelayMaxMs?: number;
  readonly eventLoopDelaySamples?: number;
  /** Records the sink counted in the measured phase (after the warm-up). */
  readonly recordsReceived?: number;
  /** Emitted minus what the sink counted in the requests it parsed, warm-up included. */
  readonly recordsLost?: number;
  readonly exporter?: ExporterCounts;
  readonly sinkParseErrors?: number;
  /** Requests to anything but the data API (e.g. CloudWatch CreateLogStream) in the measured phase. */
  readonly sinkOtherRequests?: number;
  /** Throughput tables: the rounds merged into this row (its timings are their medians) and their records/s. */
  readonly rounds?: number;
  readonly recordsPerSecondRange?: readonly [number, number];
  /** CPU µs/record of each round, in round order (rounds are interleaved: round k of every pipeline ran together). */
  readonly cpuMicrosPerRecordRounds?: readonly number[];
  /** The child's last output, kept when the row failed or lost records. */
  readonly output?: string;
}

export interface RatioRow {
  readonly pipeline: PipelineId;
  readonly label: string;
  /** records/s ÷ stock OTLP/JSON's. */
  readonly recordsPerSecond?: number;
  /** (CPU µs/record − the SDK floor's) ÷ the same for stock OTLP/JSON: the whole process. */
  readonly cpuAboveFloor?: number;
  /** The same for the application's thread alone. */
  readonly appThreadCpuAboveFloor?: number;
}

/** Ratios to stock OTLP/JSON of the same table (same run, same records). */
export function ratios(rows: readonly Row[]): RatioRow[] {
  const ok = (id: PipelineId) => rows.find((row) => row.pipeline === id && row.status === 'ok');
  const base = ok('otlp-json');
  const floor = ok('floor');
  const aboveFloor = (row: Row, key: 'cpuMicrosPerRecord' | 'appThreadCpuMicrosPerRecord') => {
    const value = row[key];
    const baseValue = base?.[key];
    const floorValue = floor?.[key];
    if (value === undefined || baseValue === undefined || floorValue === undefined || baseValue - floorValue <= 0) return undefined;
    return (value - floorValue) / (baseValue - floorValue);
  };
  return rows
    .filter((row) => row.pipeline !== 'floor')
    .map((row) => ({
      pipeline: row.pipeline,
      label: row.label,
      recordsPerSecond: row.status === 'ok' && base?.recordsPerSecond && row.recordsPerSecond ? row.recordsPerSecond / base.recordsPerSecond : undefined,
      cpuAboveFloor: row.status === 'ok' ? aboveFloor(row, 'cpuMicrosPerRecord') : undefined,
      appThreadCpuAboveFloor: row.status === 'ok' ? aboveFloor(row, 'appThreadCpuMicrosPerRecord') : undefined,
    }));
}

/**
 * CloudWatch's two APIs side by side in one table: the OTLP endpoint row over the PutLogEvents row (bytes on the
 * wire, CPU per record, requests); undefined unless both ran.
 */
export function cloudWatchApis(rows: readonly Row[]): string | undefined {
  const ok = (id: PipelineId) => rows.find((row) => row.pipeline === id && row.status === 'ok');
  const putLogEvents = ok('cloudwatch');
  const otlp = ok('cloudwatch-otlp');
  if (!putLogEvents || !otlp) return undefined;
  const ratio = (key: 'bytesSent' | 'cpuMicrosPerRecord' | 'appThreadCpuMicrosPerRecord' | 'requests') => {
    const base = putLogEvents[key];
    const value = otlp[key];
    return base && value !== undefined ? times(value / base) : DASH;
  };
  return (
    `CloudWatch, OTLP endpoint (protobuf+gzip) ÷ PutLogEvents: bytes on the wire ${ratio('bytesSent')}, CPU µs/rec ${ratio('cpuMicrosPerRecord')} ` +
    `(app thread ${ratio('appThreadCpuMicrosPerRecord')}), requests ${ratio('requests')}`
  );
}

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  readonly left?: boolean;
  /** Shown for rows that are not ok too (see `measured`). */
  readonly always?: boolean;
}

/** Columns aligned with spaces: text to the left, numbers to the right. */
export function textTable<T>(title: string, columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => line[index]!.length)));
  const render = (line: readonly string[]) =>
    line.map((cell, index) => (columns[index]!.left ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ').trimEnd();
  return [title, render(columns.map((column) => column.header)), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(render)].join('\n');
}

const DASH = '–';
export const integer = (value: number | undefined) => (value === undefined ? DASH : Math.round(value).toLocaleString('en-US'));
export const fixed = (value: number | undefined, digits = 2) => (value === undefined ? DASH : value.toFixed(digits));
export const times = (value: number | undefined) => (value === undefined ? DASH : `×${value.toFixed(2)}`);
const percent = (value: number | undefined) => (value === undefined ? DASH : `${(value * 100).toFixed(1)} %`);
const mebibytes = (value: number | undefined) => (value === undefined ? DASH : (value / 1_048_576).toFixed(1));
const lost = (row: Row) => (row.recordsLost === undefined ? DASH : integer(row.recordsLost));
const status = (row: Row) => row.status;

const pipelineColumn: Column<Row> = { header: 'pipeline', value: (row) => row.label, left: true, always: true };
const statusColumn: Column<Row> = { header: 'status', value: status, left: true, always: true };
const lostColumn: Column<Row> = { header: 'lost', value: lost, always: true };
const cpuColumns: Column<Row>[] = [
  { header: 'CPU µs/rec', value: (row) => fixed(row.cpuMicrosPerRecord) },
  { header: 'app thread µs/rec', value: (row) => fixed(row.appThreadCpuMicrosPerRecord) },
  { header: 'sink µs/rec', value: (row) => fixed(row.sinkCpuMicrosPerRecord) },
];

/** A failed row's timings are in the JSON but not shown next to the working rows; its losses are. */
const measured = (columns: Column<Row>[]): Column<Row>[] =>
  columns.map((column) => (column.always ? column : { ...column, value: (row: Row) => (row.status === 'ok' ? column.value(row) : DASH) }));

export const throughputColumns: Column<Row>[] = measured([
  pipelineColumn,
  statusColumn,
  { header: 'records/s', value: (row) => integer(row.recordsPerSecond) },
  { header: 'rounds min–max', value: (row) => (row.recordsPerSecondRange ? row.recordsPerSecondRange.map((value) => integer(value)).join('–') : DASH) },
  ...cpuColumns,
  { header: 'requests', value: (row) => integer(row.requests) },
  { header: 'MiB sent', value: (row) => mebibytes(row.bytesSent) },
  { header: 'avg fill', value: (row) => percent(row.averageRequestFill) },
  { header: 'fill of', value: (row) => row.fillBasis ?? DASH, left: true },
  { header: 'peak RSS MiB', value: (row) => fixed(row.peakRssMiB, 0) },
  { header: 'loop p99 ms', value: (row) => fixed(row.eventLoopDelayP99Ms) },
  { header: 'start ms', value: (row) => fixed(row.startMs, 0) },
  lostColumn,
]);

export const ratioColumns: Column<RatioRow>[] = [
  { header: 'pipeline', value: (row) => row.label, left: true },
  { header: 'records/s', value: (row) => times(row.recordsPerSecond) },
  { header: 'CPU above floor', value: (row) => times(row.cpuAboveFloor) },
  { header: 'app thread CPU above floor', value: (row) => times(row.appThreadCpuAboveFloor) },
];

export const pacedColumns: Column<Row>[] = measured([
  pipelineColumn,
  statusColumn,
  { header: 'emitted rec/s', value: (row) => integer(row.emittedPerSecond) },
  { header: 'loop p99 ms', value: (row) => fixed(row.eventLoopDelayP99Ms) },
  { header: 'loop max ms', value: (row) => fixed(row.eventLoopDelayMaxMs) },
  { header: 'p99 ≤ 10 ms', value: (row) => (row.eventLoopDelayP99Ms === undefined ? DASH : row.eventLoopDelayP99Ms <= 10 ? 'yes' : 'NO'), left: true },
  { header: 'loop samples', value: (row) => integer(row.eventLoopDelaySamples) },
  ...cpuColumns,
  { header: 'peak RSS MiB', value: (row) => fixed(row.peakRssMiB, 0) },
  lostColumn,
]);

function scalingColumns(first: Column<Row>): Column<Row>[] {
  return measured([
    { ...first, always: true },
    pipelineColumn,
    statusColumn,
    { header: 'records', value: (row) => integer(row.records) },
    { header: 'records/s', value: (row) => integer(row.recordsPerSecond) },
    ...cpuColumns,
    { header: 'CPU µs/KB', value: (row) => fixed(row.cpuMicrosPerKB) },
    { header: 'requests', value: (row) => integer(row.requests) },
    { header: 'avg fill', value: (row) => percent(row.averageRequestFill) },
    lostColumn,
  ]);
}

const sized = (row: Row) => (row.spec.workload.kind === 'sized' ? row.spec.workload : undefined);
export const destinationColumns = scalingColumns({ header: 'destinations', value: (row) => integer(sized(row)?.destinations) });
export const recordSizeColumns = scalingColumns({
  header: 'record size',
  value: (row) => {
    const bytes = sized(row)?.recordBytes ?? 0;
    return bytes >= 1000 ? `${bytes / 1000} KB` : `${bytes} B`;
  },
});

/** What explains a row: why it failed or is n/a, records lost, drops the exporter counted. */
export function note(row: Row): string | undefined {
  const output = row.output?.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
  const last = output ? ` (last output: ${output})` : '';
  if (row.status !== 'ok') return `${row.label}: ${row.status}: ${row.error ?? ''}${row.status === 'failed' ? last : ''}`;
  const problems: string[] = [];
  if (row.recordsLost) problems.push(`${integer(row.recordsLost)} records lost`);
  if (row.exporter?.droppedTotal) problems.push(`the exporter counted ${integer(row.exporter.droppedTotal)} dropped ${JSON.stringify(row.exporter.dropped)}`);
  if (row.exporter?.rejectedTotal) problems.push(`the exporter counted ${integer(row.exporter.rejectedTotal)} rejected`);
  if (row.sinkParseErrors) problems.push(`${row.sinkParseErrors} request bodies the sink could not parse`);
  return problems.length === 0 ? undefined : `${row.label}: ${problems.join('; ')}${last}`;
}

/** The notes of all tables, each said once with the tables it applies to. */
export function notes(tables: Readonly<Record<TableId, readonly Row[]>>): string[] {
  const where = new Map<string, TableId[]>();
  for (const [table, rows] of Object.entries(tables) as [TableId, readonly Row[]][]) {
    for (const row of rows) {
      const text = note(row);
      if (text !== undefined && !where.get(text)?.includes(table)) where.set(text, [...(where.get(text) ?? []), table]);
    }
  }
  return [...where].map(([text, tableIds]) => `[${tableIds.join(', ')}] ${text}`);
}
