import { expect, test, vi } from 'vitest';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { smallLimits } from './support/memory-exporter.ts';
import { WorkerMemoryExporter } from './support/worker-memory-exporter.ts';

const WINDOW = 4 * 1024 * 1024;

test("thread 'worker': past the transit window the application encodes records itself, past twice the window it waits; nothing is lost", async () => {
  // The worker blocks on its first record for 900 ms; meanwhile the application logs ~14 MB in one go.
  const exporter = new WorkerMemoryExporter({ limits: smallLimits(), workerStallsMillis: 900 });
  // On the application's thread the exporter encodes only records it takes over from a lagging worker.
  const encodedHere = vi.spyOn(exporter, 'encode');
  const processor = new ConstraintAwareBatchProcessor({ exporter, thread: 'worker', scheduledDelayMillis: 5 });
  const provider = new LoggerProvider({ processors: [processor] });
  await processor.forceFlush(); // the worker is up
  const logger = provider.getLogger('test');
  const line = 'ログ'.repeat(300); // 600 code units, 1,800 UTF-8 bytes
  const emitted = 8_000;
  const samples: Array<{ at: number; queueBytes: number }> = [];
  logger.emit({ body: 'first' }); // the record the worker stalls on
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < emitted; i++) {
    logger.emit({ body: `${i} ${line}` });
    samples.push({ at: performance.now(), queueBytes: exporter.metrics.snapshot().queueBytes });
  }
  // Until the worker takes its first chunk in, what the queue counts is what is in transit.
  const firstWait = samples.findIndex((sample, i) => i > 0 && sample.at - samples[i - 1]!.at > 250);
  expect(firstWait, 'the application waited for the stalled worker').toBeGreaterThan(0);
  const ahead = Math.max(...samples.slice(0, firstWait).map((sample) => sample.queueBytes));
  expect(ahead).toBeGreaterThanOrEqual(2 * WINDOW);
  // One chunk may cross the limit: it goes at 1,024 records or 1 MiB of fragments (here ~1.1 MiB counted).
  expect(ahead).toBeLessThan(2 * WINDOW + 2 * 1024 * 1024);
  // Between the two windows (~2,300 records of ~1.8 KB), the records were encoded here.
  expect(encodedHere.mock.calls.length).toBeGreaterThan(1_000);
  expect(encodedHere.mock.calls.length).toBeLessThan(emitted);
  await provider.shutdown();
  const snapshot = exporter.metrics.snapshot();
  expect(snapshot).toMatchObject({ exported: emitted + 1, droppedTotal: 0, queueBytes: 0 });
});
