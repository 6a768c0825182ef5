import { ProblemReporter, type LogEntry } from '@otel-cloud-logs/core';
import { compileCondition, type EntryPredicate, type LogCondition } from './condition.ts';
import type { LogProcessor } from './processors/types.ts';
import type { ExporterSink } from './sink.ts';

/** Records matching `when` (every record when it is absent) go to `sinks`. */
export interface SinkRoute {
  readonly when?: LogCondition;
  readonly sinks: readonly ExporterSink[];
}

export interface LogPipelineOptions {
  readonly name: string;
  readonly processors?: readonly LogProcessor[];
  /** Tried in order; the first route whose condition matches takes the record. */
  readonly routes?: readonly SinkRoute[];
  /** Where records go that match no route (every record when there are no routes). */
  readonly defaultSinks?: readonly ExporterSink[];
}

/** What became of one record. */
export type PipelineVerdict =
  | { readonly status: 'queued' }
  /** `reason`: the processor that dropped it, `no_route`, or `refused` when every exporter it was routed to refused it. */
  | { readonly status: 'dropped'; readonly reason: string };

export interface PipelineStats {
  readonly name: string;
  readonly received: number;
  /** Records queued to at least one exporter. */
  readonly forwarded: number;
  /** Records dropped before any exporter, by processor name (`<name>:error` when it threw) or `no_route`. */
  readonly dropped: Readonly<Record<string, number>>;
  /** Records every target exporter refused (the exporters' own counters say why). */
  readonly refused: number;
}

/** A pipeline's parts by name: processors in order, routes tried in order, the exporters of records no route took. */
export interface PipelineDescription {
  readonly name: string;
  readonly processors: readonly string[];
  readonly routes: readonly { readonly when: LogCondition | undefined; readonly exporters: readonly string[] }[];
  readonly exporters: readonly string[];
}

/** A record after the processors and routing: where it would go, or why it is dropped. */
export type RoutedRecord =
  | { readonly entry: LogEntry; readonly sinks: readonly ExporterSink[]; readonly dropReason?: undefined }
  | { readonly entry?: undefined; readonly sinks: readonly ExporterSink[]; readonly dropReason: string };

const QUEUED: PipelineVerdict = { status: 'queued' };

/** Processors, then routing, then a hand-over to each chosen exporter's queue. Synchronous and never blocking. */
export class LogPipeline {
  readonly name: string;
  private readonly processors: readonly LogProcessor[];
  private readonly routes: readonly { readonly matches: EntryPredicate; readonly sinks: readonly ExporterSink[] }[];
  private readonly defaultSinks: readonly ExporterSink[];
  private readonly routeConditions: readonly (LogCondition | undefined)[];
  private readonly problems = new ProblemReporter('@otel-cloud-logs/pipeline');
  private received = 0;
  private forwarded = 0;
  private refused = 0;
  private readonly dropped = new Map<string, number>();

  constructor(options: LogPipelineOptions) {
    this.name = options.name;
    this.processors = options.processors ?? [];
    this.routes = (options.routes ?? []).map((route, i) => ({
      matches: route.when === undefined ? () => true : compileCondition(route.when, `${options.name}.routes[${i}].when`),
      sinks: route.sinks,
    }));
    this.defaultSinks = options.defaultSinks ?? [];
    this.routeConditions = (options.routes ?? []).map((route) => route.when);
    if (this.sinks().length === 0) throw new TypeError(`${options.name}: give at least one exporter (exporters or routes)`);
  }

  /** What the pipeline is made of, by name (the gateway's status page lists it). */
  describe(): PipelineDescription {
    return {
      name: this.name,
      processors: this.processors.map((processor) => processor.name),
      routes: this.routes.map((route, index) => ({ when: this.routeConditions[index], exporters: route.sinks.map((sink) => sink.name) })),
      exporters: this.defaultSinks.map((sink) => sink.name),
    };
  }

  /** Every exporter this pipeline can send to. */
  sinks(): ExporterSink[] {
    return [...new Set([...this.routes.flatMap((route) => route.sinks), ...this.defaultSinks])];
  }

  process(input: LogEntry): PipelineVerdict {
    return this.deliver(this.route(input));
  }

  /**
   * Runs the processors and picks the exporters, without counting or queueing anything: the gateway looks at
   * where a request's records would go before it accepts the request, so that only the exporters they are
   * headed for can make it answer 429.
   */
  route(input: LogEntry): RoutedRecord {
    let entry: LogEntry | undefined = input;
    for (const processor of this.processors) {
      try {
        entry = processor.process(entry);
      } catch (error) {
        this.problems.error(`throw:${processor.name}`, `processor ${processor.name} failed, dropping the record: ${(error as Error).message}`);
        return { dropReason: `${processor.name}:error`, sinks: [] };
      }
      if (entry === undefined) return { dropReason: processor.name, sinks: [] };
    }
    const sinks = this.routes.find((route) => route.matches(entry))?.sinks ?? this.defaultSinks;
    if (sinks.length === 0) return { dropReason: 'no_route', sinks };
    return { entry, sinks };
  }

  /** Counts a routed record and queues it to its exporters. */
  deliver(routed: RoutedRecord): PipelineVerdict {
    this.received++;
    if (routed.entry === undefined) return this.drop(routed.dropReason);
    let queued = false;
    for (const sink of routed.sinks) queued = sink.offer(routed.entry) || queued;
    if (!queued) {
      this.refused++;
      return { status: 'dropped', reason: 'refused' };
    }
    this.forwarded++;
    return QUEUED;
  }

  stats(): PipelineStats {
    return { name: this.name, received: this.received, forwarded: this.forwarded, dropped: Object.fromEntries(this.dropped), refused: this.refused };
  }

  private drop(reason: string): PipelineVerdict {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
    return { status: 'dropped', reason };
  }
}
