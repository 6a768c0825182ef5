import { Worker } from 'node:worker_threads';
import type { Dispatcher, SealedRequest } from './dispatch.ts';
import type { ConstraintAwareExporter } from './exporter.ts';
import { emitProblem } from './problems.ts';
import type { FromWorker, ToWorker, WorkerRecipe } from './worker-protocol.ts';

/** Running from TypeScript sources (the workspace): the worker must resolve the packages to their sources too. */
const fromSources = import.meta.url.endsWith('.ts');

/**
 * Delivery in a `worker_threads` worker that runs a twin of the exporter (built from its recipe): each sealed
 * request crosses as one message whose record bytes are transferred, not copied. The worker hands back, with
 * each finished request, what it counted, so that the exporter's self-metrics and `diag` reports read as in-thread.
 */
export class WorkerDispatcher implements Dispatcher {
  private readonly exporter: ConstraintAwareExporter;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { readonly records: number; readonly resolve: () => void }>();
  private failure: string | undefined;
  private closing: Promise<void> | undefined;
  private onClosed: (() => void) | undefined;

  /** Throws a clear error when the exporter cannot be rebuilt in a worker (e.g. a credentials function). */
  static forExporter(exporter: ConstraintAwareExporter): WorkerDispatcher {
    const recipe = exporter.recipeForWorker();
    if (typeof recipe === 'string') throw new TypeError(`ConstraintAwareBatchProcessor: thread 'worker' is not possible: ${recipe}; use thread 'main'`);
    return new WorkerDispatcher(exporter, recipe);
  }

  private constructor(exporter: ConstraintAwareExporter, recipe: WorkerRecipe) {
    this.exporter = exporter;
    const script = new URL(fromSources ? './worker-main.ts' : './worker-main.js', import.meta.url);
    const execArgv = fromSources ? [...process.execArgv, '--conditions=@otel-cloud-logs/source'] : undefined;
    this.worker = new Worker(script, { execArgv, name: `otel-cloud-logs ${exporter.name}` });
    this.worker.on('message', (message: FromWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.fail(error.message));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(`the worker exited with code ${code}`);
      this.onClosed?.();
    });
    // Like in-thread delivery, the worker keeps the process alive only while it has requests.
    this.worker.unref();
    this.post({ type: 'init', recipe });
  }

  dispatch(request: SealedRequest, deadlineAt: number): Promise<void> {
    if (this.failure !== undefined) {
      this.countLost(request.records);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.pending.set(request.seq, { records: request.records, resolve });
      if (this.pending.size === 1) this.worker.ref();
      const batch = request.batch.toTransfer();
      const { logGroup, logStream, accountId } = request.destination;
      this.post({ type: 'send', seq: request.seq, destination: { logGroup, logStream, accountId }, batch, deadlineAt }, [batch.data, batch.ends.buffer, batch.times.buffer, batch.sizes.buffer]);
    });
  }

  abort(reason: Error): void {
    if (this.failure === undefined) this.post({ type: 'abort', reason: reason.message });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.failure !== undefined) {
        void this.worker.terminate().then(() => resolve());
        return;
      }
      const timer = setTimeout(() => void this.worker.terminate(), 5_000);
      this.onClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.worker.ref();
      this.post({ type: 'close' });
    });
    return this.closing;
  }

  private post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer);
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'done': {
        this.exporter.metrics.add(message.counts);
        const request = this.pending.get(message.seq);
        this.pending.delete(message.seq);
        if (this.pending.size === 0) this.worker.unref();
        request?.resolve();
        return;
      }
      case 'problem':
        emitProblem(undefined, message.level, message.text);
        return;
      case 'fatal':
        this.fail(message.message);
        return;
      case 'closed':
        this.exporter.metrics.add(message.counts);
        return;
    }
  }

  /** The worker is gone: what it held is counted as lost, and later requests are counted instead of sent. */
  private fail(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
    this.exporter.problems.error('worker_failed', `the delivery worker thread failed (${message}); log records handed to it are counted as dropped (worker_failed)`);
    for (const { records, resolve } of this.pending.values()) {
      this.countLost(records);
      resolve();
    }
    this.pending.clear();
    this.worker.unref();
  }

  private countLost(records: number): void {
    this.exporter.recordDrop('worker_failed', records);
  }
}
