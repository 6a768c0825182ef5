import {
  logEntriesFromOtlpJson,
  planByDestination,
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
  const encode = (entry: LogEntry): CloudWatchEvent | undefined => {
    if (logGroupNameProblem(entry.destination.logGroup) ?? logStreamNameProblem(entry.destination.logStream)) {
      count('invalid_destination');
      return undefined;
    }
    const event = toCloudWatchEvent(entry, format);
    if ('invalid' in event) {
      count(event.invalid);
      return undefined;
    }
    return event;
  };
  const oversize = { mode: options.oversizeEvents ?? 'truncate', truncate: (event: CloudWatchEvent, maxSize: number) => truncateEvent(event, maxSize, format) } as const;
  const plan = planByDestination(entries, encode, limits, options.nowMillis ?? Date.now(), oversize);
  for (const [reason, n] of Object.entries(plan.dropped) as [DropReason, number][]) count(reason, n);
  const requests = plan.destinations.flatMap(({ destination, requests }) => requests.map((request) => toPutLogEventsRequest(destination, request.events)));
  return { requests, dropped, truncated: plan.truncated };
}
