import {
  destinationKey,
  logEntriesFromOtlpJson,
  planRequests,
  type DestinationDefaults,
  type DropReason,
  type LogEntry,
  type OtlpLogsRequest,
} from '@otel-cloud-logs/core';
import { cloudWatchLimits, logGroupNameProblem, logStreamNameProblem, type CloudWatchLogsExporterOptions } from './config.ts';
import { toCloudWatchEvent, toPutLogEventsRequest, truncateEvent, type CloudWatchEvent, type PutLogEventsRequest } from './translate.ts';

export interface PutLogEventsPlan {
  /** Bodies ready to send, each valid for PutLogEvents. */
  readonly requests: PutLogEventsRequest[];
  /** Records left out, by reason. */
  readonly dropped: Partial<Record<DropReason, number>>;
  readonly truncated: number;
}

/**
 * Translates OTLP/JSON `resourceLogs` (or entries) into valid PutLogEvents bodies without sending them:
 * the public path for OTLP data that did not come from this process.
 */
export function planPutLogEvents(
  input: OtlpLogsRequest | readonly LogEntry[],
  options: Pick<CloudWatchLogsExporterOptions, 'messageFormat' | 'eventSizeLimit' | 'oversizeEvents' | 'timeWindowMarginMillis'> & {
    readonly defaults?: DestinationDefaults;
    readonly nowMillis?: number;
  } = {},
): PutLogEventsPlan {
  const entries = Array.isArray(input) ? (input as readonly LogEntry[]) : logEntriesFromOtlpJson(input as OtlpLogsRequest, options.defaults);
  const limits = cloudWatchLimits(options);
  const format = options.messageFormat ?? 'json';
  const dropped: Partial<Record<DropReason, number>> = {};
  const count = (reason: DropReason, n = 1) => (dropped[reason] = (dropped[reason] ?? 0) + n);
  const groups = new Map<string, { entry: LogEntry; events: CloudWatchEvent[] }>();
  for (const entry of entries) {
    if (logGroupNameProblem(entry.destination.logGroup) ?? logStreamNameProblem(entry.destination.logStream)) {
      count('invalid_destination');
      continue;
    }
    const event = toCloudWatchEvent(entry, format);
    if ('invalid' in event) {
      count(event.invalid);
      continue;
    }
    const key = destinationKey(entry.destination);
    const group = groups.get(key) ?? { entry, events: [] };
    group.events.push(event);
    groups.set(key, group);
  }
  const requests: PutLogEventsRequest[] = [];
  let truncated = 0;
  const oversize = { mode: options.oversizeEvents ?? 'truncate', truncate: (event: CloudWatchEvent, maxSize: number) => truncateEvent(event, maxSize, format) } as const;
  for (const { entry, events } of groups.values()) {
    const plan = planRequests(events, limits, options.nowMillis ?? Date.now(), oversize);
    truncated += plan.truncated;
    for (const [reason, n] of Object.entries(plan.dropped)) count(reason as DropReason, n);
    for (const request of plan.requests) requests.push(toPutLogEventsRequest(entry.destination, request.events));
  }
  return { requests, dropped, truncated };
}
