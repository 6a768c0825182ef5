import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { LogPipeline, type SinkRoute } from '../pipeline.ts';
import type { LogProcessor } from '../processors/types.ts';
import { ExporterSink } from '../sink.ts';
import { DEFAULT_MAX_INFLIGHT_BYTES, DEFAULT_MAX_REQUEST_BODY_BYTES, type GatewayOptions, type ReceiverOptions } from '../gateway/options.ts';
import { substituteEnv } from './env.ts';
import { exporterFromConfig, type ExporterPlan } from './exporters.ts';
import { ExtensionRegistry } from './extensions.ts';
import { ConfigError, ConfigNode } from './node.ts';
import { conditionFromConfig, processorFromConfig } from './processors.ts';
import { receiverFromConfig, type ReceiverPlan } from './receivers.ts';

export interface LoadConfigOptions {
  /** Variables for `${env:...}`. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Name used in error messages, e.g. the file path. */
  readonly source?: string;
}

const TOP_LEVEL_KEYS = ['extensions', 'receivers', 'processors', 'exporters', 'service'];

interface ServiceSettings {
  readonly shutdownTimeoutMillis: number;
  readonly queueFillThreshold: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly maxInflightBytes: number | undefined;
}

function serviceSettings(service: ConfigNode): ServiceSettings {
  const backpressure = service.child('backpressure');
  backpressure.map(['queue_fill_threshold', 'retry_after', 'max_inflight_bytes']);
  const retryAfter = backpressure.child('retry_after').millis();
  return {
    shutdownTimeoutMillis: service.child('shutdown_timeout').millis() ?? 30_000,
    queueFillThreshold: backpressure.child('queue_fill_threshold').number({ min: 0.01, max: 1 }),
    retryAfterSeconds: retryAfter === undefined ? undefined : Math.max(1, Math.ceil(retryAfter / 1000)),
    maxInflightBytes: backpressure.child('max_inflight_bytes').bytes(),
  };
}

/**
 * Reads a Collector-shaped YAML configuration and builds everything the gateway runs: receivers, pipelines with
 * their processors and routes, and one batching exporter per exporter in use. Throws a `ConfigError` listing
 * every problem with its path.
 */
export function gatewayOptionsFromYaml(text: string, options: LoadConfigOptions = {}): GatewayOptions {
  const source = options.source ?? 'configuration';
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  // One syntax error tends to cascade: the first ones say where it is.
  if (document.errors.length > 0) throw new ConfigError(document.errors.slice(0, 3).map((error) => error.message.split('\n')[0]!), source);
  const problems: string[] = [];
  const root = new ConfigNode(substituteEnv(document.toJS(), options.env ?? process.env, '', problems), '', problems);
  if (!root.map(TOP_LEVEL_KEYS, 'a map with receivers, processors, exporters and service')) {
    throw new ConfigError([...problems, 'the file is empty or not a map: expected receivers, processors, exporters and service'], source);
  }

  const service = root.child('service');
  service.map(['extensions', 'pipelines', 'shutdown_timeout', 'backpressure']);
  const extensions = new ExtensionRegistry(root.child('extensions'), service.child('extensions'));
  const receivers = new Map<string, ReceiverPlan>();
  for (const [id, node] of root.child('receivers').entries()) {
    const plan = receiverFromConfig(id, node, extensions);
    if (plan) receivers.set(id, plan);
  }
  const processors = new Map<string, LogProcessor>();
  for (const [id, node] of root.child('processors').entries()) {
    const processor = processorFromConfig(id, node);
    if (processor) processors.set(id, processor);
  }
  const exporterPlans = new Map<string, ExporterPlan>();
  for (const [id, node] of root.child('exporters').entries()) {
    const plan = exporterFromConfig(id, node, extensions);
    // Creating an exporter whose options already have problems (unset variables included) would only
    // repeat them in other words.
    const hasProblems = problems.some((problem) => problem.startsWith(`${node.path}.`) || problem.startsWith(`${node.path}:`));
    if (plan && !hasProblems) exporterPlans.set(id, plan);
  }

  const isDeclared = (section: string, id: string) => {
    const declared = root.child(section).value;
    return typeof declared === 'object' && declared !== null && Object.hasOwn(declared, id);
  };

  const settings = serviceSettings(service);
  const maxInflightBytes = settings.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES;
  for (const plan of receivers.values()) {
    const maxBody = plan.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES;
    if (maxBody > maxInflightBytes) {
      root.child('receivers').child(plan.id).child('protocols').child('http').child('max_request_body_size').problem(
        `${maxBody} bytes is more than service.backpressure.max_inflight_bytes (${maxInflightBytes} bytes), so bodies that large could never be accepted; lower it or raise max_inflight_bytes (a body decodes to many times its size; see Memory in the pipeline README)`,
      );
    }
  }
  const sinks = new Map<string, ExporterSink>();
  const sinkFor = (node: ConfigNode): ExporterSink | undefined => {
    const id = node.string();
    if (id === undefined) return undefined;
    if (!exporterPlans.has(id)) {
      // A declared exporter with bad options has its own problem already.
      if (!isDeclared('exporters', id)) node.problem(`exporter ${JSON.stringify(id)} is not declared under exporters`);
      return undefined;
    }
    let sink = sinks.get(id);
    if (!sink) {
      const plan = exporterPlans.get(id)!;
      const exporter = node.attempt(() => plan.create(), `${root.child('exporters').child(id).path}: `);
      if (!exporter) {
        exporterPlans.delete(id);
        return undefined;
      }
      sink = new ExporterSink(id, exporter, { shutdownTimeoutMillis: settings.shutdownTimeoutMillis, ...plan.batching });
      sinks.set(id, sink);
    }
    return sink;
  };

  const pipelinesByReceiver = new Map<string, LogPipeline[]>();
  const pipelines = service.child('pipelines');
  if (pipelines.required('at least one logs pipeline, e.g. logs: { receivers: [otlp], exporters: [cloudwatch_logs] }')) {
    for (const [id, node] of pipelines.entries()) {
      if (id.split('/', 1)[0] !== 'logs') {
        node.problem('only logs pipelines are supported (logs or logs/name)');
        continue;
      }
      if (!node.map(['receivers', 'processors', 'exporters', 'routes'])) continue;
      const receiverIds = node.child('receivers').list('a list of receiver names').map((item) => {
        const name = item.string();
        if (name !== undefined && !isDeclared('receivers', name)) {
          item.problem(`receiver ${JSON.stringify(name)} is not declared under receivers`);
        }
        return name;
      });
      if (receiverIds.length === 0) node.child('receivers').problem('required: a non-empty list of receivers, e.g. [otlp]');
      const steps = node
        .child('processors')
        .list('a list of processor names')
        .map((item) => {
          const name = item.string();
          if (name === undefined) return undefined;
          const processor = processors.get(name);
          if (!processor && !isDeclared('processors', name)) {
            item.problem(`processor ${JSON.stringify(name)} is not declared under processors`);
          }
          return processor;
        });
      const defaultSinks = node.child('exporters').list('a list of exporter names').map(sinkFor);
      const routes: (SinkRoute | undefined)[] = node
        .child('routes')
        .list('a list of { when, exporters }')
        .map((route) => {
          if (!route.map(['when', 'exporters'])) return undefined;
          const when = route.child('when').present ? conditionFromConfig(route.child('when')) : undefined;
          const routeSinks = route.child('exporters').list('a list of exporter names').map(sinkFor);
          if (routeSinks.length === 0) route.child('exporters').problem('required: a non-empty list of exporters');
          return { when, sinks: routeSinks.filter((sink) => sink !== undefined) };
        });
      if (defaultSinks.length === 0 && routes.length === 0) node.problem('give exporters (and optionally routes): the pipeline sends nowhere');
      if (problems.length > 0) continue;
      const pipeline = node.attempt(
        () => new LogPipeline({ name: id, processors: steps as LogProcessor[], routes: routes as SinkRoute[], defaultSinks: defaultSinks as ExporterSink[] }),
        'service.pipelines.',
      );
      if (!pipeline) continue;
      for (const receiverId of receiverIds as string[]) {
        const list = pipelinesByReceiver.get(receiverId) ?? [];
        list.push(pipeline);
        pipelinesByReceiver.set(receiverId, list);
      }
    }
  }
  if (problems.length > 0) {
    void Promise.all([...sinks.values()].map((sink) => sink.shutdown()));
    throw new ConfigError(problems, source);
  }
  const receiverOptions: ReceiverOptions[] = [...pipelinesByReceiver].map(([id, list]) => {
    const plan = receivers.get(id)!;
    return { name: id, host: plan.host, port: plan.port, maxRequestBodyBytes: plan.maxRequestBodyBytes, tls: plan.tls, auth: plan.auth, pipelines: list };
  });
  return {
    receivers: receiverOptions,
    sinks: [...sinks.values()],
    extensions: extensions.inService(),
    shutdownTimeoutMillis: settings.shutdownTimeoutMillis,
    backpressure: { queueFillThreshold: settings.queueFillThreshold, retryAfterSeconds: settings.retryAfterSeconds, maxInflightBytes: settings.maxInflightBytes },
    effectiveConfig: root.value,
  };
}

/** Reads a configuration file (see `gatewayOptionsFromYaml`). */
export async function gatewayOptionsFromFile(path: string, options: Omit<LoadConfigOptions, 'source'> = {}): Promise<GatewayOptions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`], path);
  }
  return gatewayOptionsFromYaml(text, { ...options, source: path });
}
