// The delivery worker of `thread: 'worker'`: builds the exporter's twin from its recipe and delivers the requests
// the application's thread hands over, reporting what it counted back with each finished request.
import { parentPort } from 'node:worker_threads';
import { deliver } from './delivery.ts';
import { EncodedBatch } from './encoded-batch.ts';
import type { ConstraintAwareExporter } from './exporter.ts';
import { SelfMetrics, type SelfMetricsCounts } from './metrics.ts';
import type { FromWorker, ToWorker, WorkerRecipe } from './worker-protocol.ts';

const port = parentPort!;
const controller = new AbortController();
const inFlight = new Set<Promise<void>>();
let exporter: ConstraintAwareExporter | undefined;
let ready: Promise<void> = Promise.resolve();
let reported: SelfMetricsCounts | undefined;

function post(message: FromWorker): void {
  port.postMessage(message);
}

/** What was counted since the last message. */
function countsSinceLastReport(): SelfMetricsCounts {
  const now = exporter!.metrics.counts();
  const delta = SelfMetrics.difference(now, reported!);
  reported = now;
  return delta;
}

async function init(recipe: WorkerRecipe): Promise<void> {
  try {
    const module = (await import(recipe.moduleUrl)) as Record<string, new (options: unknown) => ConstraintAwareExporter>;
    const Exporter = module[recipe.exportName];
    if (typeof Exporter !== 'function') throw new TypeError(`${recipe.moduleUrl} exports no ${recipe.exportName}`);
    exporter = new Exporter(recipe.options);
    exporter.problems.redirect((level, text) => post({ type: 'problem', level, text }));
    reported = exporter.metrics.counts();
  } catch (error) {
    post({ type: 'fatal', message: `the exporter could not be built in the worker: ${(error as Error).message}` });
  }
}

async function send(message: Extract<ToWorker, { type: 'send' }>): Promise<void> {
  if (!exporter) return;
  const batch = EncodedBatch.fromTransfer(message.batch);
  await deliver(exporter, message.destination, batch, { deadlineAt: message.deadlineAt, signal: controller.signal }).catch(() => false);
  post({ type: 'done', seq: message.seq, counts: countsSinceLastReport() });
}

async function close(): Promise<void> {
  await Promise.allSettled([...inFlight]);
  if (exporter) {
    await exporter.shutdown();
    post({ type: 'closed', counts: countsSinceLastReport() });
  }
  port.close();
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init':
      ready = init(message.recipe);
      return;
    case 'send': {
      const task = ready.then(() => send(message));
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      return;
    }
    case 'abort':
      controller.abort(new Error(message.reason));
      return;
    case 'close':
      void ready.then(close);
      return;
  }
});
