// One measurement, in a child process of its own (so that peak RSS is this pipeline's): builds the pipeline,
// makes and emits the records through a LoggerProvider as an application would, and reports the
// timings to the orchestrator over IPC. Usage: node --conditions=@otel-cloud-logs/source bench/run.ts '<RunSpec>'
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildPipeline, NotApplicable, type BuiltPipeline } from './pipelines.ts';
import type { ExporterCounts, FromRun, RunMeasurement, RunOutcome, RunSpec, ToRun } from './protocol.ts';
import { generateRecords, type BenchRecord } from './workloads.ts';

/** Paced mode: one timer tick every 10 ms (500 records per tick at 50,000 records/s). */
const PACED_TICK_MILLIS = 10;

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const where = error.stack?.split('\n').find((line) => line.trim().startsWith('at '))?.trim();
  return `${error.name}: ${error.message}${where ? ` (${where})` : ''}`;
}

/** The application thread's CPU time in µs, where Node has process.threadCpuUsage (≥ 23.9). */
function appThreadMicros(): number | undefined {
  if (typeof process.threadCpuUsage !== 'function') return undefined;
  const usage = process.threadCpuUsage();
  return usage.user + usage.system;
}

function processMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The workload's records in emit order, each made as it is taken (so `emit` gets fresh data, as from an app). */
type RecordSource = Iterator<BenchRecord, void, undefined>;

/** Emits the source's next record; false when it has none left. */
function emitNext(records: RecordSource, emit: (record: BenchRecord) => void): boolean {
  const next = records.next();
  if (next.done) return false;
  emit(next.value);
  return true;
}

/** As fast as the application can: `count` records, `chunk` per event-loop turn, yielding between chunks. */
async function emitInChunks(records: RecordSource, count: number, emit: (record: BenchRecord) => void, chunk: number): Promise<void> {
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    for (let index = start; index < end; index++) emitNext(records, emit);
    await nextTurn();
  }
}

/** `count` records at a steady rate from a timer; a late tick catches up, as an app's backlog would. Returns the emission ms. */
function emitPaced(records: RecordSource, count: number, emit: (record: BenchRecord) => void, perSecond: number): Promise<number> {
  const started = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((performance.now() - started) * perSecond) / 1000));
      while (sent < due && emitNext(records, emit)) sent++;
      if (sent < count) return;
      clearInterval(timer);
      resolve(performance.now() - started);
    }, PACED_TICK_MILLIS);
  });
}

/** Tells the orchestrator the warm-up was delivered, and waits until it has read and reset the sink. */
function measuredPhaseAllowed(): Promise<void> {
  if (!process.send) return Promise.resolve();
  const warmedUp: FromRun = { status: 'warmed-up' };
  return new Promise((resolve) => {
    process.once('message', (_message: ToRun) => resolve());
    process.send!(warmedUp);
  });
}

/** The measured phase's requests (the warm-up's taken off); drops and rejections over the whole run. */
function measuredPhase(end: ExporterCounts | undefined, warmUp: ExporterCounts | undefined): ExporterCounts | undefined {
  if (!end || !warmUp) return end;
  return { ...end, exported: end.exported - warmUp.exported, requests: end.requests - warmUp.requests, requestBytes: end.requestBytes - warmUp.requestBytes };
}

function exporterCounts(built: BuiltPipeline): ExporterCounts | undefined {
  if (!built.exporter) return undefined;
  const snapshot = built.exporter.metrics.snapshot();
  return {
    exported: snapshot.exported,
    requests: snapshot.requests,
    requestBytes: snapshot.requestBytes,
    droppedTotal: snapshot.droppedTotal,
    dropped: snapshot.dropped,
    rejectedTotal: snapshot.rejectedTotal,
  };
}

async function measure(spec: RunSpec): Promise<RunOutcome> {
  const total = spec.workload.records;
  const records = generateRecords(spec.workload);
  let built: BuiltPipeline;
  try {
    built = await buildPipeline(spec.pipeline, spec.origin, total);
  } catch (error) {
    return { status: error instanceof NotApplicable ? 'n/a' : 'failed', error: error instanceof NotApplicable ? error.message : describe(error) };
  }
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench', 'service.version': '1.0.0', 'host.name': 'bench-host' }),
    processors: [built.processor],
  });
  const logger = provider.getLogger('bench', '1.0.0');
  const emit = (record: BenchRecord) =>
    logger.emit({ body: record.body, severityNumber: record.severityNumber, severityText: record.severityText, attributes: record.attributes });

  // Start-up (e.g. a worker thread loading its modules) is timed apart: the clock starts once the pipeline answers
  // a flush (instant in-thread; the worker answers after it has built its exporter).
  const startBegan = performance.now();
  await provider.forceFlush();
  const startMs = performance.now() - startBegan;

  // The first records warm the pipeline up, untimed and delivered (the JIT compiles the hot paths of the SDK, the
  // exporter and, with a worker, both threads; buffers reach their working size), as in an application that has
  // been running for a while; the rest are measured.
  const warmedUp = spec.warmUp;
  if (warmedUp > 0) {
    if (spec.mode === 'paced') await emitPaced(records, warmedUp, emit, spec.pacedRate);
    else await emitInChunks(records, warmedUp, emit, spec.chunk);
    await provider.forceFlush();
    await measuredPhaseAllowed();
  }
  const countsAfterWarmUp = exporterCounts(built);
  const measured = total - warmedUp;

  const rssBeforeBytes = process.memoryUsage.rss();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const cpuBefore = processMicros();
  const threadBefore = appThreadMicros();
  const started = performance.now();
  delay.enable();
  let emitMs: number;
  if (spec.mode === 'paced') {
    emitMs = await emitPaced(records, measured, emit, spec.pacedRate);
    delay.disable(); // paced: the delay while the app is emitting at the steady rate, not during shutdown
  } else {
    await emitInChunks(records, measured, emit, spec.chunk);
    emitMs = performance.now() - started;
  }
  await provider.shutdown();
  const wallMs = performance.now() - started;
  delay.disable();
  const cpuAfter = processMicros();
  const threadAfter = appThreadMicros();
  const measurement: RunMeasurement = {
    status: 'ok',
    emitted: measured,
    warmedUp,
    startMs,
    wallMs,
    emitMs,
    processCpuMicros: cpuAfter - cpuBefore,
    appThreadCpuMicros: threadBefore === undefined || threadAfter === undefined ? undefined : threadAfter - threadBefore,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBeforeBytes,
    eventLoopDelayP99Ms: delay.count > 0 ? delay.percentile(99) / 1e6 : 0,
    eventLoopDelayMaxMs: delay.count > 0 ? delay.max / 1e6 : 0,
    eventLoopDelaySamples: delay.count,
    exporter: measuredPhase(exporterCounts(built), countsAfterWarmUp),
  };
  return measurement;
}

function report(outcome: RunOutcome): void {
  if (!process.send) {
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    process.exit(0);
  }
  // Exits right after: a pipeline that left a handle open must not hold up the benchmark.
  process.send(outcome, () => process.exit(0));
}

// Problems the pipelines report through diag go to stderr, which the orchestrator keeps for failed rows.
diag.setLogger(
  { error: (...args) => console.error('diag error:', ...args), warn: (...args) => console.error('diag warn:', ...args), info() {}, debug() {}, verbose() {} },
  DiagLogLevel.WARN,
);
process.on('disconnect', () => process.exit(1)); // the orchestrator is gone: nobody wants the result
process.on('uncaughtException', (error) => report({ status: 'failed', error: `uncaught: ${describe(error)}` }));
process.on('unhandledRejection', (error) => report({ status: 'failed', error: `unhandled rejection: ${describe(error)}` }));

const spec = JSON.parse(process.argv[2] ?? '{}') as RunSpec;
measure(spec).then(report, (error: unknown) => report({ status: 'failed', error: describe(error) }));
