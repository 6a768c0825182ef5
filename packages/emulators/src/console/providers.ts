import type { CloudWatchLogsEmulator } from '../cloudwatch/emulator.ts';
import type { FaultInjector } from '../common/faults.ts';
import type { ObservedExchange } from '../common/observer.ts';
import type { HuaweiLtsEmulator } from '../huawei-lts/emulator.ts';
import type { ServiceWatchEmulator } from '../scp-servicewatch/emulator.ts';
import { cloudWatchSamples, huaweiLtsSamples, serviceWatchNames, serviceWatchSamples, type ExchangeSample } from './exchanges.ts';
import { escapeHtml, htmlTable } from './ui.ts';

/** One stored record, as the console lists it. */
export interface ConsoleRecord {
  /** `group/stream`, what the scope box matches. */
  readonly scope: string;
  readonly timeMillis: number;
  /** What the filter pattern is applied to: the message (CloudWatch), the line (LTS), the record as JSON (ServiceWatch). */
  readonly text: string;
  /** The row's cells as the service's console shows them (trusted HTML). */
  cells(): string[];
}

/** What the console needs of one emulator. */
export interface ConsoleProvider {
  readonly id: 'cloudwatch' | 'huawei-lts' | 'servicewatch';
  readonly title: string;
  readonly url: () => string;
  readonly faults: FaultInjector;
  /** Operation names for fault rules; the first one is where records are sent. */
  readonly operations: readonly string[];
  readonly requestCounts: () => Readonly<Record<string, number>>;
  readonly recordColumns: readonly string[];
  records(): ConsoleRecord[];
  /** Known `group/stream` pairs, for the scope box's suggestions. */
  scopes(): string[];
  /** Groups and streams (and logtanks) as HTML tables. */
  resources(): string;
  samples(exchange: ObservedExchange): ExchangeSample[];
}

const iso = (millis: number) => escapeHtml(new Date(millis).toISOString());
const mono = (text: unknown) => `<span class="mono">${escapeHtml(text)}</span>`;
const message = (text: string) => `<div class="msg">${escapeHtml(text)}</div>`;

export function cloudWatchProvider(emulator: CloudWatchLogsEmulator): ConsoleProvider {
  return {
    id: 'cloudwatch',
    title: 'Amazon CloudWatch Logs',
    url: () => emulator.url,
    faults: emulator.faults,
    operations: ['PutLogEvents', 'CreateLogGroup', 'CreateLogStream', 'PutRetentionPolicy', 'DescribeLogGroups', 'DescribeLogStreams', 'GetLogEvents', 'FilterLogEvents'],
    requestCounts: () => emulator.requestCounts(),
    recordColumns: ['Timestamp', 'Log stream', 'Message', 'Ingestion time'],
    records: () =>
      emulator.logGroups().flatMap((group) =>
        group.logStreamNames.flatMap((stream) =>
          emulator.events(group.logGroupName, stream).map((event) => ({
            scope: `${group.logGroupName}/${stream}`,
            timeMillis: event.timestamp,
            text: event.message,
            cells: () => [iso(event.timestamp), `${escapeHtml(group.logGroupName)}<br>${mono(stream)}`, message(event.message), iso(event.ingestionTime)],
          })),
        ),
      ),
    scopes: () => emulator.logGroups().flatMap((group) => group.logStreamNames.map((stream) => `${group.logGroupName}/${stream}`)),
    resources: () =>
      htmlTable(
        ['Log group', 'Class', 'Retention', 'Created', 'Log streams (events, last ingestion)'],
        emulator.logGroups().map((group) => [
          mono(group.logGroupName),
          escapeHtml(group.logGroupClass),
          group.retentionInDays === undefined ? 'never expire' : `${group.retentionInDays} days`,
          iso(group.creationTime),
          emulator
            .logStreams(group.logGroupName)
            .map((stream) => `${mono(stream.logStreamName)} <span class="muted">${stream.eventCount} events${stream.lastIngestionTime ? `, ${iso(stream.lastIngestionTime)}` : ''}</span>`)
            .join('<br>') || '<span class="muted">none</span>',
        ]),
        'no log groups yet',
      ),
    samples: cloudWatchSamples,
  };
}

/** `log_time_ns` (int64 decimal) → epoch milliseconds. */
const nsToMillis = (timeNs: string) => Number(BigInt(timeNs) / 1_000_000n);

export function huaweiLtsProvider(emulator: HuaweiLtsEmulator): ConsoleProvider {
  const groups = () => [...emulator.state.projects.values()].flatMap((project) => [...project.groups.values()].map((group) => ({ project, group })));
  return {
    id: 'huawei-lts',
    title: 'Huawei Cloud LTS',
    url: () => emulator.url,
    faults: emulator.faults,
    operations: ['ReportHighAccuracyLogs', 'ReportLogs', 'CreateToken', 'ListLogGroups', 'CreateLogGroup', 'ListLogStreams', 'CreateLogStream', 'CreateLogtank', 'ListLogtanks', 'ShowLogtank', 'DeleteLogtank'],
    requestCounts: () => Object.fromEntries(emulator.requestCounts),
    recordColumns: ['Time', 'Log group / stream', 'Content', 'Labels'],
    records: () =>
      emulator.allLines().map((line) => ({
        scope: `${line.logGroupName}/${line.logStreamName}`,
        timeMillis: nsToMillis(line.timeNs),
        text: line.line,
        cells: () => [
          `<span title="log_time_ns ${escapeHtml(line.timeNs)}">${iso(nsToMillis(line.timeNs))}</span>`,
          `${escapeHtml(line.logGroupName)}<br>${mono(line.logStreamName)}`,
          message(line.line),
          Object.entries(line.labels)
            .map(([name, value]) => `<span class="chip">${escapeHtml(name)}=${escapeHtml(value)}</span>`)
            .join(''),
        ],
      })),
    scopes: () => groups().flatMap(({ group }) => [...group.streams.values()].map((stream) => `${group.name}/${stream.name}`)),
    resources: () => {
      const groupTable = htmlTable(
        ['Project', 'Log group (id)', 'TTL', 'Log streams (id, TTL, lines)'],
        groups().map(({ project, group }) => [
          mono(project.id),
          `${escapeHtml(group.name)}<br>${mono(group.id)}`,
          `${group.ttlInDays} days`,
          [...group.streams.values()]
            .map((stream) => `${escapeHtml(stream.name)} ${mono(stream.id)} <span class="muted">${stream.ttlInDays === undefined ? 'group TTL' : `${stream.ttlInDays} days`}, ${stream.lines.length} lines</span>`)
            .join('<br>') || '<span class="muted">none</span>',
        ]),
        'no log groups yet',
      );
      const logtanks = htmlTable(
        ['GA logtank', 'Listener', 'Log group / stream id', 'Status'],
        [...emulator.state.logtanks.values()].map((tank) => [mono(tank.id), mono(tank.resourceId), `${mono(tank.logGroupId)}<br>${mono(tank.logStreamId)}`, escapeHtml(tank.status)]),
        'no logtanks',
      );
      return `${groupTable}<h2>Global Accelerator logtanks</h2>${logtanks}`;
    },
    samples: (exchange) => huaweiLtsSamples(exchange, emulator),
  };
}

/** JSON that survives bigint and binary attribute values. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner instanceof Uint8Array ? Buffer.from(inner).toString('base64') : inner));
}

export function serviceWatchProvider(emulator: ServiceWatchEmulator): ConsoleProvider {
  return {
    id: 'servicewatch',
    title: 'SCP ServiceWatch',
    url: () => emulator.url,
    faults: emulator.faults,
    operations: ['CreateCustomLogEvents', 'CreateLogGroup', 'ListLogGroups', 'CreateCustomLogStream'],
    requestCounts: () => {
      const counts: Record<string, number> = {};
      for (const [operation, count] of emulator.server.requestCounts) counts[operation] = count;
      return counts;
    },
    recordColumns: ['Time', 'Log group / stream', 'Severity', 'Body', 'Attributes'],
    records: () =>
      emulator.records().map((record) => {
        const names = serviceWatchNames(emulator, record.logGroupValue, record.logStreamValue);
        const body = typeof record.body === 'string' ? record.body : toJson(record.body);
        const timeMillis = nsToMillis(record.timeUnixNano);
        return {
          scope: `${names.group}/${names.stream}`,
          timeMillis,
          text: toJson({ severityText: record.severityText, severityNumber: record.severityNumber, body: record.body, attributes: record.attributes, traceId: record.traceId }),
          cells: () => [
            `<span title="timeUnixNano ${escapeHtml(record.timeUnixNano)}">${iso(timeMillis)}</span>`,
            `${escapeHtml(names.group)}<br>${mono(names.stream)}`,
            escapeHtml(record.severityText ?? record.severityNumber ?? ''),
            message(body),
            Object.entries(record.attributes)
              .map(([name, value]) => `<span class="chip">${escapeHtml(name)}=${escapeHtml(typeof value === 'string' ? value : toJson(value))}</span>`)
              .join(''),
          ],
        };
      }),
    scopes: () => emulator.logStreams().map((stream) => `${stream.log_group_name}/${stream.log_stream_name}`),
    resources: () => {
      const groupTable = htmlTable(
        ['Log group', 'Id (log_group_value)', 'Account', 'Retention', 'Created'],
        emulator.logGroups().map((group) => [escapeHtml(group.name), mono(group.id), mono(group.account_id), `${group.retention_period} days`, escapeHtml(group.created_at)]),
        'no log groups yet',
      );
      const streamTable = htmlTable(
        ['Log stream', 'log_group_value', 'log_stream_value', 'Requests/s', 'Records'],
        emulator.logStreams().map((stream) => [
          `${escapeHtml(stream.log_group_name)} / ${escapeHtml(stream.log_stream_name)}`,
          mono(stream.log_group_value),
          mono(stream.log_stream_value),
          String(stream.requests_per_second || 'unlimited'),
          String(emulator.records({ accountId: stream.account_id, logGroupValue: stream.log_group_value, logStreamValue: stream.log_stream_value }).length),
        ]),
        'no custom log streams yet',
      );
      return `${groupTable}<h2>Custom log streams (routing values)</h2>${streamTable}`;
    },
    samples: (exchange) => serviceWatchSamples(exchange, emulator),
  };
}
