import { expect, test } from 'vitest';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { smallLimits } from './support/memory-exporter.ts';
import { WorkerMemoryExporter } from './support/worker-memory-exporter.ts';

const WINDOW = 4 * 1024 * 1024;

test("thread 'worker': the application never runs more than the transit window ahead of a lagging worker, and loses nothing", async () => {
  // The worker blocks on its first record for 900 ms; meanwhile the application logs ~14 MB in one go.
  const exporter = new WorkerMemoryExporter({ limits: smallLimits(), workerStallsMillis: 900 });
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
  expect(ahead).toBeGreaterThanOrEqual(WINDOW);
  // One chunk may cross the window: it goes at 1,024 records or 1 Mi code units (here ~1.2 MiB counted).
  expect(ahead).toBeLessThan(WINDOW + 2 * 1024 * 1024);
  await provider.shutdown();
  const snapshot = exporter.metrics.snapshot();
  expect(snapshot).toMatchObject({ exported: emitted + 1, droppedTotal: 0, queueBytes: 0 });
});
