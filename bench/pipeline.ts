// `pnpm bench` (issue 10, "An honest benchmark"): the SDK emit floor, the stock BatchLogRecordProcessor with the
// OTLP http/json and http/protobuf exporters, and our three exporters under ConstraintAwareBatchProcessor, in-thread
// and with thread 'worker' (CloudWatch also through its OTLP endpoint, protobuf+gzip, beside PutLogEvents), all
// sent the same generated records, each in its own child process, to a loopback
// sink in another process that checks every request and counts the records. Then a paced 50,000 records/s run,
// and how our cost scales with destinations and record size. `--json` prints the same data as one JSON object.
// Environment: BENCH_RECORDS (100,000), BENCH_SCALE_RECORDS (BENCH_RECORDS / 2), BENCH_PACED_SECONDS (2),
// BENCH_PIPELINES and BENCH_TABLES (comma-separated subsets), BENCH_TIMEOUT_SECONDS (180 per run), BENCH_VERBOSE,
// BENCH_ROUNDS (5: the throughput tables run this many times, interleaved; each timing is the median),
// BENCH_CPU_PROF (a directory: every run's process, worker threads included, writes a V8 CPU profile there).
import { spawn } from 'node:child_process';
import { cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PIPELINE_API, PIPELINE_IDS, PIPELINE_LABELS, type FromRun, type FromSink, type PipelineId, type RunOutcome, type RunSpec, type SinkStats, type ToRun, type ToSink, type WorkloadSpec } from './protocol.ts';
import * as report from './report.ts';
import type { Row, TableId } from './report.ts';
import { mergeRounds } from './rounds.ts';
import { targetLines } from './targets.ts';

const json = process.argv.includes('--json');
const positive = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got ${process.env[name]}`);
  return value;
};
const list = (name: string) => process.env[name]?.split(',').map((item) => item.trim()).filter(Boolean);

const RECORDS = Math.round(positive('BENCH_RECORDS', 100_000));
const SCALE_RECORDS = Math.round(positive('BENCH_SCALE_RECORDS', Math.max(1_000, RECORDS / 2)));
const ROUNDS = Math.round(positive('BENCH_ROUNDS', 5));
const PACED_RATE = 50_000;
const PACED_SECONDS = positive('BENCH_PACED_SECONDS', 2);
/**
 * Throughput runs first emit this share of their records again, untimed and delivered: what is measured is a
 * pipeline that has been running (its hot paths compiled by the JIT, in both threads with a worker), not its
 * first second. Without it the worker rows paid for compiling their code twice within the clock.
 */
const WARM_UP_SHARE = 0.25;
/** Records per event-loop turn: one turn of a busy app (500 = one 10 ms tick of the paced run). */
const CHUNK = 500;
const TIMEOUT_MILLIS = positive('BENCH_TIMEOUT_SECONDS', 180) * 1000;
const PIPELINES = PIPELINE_IDS.filter((id) => !list('BENCH_PIPELINES') || list('BENCH_PIPELINES')!.includes(id));
const TABLES = list('BENCH_TABLES');
const wanted = (table: TableId) => !TABLES || TABLES.includes(table);
/** The scaling tables are ours only: CloudWatch is enough, in-thread and with the worker. */
const SCALING_PIPELINES = PIPELINES.filter((id): id is PipelineId => id === 'cloudwatch' || id === 'cloudwatch-worker');
const DESTINATIONS = [1, 10, 100, 1_000];
const RECORD_SIZES = [100, 1_000, 10_000, 100_000];
const SCALING_RECORD_BYTES = 1_000;

/** Child processes resolve the workspace packages to their TypeScript sources, as `pnpm bench` itself does. */
const NODE_ARGS = ['--conditions=@otel-cloud-logs/source'];
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const RUN_ARGS = PROFILE_DIR ? [...NODE_ARGS, '--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : NODE_ARGS;
const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const progress = (line: string) => process.stderr.write(`${line}\n`);

/** What the sink counted during one run, and the CPU it spent parsing and answering the requests. */
interface SinkAnswer {
  readonly stats: SinkStats;
  readonly cpuMicros: number;
}

/** The sink process, reset before and read after each run. */
async function startSink() {
  const child = spawn(process.execPath, [...NODE_ARGS, script('./sink.ts')], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let waiting: ((message: FromSink) => void) | undefined;
  let stopping = false;
  child.on('message', (message: FromSink) => waiting?.(message));
  // Without the sink no row can be counted: stop rather than wait for an answer that will not come.
  child.on('exit', (code, signal) => {
    if (stopping) return;
    progress(`bench: the sink process exited (${signal ?? `code ${code}`}); stopping`);
    process.exit(1);
  });
  const next = () => new Promise<FromSink>((resolve) => (waiting = resolve));
  const ready = await next();
  if (ready.type !== 'ready') throw new Error('the sink did not start');
  // One question at a time: answers carry no id, so a second ask waits for the first one's answer.
  let asked: Promise<unknown> = Promise.resolve();
  return {
    origin: `http://127.0.0.1:${ready.port}`,
    ask(message: ToSink): Promise<SinkAnswer> {
      const answered = asked.then(async () => {
        const answer = next();
        child.send(message);
        const stats = await answer;
        return stats.type === 'stats' ? { stats: stats.stats, cpuMicros: stats.cpuMicros } : { stats: {}, cpuMicros: 0 };
      });
      asked = answered;
      return answered;
    },
    stop: () => {
      stopping = true;
      child.disconnect();
    },
  };
}

/** One measurement in a child process of its own; a crash, a hang or a throw becomes a failed outcome. */
function runChild(spec: RunSpec, betweenPhases: () => Promise<unknown>): Promise<{ outcome: RunOutcome; output: string }> {
  const child = spawn(process.execPath, [...RUN_ARGS, script('./run.ts'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let outcome: RunOutcome | undefined;
  child.on('message', (message: FromRun) => {
    if (message.status !== 'warmed-up') outcome = message;
    else
      betweenPhases().then(
        () => child.connected && child.send({ type: 'measure' } satisfies ToRun),
        () => child.kill('SIGKILL'), // its row then fails: no result
      );
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, TIMEOUT_MILLIS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tail = output.trim().split('\n').slice(-5).join(' | ');
      const error = timedOut ? `did not finish within ${TIMEOUT_MILLIS / 1000} s` : `the child process exited (${signal ?? `code ${code}`}) without a result: ${tail}`;
      resolve({ outcome: outcome ?? { status: 'failed', error }, output });
    });
  });
}

const FILL_LIMITS = { cloudwatch: 1_048_576, 'cloudwatch-otlp': 1_048_576, 'huawei-lts': 524_288, servicewatch: 1_048_576, 'otlp-json': 1_048_576, 'otlp-proto': 1_048_576 } as const;

/** Mean request size over the provider's limit: CloudWatch counted its way, the others as body bytes. */
function fill(pipeline: PipelineId, outcome: RunOutcome, sink: SinkStats): { averageRequestFill?: number; fillBasis?: string } {
  const api = PIPELINE_API[pipeline];
  if (api === undefined || api === 'other') return {};
  const stats = sink[api];
  if (api === 'cloudwatch-otlp') {
    // The OTLP endpoint counts each record as the event it stores (flattened JSON) + 26; the exporter plans by that.
    const exporter = outcome.status === 'ok' ? outcome.exporter : undefined;
    return exporter && exporter.requests > 0 ? { averageRequestFill: exporter.requestBytes / exporter.requests / FILL_LIMITS[api], fillBasis: '1 MiB as Σ(event+26)' } : {};
  }
  if (api === 'cloudwatch') {
    const exporter = outcome.status === 'ok' ? outcome.exporter : undefined;
    if (exporter && exporter.requests > 0) return { averageRequestFill: exporter.requestBytes / exporter.requests / FILL_LIMITS.cloudwatch, fillBasis: '1 MiB as Σ(msg+26)' };
    if (!stats?.requests) return {};
    return { averageRequestFill: stats.cloudWatchBytes / stats.requests / FILL_LIMITS.cloudwatch, fillBasis: '1 MiB as Σ(msg+26), sink' };
  }
  if (!stats?.requests) return {};
  return { averageRequestFill: stats.bytes / stats.requests / FILL_LIMITS[api], fillBasis: api === 'huawei-lts' ? '512 KiB body' : '1 MiB body' };
}

/** `measured`: the sink's stats since the warm-up (all of the run's without one); `warmUp`: the warm-up's. */
function toRow(spec: RunSpec, outcome: RunOutcome, { stats: sink, cpuMicros: sinkCpuMicros }: SinkAnswer, warmUp: SinkAnswer, output: string): Row {
  const base = { pipeline: spec.pipeline, label: PIPELINE_LABELS[spec.pipeline], spec };
  if (outcome.status !== 'ok') return { ...base, status: outcome.status, error: outcome.error, output: outcome.status === 'failed' ? output : undefined };
  const api = PIPELINE_API[spec.pipeline];
  const stats = api ? sink[api] : undefined;
  const records = outcome.emitted;
  const received = api ? (stats?.records ?? 0) : undefined;
  const receivedInWarmUp = api ? (warmUp.stats[api]?.records ?? 0) : 0;
  const lost = received === undefined ? undefined : records + outcome.warmedUp - receivedInWarmUp - received;
  const bodyBytes = spec.workload.kind === 'sized' ? spec.workload.recordBytes * records : undefined;
  // A pipeline that delivered nothing did not work, whatever its timings say.
  const delivered = received !== 0 || records === 0;
  const dropped = outcome.exporter?.droppedTotal ? `; the exporter counted ${report.integer(outcome.exporter.droppedTotal)} dropped ${JSON.stringify(outcome.exporter.dropped)}` : '';
  return {
    ...base,
    status: delivered ? 'ok' : 'failed',
    error: delivered ? undefined : `no record arrived at the sink${dropped}`,
    records,
    startMs: outcome.startMs,
    wallMs: outcome.wallMs,
    recordsPerSecond: records / (outcome.wallMs / 1000),
    emittedPerSecond: spec.mode === 'paced' ? records / (outcome.emitMs / 1000) : undefined,
    cpuMicrosPerRecord: outcome.processCpuMicros / records,
    appThreadCpuMicrosPerRecord: outcome.appThreadCpuMicros === undefined ? undefined : outcome.appThreadCpuMicros / records,
    // Per record that arrived in the measured phase: the sink shares the machine's cores.
    sinkCpuMicrosPerRecord: received ? sinkCpuMicros / received : undefined,
    cpuMicrosPerKB: bodyBytes === undefined ? undefined : outcome.processCpuMicros / (bodyBytes / 1000),
    requests: api ? (stats?.requests ?? 0) : undefined,
    bytesSent: api ? (stats?.bytes ?? 0) : undefined,
    ...fill(spec.pipeline, outcome, sink),
    peakRssMiB: outcome.peakRssBytes / 1_048_576,
    rssBeforeRunMiB: outcome.rssBeforeBytes / 1_048_576,
    eventLoopDelayP99Ms: outcome.eventLoopDelayP99Ms,
    eventLoopDelayMaxMs: outcome.eventLoopDelayMaxMs,
    eventLoopDelaySamples: outcome.eventLoopDelaySamples,
    recordsReceived: received,
    recordsLost: lost,
    exporter: outcome.exporter,
    sinkParseErrors: stats?.parseErrors,
    sinkOtherRequests: sink.other?.requests,
    output: lost || outcome.exporter?.droppedTotal || stats?.parseErrors ? output : undefined,
  };
}

interface PlannedRun {
  readonly tables: readonly TableId[];
  readonly spec: RunSpec;
}

function plan(origin: string): PlannedRun[] {
  const runs: PlannedRun[] = [];
  // `workload.records` are the measured ones; each run first emits more, untimed: WARM_UP_SHARE as many in a
  // throughput run, as many again in a paced one (at the same rate).
  const add = (tables: TableId[], pipeline: PipelineId, workload: WorkloadSpec, mode: RunSpec['mode'] = 'throughput', chunk = CHUNK) => {
    if (!tables.some(wanted)) return;
    const warmUp = Math.round(workload.records * (mode === 'paced' ? 1 : WARM_UP_SHARE));
    const total = { ...workload, records: workload.records + warmUp };
    runs.push({ tables: tables.filter(wanted), spec: { pipeline, workload: total, mode, origin, chunk, pacedRate: PACED_RATE, warmUp } });
  };
  for (let round = 0; round < ROUNDS; round++) for (const pipeline of PIPELINES) add(['mix'], pipeline, { kind: 'mix', records: RECORDS });
  for (let round = 0; round < ROUNDS; round++) for (const pipeline of PIPELINES) add(['short'], pipeline, { kind: 'short', records: RECORDS });
  for (const pipeline of PIPELINES) add(['paced'], pipeline, { kind: 'mix', records: Math.round(PACED_RATE * PACED_SECONDS) }, 'paced');
  // Cells hold about 40 MB of records (at most 50,000, at least 400): enough to measure after the warm-up, and
  // under the default 64 MiB memory bound, so that the table shows the cost of records, not of dropping them.
  const cell = (recordBytes: number, destinations: number): WorkloadSpec => ({
    kind: 'sized',
    recordBytes,
    destinations,
    records: Math.round(Math.min(SCALE_RECORDS, Math.max(400, 40_000_000 / recordBytes))),
  });
  const chunkOf = (recordBytes: number) => Math.max(1, Math.min(CHUNK, Math.floor(1_000_000 / recordBytes)));
  for (const pipeline of SCALING_PIPELINES) {
    for (const destinations of DESTINATIONS) {
      const tables: TableId[] = destinations === 1 ? ['destinations', 'recordSizes'] : ['destinations'];
      add(tables, pipeline, cell(SCALING_RECORD_BYTES, destinations), 'throughput', chunkOf(SCALING_RECORD_BYTES));
    }
    for (const bytes of RECORD_SIZES.filter((size) => size !== SCALING_RECORD_BYTES)) add(['recordSizes'], pipeline, cell(bytes, 1), 'throughput', chunkOf(bytes));
  }
  return runs;
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  node: process.version,
};
const settings = { rounds: ROUNDS, records: RECORDS, scaleRecords: SCALE_RECORDS, chunk: CHUNK, pacedRate: PACED_RATE, pacedSeconds: PACED_SECONDS };

const sink = await startSink();
const tables: Record<TableId, Row[]> = { mix: [], short: [], paced: [], destinations: [], recordSizes: [] };
const runs = plan(sink.origin);
progress(`bench: ${runs.length} runs on ${machine.cpu} × ${machine.cores}, Node ${machine.node}; each in its own process, sink at ${sink.origin}`);
const started = performance.now();
for (const [index, run] of runs.entries()) {
  await sink.ask({ type: 'reset' });
  let warmUp: SinkAnswer = { stats: {}, cpuMicros: 0 };
  const { outcome, output } = await runChild(run.spec, async () => {
    warmUp = await sink.ask({ type: 'take' });
  });
  const row = toRow(run.spec, outcome, await sink.ask({ type: 'stats' }), warmUp, output);
  for (const table of run.tables) tables[table].push(row);
  const workload = run.spec.workload.kind === 'sized' ? `${run.spec.workload.recordBytes} B × ${run.spec.workload.destinations} dest` : `${run.spec.workload.kind} ${run.spec.mode}`;
  const summary = row.status === 'ok' ? `${report.integer(row.recordsPerSecond)} rec/s, ${report.fixed(row.cpuMicrosPerRecord)} µs/rec` : `${row.status}: ${row.error?.slice(0, 160)}`;
  progress(`[${String(index + 1).padStart(2)}/${runs.length}] ${workload.padEnd(22)} ${row.label.padEnd(46)} ${summary}`);
}
sink.stop();
for (const table of ['mix', 'short'] as const) {
  tables[table] = PIPELINES.map((pipeline) => tables[table].filter((row) => row.pipeline === pipeline)).filter((rows) => rows.length > 0).map(mergeRounds);
}
const totalSeconds = (performance.now() - started) / 1000;

const ratios = { mix: report.ratios(tables.mix), short: report.ratios(tables.short) };
if (json) {
  process.stdout.write(`${JSON.stringify({ machine, settings, totalSeconds, tables, ratios, targets: targetLines(tables, machine.cores) }, null, 2)}\n`);
} else {
  const mixTitle = `${report.integer(RECORDS)} records, realistic mix (60 % short lines, 30 % structured bodies, 10 % 2 KB multibyte lines), 4 streams`;
  const stock = 'stock: BatchLogRecordProcessor defaults but maxQueueSize = records (no queue drops); ours: ConstraintAwareBatchProcessor defaults';
  const sections: string[] = [
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; ${runs.length} runs in ${totalSeconds.toFixed(0)} s`,
    `every pipeline gets the same generated records, each made as it is emitted, ${CHUNK} per event-loop turn (setImmediate between turns), each pipeline in its own process,\n` +
      `to a loopback sink in another process that checks every request (JSON against its grammar, protobuf field by field); records/s = records / (first measured emit → provider.shutdown() resolved),\nafter a warm-up: the pipeline answered one flush (start ms: a worker thread's start-up), then ${WARM_UP_SHARE * 100} % as many records again, emitted and flushed, untimed\n(paced: as many, at the same rate); requests, fill and the sink's CPU are the measured phase's, lost counts both; ${stock}`,
    'requests: data requests the sink counted (CreateLogStream and the like not included); MiB sent: their bodies as they went over the wire, i.e. compressed where the\n' +
      'exporter gzips (only the OTLP endpoint row by default), headers not counted; CPU µs/rec: the whole process, compression on the thread pool included',
  ];
  if (wanted('mix')) {
    sections.push(report.textTable(`Throughput: ${mixTitle}; the median of ${ROUNDS} interleaved rounds`, report.throughputColumns, tables.mix));
    sections.push(report.textTable('Ratios to stock OTLP http/json, realistic mix (CPU above floor = (µs/rec − SDK floor) ÷ the same for OTLP/JSON)', report.ratioColumns, ratios.mix));
    const apis = report.cloudWatchApis(tables.mix);
    if (apis) sections.push(apis);
  }
  if (wanted('short')) {
    sections.push(report.textTable(`Throughput: ${report.integer(RECORDS)} records, short text lines only, 1 stream; the median of ${ROUNDS} rounds`, report.throughputColumns, tables.short));
    sections.push(report.textTable('Ratios to stock OTLP http/json, short lines', report.ratioColumns, ratios.short));
    const apis = report.cloudWatchApis(tables.short);
    if (apis) sections.push(apis);
  }
  if (wanted('paced')) {
    const title = `Paced: the realistic mix at a steady ${report.integer(PACED_RATE)} records/s (500 every 10 ms) for ${PACED_SECONDS} s after as long a warm-up at the same rate, a late tick catching up;\nevent-loop delay while emitting (target p99 ≤ 10 ms; about one sample per loop turn, so few samples = long turns)`;
    sections.push(report.textTable(title, report.pacedColumns, tables.paced));
  }
  if (wanted('destinations')) {
    sections.push(report.textTable(`Scaling with destinations (ours): ${SCALING_RECORD_BYTES / 1000} KB records round-robin over N streams (more streams: more, smaller requests)`, report.destinationColumns, tables.destinations));
  }
  if (wanted('recordSizes')) {
    sections.push(report.textTable('Scaling with record size (ours): one destination; µs/KB = CPU per 1,000 body bytes', report.recordSizeColumns, tables.recordSizes));
  }
  const targets = targetLines(tables, machine.cores);
  if (targets.length > 0) sections.push(['Targets (issue 10), from this run', ...targets.map((line) => `- ${line}`)].join('\n'));
  const notes = report.notes(tables);
  if (notes.length > 0) sections.push(['Notes', ...notes.map((line) => `- ${line}`)].join('\n'));
  sections.push('Timings vary between runs and machines: compare the ratios within one run.');
  process.stdout.write(`\n${sections.join('\n\n')}\n`);
}
