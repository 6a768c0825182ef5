import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, GROUP, exporterFor, startEmulator } from './helpers.ts';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('ServiceWatchLogsExporter under the stock BatchLogRecordProcessor', () => {
  it('splits each export into valid requests and delivers every record once through faults', async () => {
    const { emulator, endpoint } = await startEmulator({ maxRequestBytes: 32_768, maxEventsPerRequest: 100 });
    stop = () => emulator.stop();
    const exporter = exporterFor(endpoint, {
      accountId: ACCOUNT,
      logGroupValue: GROUP,
      logStreamValue: 'default-stream',
      limits: { maxRequestBytes: 32_768, maxEventsPerRequest: 100, maxEventBytes: 16_000 },
    });
    emulator.injectFault({ kind: 'throttle', times: 3, retryAfterSeconds: 0 });
    emulator.injectFault({ kind: 'reset', times: 2 });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'blrp' }),
      processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, maxQueueSize: 4_096, scheduledDelayMillis: 20 })],
    });
    const logger = provider.getLogger('blrp');
    const now = Date.now();
    for (let seq = 0; seq < 1_500; seq++) {
      logger.emit({
        body: `record ${seq} ${'ü'.repeat(seq % 300)}`,
        timestamp: now - ((seq * 7_919) % 600_000),
        attributes: seq % 5 === 0 ? { seq, log_stream_value: 'other-stream' } : { seq },
      });
    }
    await provider.shutdown();
    const seqs = emulator.records().map((record) => record.attributes.seq as number);
    expect(seqs).toHaveLength(1_500);
    expect(new Set(seqs).size).toBe(1_500);
    expect(emulator.records({ accountId: ACCOUNT, logGroupValue: GROUP, logStreamValue: 'other-stream' })).toHaveLength(300);
    expect(emulator.logEventsRequests.filter((r) => r.status === 202).every((r) => r.records <= 100 && r.bodyBytes <= 32_768)).toBe(true);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 1_500, droppedTotal: 0, rejectedTotal: 0 });
  });
});
