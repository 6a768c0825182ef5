import type { ObservedExchange } from '../common/observer.ts';
import type { HuaweiLtsEmulator } from '../huawei-lts/emulator.ts';
import { routeOf } from '../huawei-lts/routes.ts';
import type { ServiceWatchEmulator } from '../scp-servicewatch/emulator.ts';

/** What one ingest request meant for one destination (a group/stream pair). */
export interface ExchangeSample {
  /** `group › stream` as the service names them. */
  readonly destination: string;
  /** Records the service stored from it. */
  readonly records: number;
  readonly throttled: boolean;
  /** Refused or faulted for another reason than throttling. */
  readonly failed: boolean;
  /** How full the request was against the service's request limit, 0–1. */
  readonly fill: number;
}

const CLOUDWATCH_MAX_REQUEST_BYTES = 1_048_576;
const CLOUDWATCH_MAX_EVENTS = 10_000;
const CLOUDWATCH_EVENT_OVERHEAD = 26;
/** LTS documents no body limit: fill is measured against the Huawei exporter's default request budget. */
const LTS_NOMINAL_REQUEST_BYTES = 512 * 1024;
const SERVICEWATCH_MAX_REQUEST_BYTES = 1_048_576;

function parse(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function outcome(exchange: ObservedExchange, ok: boolean): { throttled: boolean; failed: boolean } {
  const throttled = exchange.fault === 'throttle' || exchange.response?.status === 429;
  return { throttled, failed: !ok && !throttled };
}

/** PutLogEvents: one destination; records stored are those not reported in rejectedLogEventsInfo. */
export function cloudWatchSamples(exchange: ObservedExchange): ExchangeSample[] {
  if (exchange.operation !== 'PutLogEvents') return [];
  const body = parse(exchange.request.body);
  if (!body || typeof body.logGroupName !== 'string' || typeof body.logStreamName !== 'string' || !Array.isArray(body.logEvents)) return [];
  const events = body.logEvents as { message?: unknown }[];
  let bytes = 0;
  for (const event of events) bytes += Buffer.byteLength(typeof event?.message === 'string' ? event.message : '', 'utf8') + CLOUDWATCH_EVENT_OVERHEAD;
  const ok = exchange.fault === undefined && exchange.response?.status === 200;
  let stored = 0;
  if (ok) {
    const answer = typeof exchange.response!.body === 'string' ? parse(Buffer.from(exchange.response!.body)) : undefined;
    const rejected = (answer?.rejectedLogEventsInfo ?? {}) as { tooNewLogEventStartIndex?: number; tooOldLogEventEndIndex?: number; expiredLogEventEndIndex?: number };
    const from = Math.max(rejected.tooOldLogEventEndIndex ?? 0, rejected.expiredLogEventEndIndex ?? 0);
    stored = Math.max(0, (rejected.tooNewLogEventStartIndex ?? events.length) - from);
  }
  return [{ destination: destinationName(body.logGroupName, body.logStreamName), records: stored, ...outcome(exchange, ok), fill: Math.max(bytes / CLOUDWATCH_MAX_REQUEST_BYTES, events.length / CLOUDWATCH_MAX_EVENTS) }];
}

/** ReportLogs / ReportHighAccuracyLogs: the group and stream ids of the path, named from the emulator's state. */
export function huaweiLtsSamples(exchange: ObservedExchange, emulator: HuaweiLtsEmulator): ExchangeSample[] {
  if (exchange.operation !== 'ReportLogs' && exchange.operation !== 'ReportHighAccuracyLogs') return [];
  const route = routeOf(exchange.request);
  const [groupId = '', streamId = ''] = route.params;
  const group = route.projectId === undefined ? undefined : emulator.state.project(route.projectId)?.groups.get(groupId);
  const stream = group?.streams.get(streamId);
  const contents = parse(exchange.request.body)?.contents;
  const answer = exchange.response?.body as { errorCode?: unknown } | undefined;
  const ok = exchange.fault === undefined && exchange.response?.status === 200 && answer?.errorCode === 'SVCSTG.ALS.200.200';
  return [
    {
      destination: destinationName(group?.name ?? groupId, stream?.name ?? streamId),
      records: ok && Array.isArray(contents) ? contents.length : 0,
      ...outcome(exchange, ok),
      fill: exchange.request.body.length / (emulator.settings.maxRequestBytes ?? LTS_NOMINAL_REQUEST_BYTES),
    },
  ];
}

/** CreateCustomLogEvents: one sample per destination in the body (its resources' routing attributes). */
export function serviceWatchSamples(exchange: ObservedExchange, emulator: ServiceWatchEmulator): ExchangeSample[] {
  if (exchange.operation !== 'CreateCustomLogEvents') return [];
  const resourceLogs = parse(exchange.request.body)?.resourceLogs;
  if (!Array.isArray(resourceLogs)) return [];
  const counts = new Map<string, number>();
  for (const resourceLog of resourceLogs as { resource?: { attributes?: unknown }; scopeLogs?: { logRecords?: unknown[] }[] }[]) {
    const routing = routingValues(resourceLog?.resource?.attributes);
    const records = (resourceLog?.scopeLogs ?? []).reduce((sum, scope) => sum + (Array.isArray(scope?.logRecords) ? scope.logRecords.length : 0), 0);
    const names = serviceWatchNames(emulator, routing.log_group_value ?? '?', routing.log_stream_value ?? '?');
    const key = destinationName(names.group, names.stream);
    counts.set(key, (counts.get(key) ?? 0) + records);
  }
  const ok = exchange.fault === undefined && exchange.response?.status === 202;
  const fill = exchange.request.body.length / SERVICEWATCH_MAX_REQUEST_BYTES;
  return [...counts].map(([destination, records]) => ({ destination, records: ok ? records : 0, ...outcome(exchange, ok), fill }));
}

function routingValues(attributes: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(attributes)) return out;
  for (const attribute of attributes as { key?: unknown; value?: { stringValue?: unknown } }[]) {
    if (typeof attribute?.key === 'string' && typeof attribute.value?.stringValue === 'string') out[attribute.key] = attribute.value.stringValue;
  }
  return out;
}

/** Names, as CreateCustomLogStream answered these routing values; the values themselves when it did not. */
export function serviceWatchNames(emulator: ServiceWatchEmulator, logGroupValue: string, logStreamValue: string): { group: string; stream: string } {
  const stream = emulator.logStreams().find((candidate) => candidate.log_group_value === logGroupValue && candidate.log_stream_value === logStreamValue);
  return stream ? { group: stream.log_group_name, stream: stream.log_stream_name } : { group: logGroupValue, stream: logStreamValue };
}

/** How the console names a destination (group names hold slashes, so another separator). */
export function destinationName(group: string, stream: string): string {
  return `${group} › ${stream}`;
}
