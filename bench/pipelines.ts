// How each measured pipeline is built, inside its child process. Every package is imported here, on demand, so
// that a package that fails to load (e.g. mid-refactor) fails only the rows that use it.
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ConstraintAwareExporter } from '@otel-cloud-logs/core';
import type { PipelineId } from './protocol.ts';
import { LOG_GROUP_ID, logStreamId } from './workloads.ts';

export interface BuiltPipeline {
  readonly processor: LogRecordProcessor;
  /** Our exporter, whose self-metrics are read after shutdown. */
  readonly exporter?: ConstraintAwareExporter;
}

/** The pipeline cannot be built on this code base (e.g. the worker option is not there yet): a row of "n/a". */
export class NotApplicable extends Error {
  override readonly name = 'NotApplicable';
}

/** A processor that does nothing: what the SDK costs to emit a record, without any export. */
const nothing: LogRecordProcessor = {
  onEmit() {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

// Credentials and ids of the right shapes; the sink checks no signature.
const AWS_CREDENTIALS = { accessKeyId: 'AKIDBENCHMARK0000000', secretAccessKey: 'bench-secret-access-key' };
const HUAWEI_PROJECT_ID = '0123456789abcdef0123456789abcdef';

type OurExporterName = 'cloudwatch' | 'cloudwatch-otlp' | 'lts' | 'servicewatch';

/** A new exporter of ours, configured against the sink. */
async function ourExporter(name: OurExporterName, origin: string): Promise<ConstraintAwareExporter> {
  let exporter: object;
  if (name === 'cloudwatch') {
    const { CloudWatchLogsExporter } = await import('@otel-cloud-logs/cloudwatch-logs');
    exporter = new CloudWatchLogsExporter({ region: 'us-east-1', endpoint: origin, credentials: AWS_CREDENTIALS });
  } else if (name === 'cloudwatch-otlp') {
    // The OTLP endpoint with its defaults: protobuf, gzip (on libuv's thread pool), SigV4.
    const { CloudWatchLogsOtlpExporter } = await import('@otel-cloud-logs/cloudwatch-logs');
    exporter = new CloudWatchLogsOtlpExporter({ region: 'us-east-1', endpoint: origin, credentials: AWS_CREDENTIALS });
  } else if (name === 'lts') {
    const { HuaweiLtsExporter } = await import('@otel-cloud-logs/huawei-lts');
    exporter = new HuaweiLtsExporter({
      projectId: HUAWEI_PROJECT_ID,
      auth: { type: 'aksk', accessKeyId: 'BENCHHUAWEIAK0000000', secretAccessKey: 'bench-huawei-secret-key' },
      endpoint: origin,
      ingestEndpoint: origin,
      logGroup: LOG_GROUP_ID,
      logStream: logStreamId(0),
    });
  } else {
    const { ServiceWatchLogsExporter } = await import('@otel-cloud-logs/scp-servicewatch');
    exporter = new ServiceWatchLogsExporter({
      endpoint: origin,
      accessKey: 'bench-scp-access-key',
      secretKey: 'bench-scp-secret-key',
      accountId: 'benchaccount0001',
      logGroupValue: LOG_GROUP_ID,
      logStreamValue: logStreamId(0),
    });
  }
  // Checked at run time rather than by type: a package mid-refactor may not match core's base class yet.
  const core = await import('@otel-cloud-logs/core');
  if (!(exporter instanceof core.ConstraintAwareExporter)) throw new TypeError(`the ${name} exporter is not a ConstraintAwareExporter of @otel-cloud-logs/core`);
  return exporter;
}

type ProcessorOptions = ConstructorParameters<typeof import('@otel-cloud-logs/core').ConstraintAwareBatchProcessor>[0];

/**
 * Does ConstraintAwareBatchProcessor know the `thread` option? One that does refuses an unknown value; one that
 * does not would silently run in-thread, and its "worker" row would be a second in-thread row.
 */
async function checkThreadOption(name: OurExporterName, origin: string): Promise<void> {
  const { ConstraintAwareBatchProcessor } = await import('@otel-cloud-logs/core');
  const exporter = await ourExporter(name, origin);
  const invalidThread: string = 'not-a-thread';
  let processor: LogRecordProcessor;
  try {
    processor = new ConstraintAwareBatchProcessor({ exporter, thread: invalidThread } as ProcessorOptions);
  } catch (error) {
    await exporter.shutdown();
    if (/thread/i.test((error as Error).message)) return;
    throw error;
  }
  await processor.shutdown();
  throw new NotApplicable("ConstraintAwareBatchProcessor does not support the 'thread' option yet (it accepted an invalid value)");
}

async function ours(name: OurExporterName, thread: 'main' | 'worker', origin: string): Promise<BuiltPipeline> {
  const { ConstraintAwareBatchProcessor } = await import('@otel-cloud-logs/core');
  if (thread === 'main') {
    const exporter = await ourExporter(name, origin);
    return { processor: new ConstraintAwareBatchProcessor({ exporter }), exporter };
  }
  await checkThreadOption(name, origin);
  const exporter = await ourExporter(name, origin);
  try {
    return { processor: new ConstraintAwareBatchProcessor({ exporter, thread: 'worker' } as ProcessorOptions), exporter };
  } catch (error) {
    await exporter.shutdown();
    throw new NotApplicable(`thread 'worker' cannot be constructed: ${(error as Error).message}`);
  }
}

/** In-thread with the durable spool, in a fresh directory (removed when the process exits). */
async function spooled(name: OurExporterName, origin: string): Promise<BuiltPipeline> {
  const { ConstraintAwareBatchProcessor } = await import('@otel-cloud-logs/core');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const directory = mkdtempSync(join(tmpdir(), 'bench-spool-'));
  process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
  const exporter = await ourExporter(name, origin);
  try {
    return { processor: new ConstraintAwareBatchProcessor({ exporter, spool: { directory } } as ProcessorOptions), exporter };
  } catch (error) {
    await exporter.shutdown();
    throw new NotApplicable(`the spool option cannot be constructed: ${(error as Error).message}`);
  }
}

/**
 * The stock processor with its defaults except maxQueueSize, raised to the run's record count: at its default
 * (2,048) it drops records under these bursts, and a run that sends fewer records is not comparable.
 */
async function stock(protocol: 'json' | 'protobuf', origin: string, records: number): Promise<BuiltPipeline> {
  const { BatchLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
  const url = `${origin}/v1/logs`;
  const exporter =
    protocol === 'json'
      ? new (await import('@opentelemetry/exporter-logs-otlp-http')).OTLPLogExporter({ url })
      : new (await import('@opentelemetry/exporter-logs-otlp-proto')).OTLPLogExporter({ url });
  return { processor: new BatchLogRecordProcessor({ exporter, maxQueueSize: Math.max(2_048, records) }) };
}

export async function buildPipeline(id: PipelineId, origin: string, records: number): Promise<BuiltPipeline> {
  switch (id) {
    case 'floor':
      return { processor: nothing };
    case 'otlp-json':
      return stock('json', origin, records);
    case 'otlp-proto':
      return stock('protobuf', origin, records);
    case 'cloudwatch':
      return ours('cloudwatch', 'main', origin);
    case 'cloudwatch-otlp':
      return ours('cloudwatch-otlp', 'main', origin);
    case 'cloudwatch-worker':
      return ours('cloudwatch', 'worker', origin);
    case 'cloudwatch-spool':
      return spooled('cloudwatch', origin);
    case 'lts':
      return ours('lts', 'main', origin);
    case 'lts-worker':
      return ours('lts', 'worker', origin);
    case 'servicewatch':
      return ours('servicewatch', 'main', origin);
    case 'servicewatch-worker':
      return ours('servicewatch', 'worker', origin);
  }
}
