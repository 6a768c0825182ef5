import {
  logEntriesFromOtlpJson,
  planRequests,
  type Destination,
  type DestinationDefaults,
  type DropReason,
  type EncodedRecord,
  type LogEntry,
  type OtlpLogsRequest,
  type RecordCodec,
} from '@otel-cloud-logs/core';
import { cloudWatchLimits, destinationProblem, type CloudWatchLogsExporterOptions } from './config.ts';
import { encodeCloudWatchEvent, encodeTruncatedCloudWatchEvent, putLogEventsFrame, type PutLogEventsRequest } from './translate.ts';

export interface PutLogEventsPlan {
  /** Bodies ready to send, each valid for PutLogEvents. */
  readonly requests: PutLogEventsRequest[];
  /** Records left out, by reason. */
  readonly dropped: Partial<Record<DropReason, number>>;
  readonly truncated: number;
}

/**
 * Translates OTLP/JSON `resourceLogs` (or entries) into valid PutLogEvents bodies without sending them:
 * the public path for OTLP data that did not come from this process. The bodies are the exporter's, byte for byte.
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
  const codec: RecordCodec = {
    limits,
    destinationDefaults: options.defaults ?? {},
    checkDestination: destinationProblem,
    encode: (entry: LogEntry, out: EncodedRecord) => encodeCloudWatchEvent(entry, format, out),
    truncate: (entry: LogEntry, maxSize: number, out: EncodedRecord) => encodeTruncatedCloudWatchEvent(entry, format, maxSize, out),
    frame: (destination: Destination) => putLogEventsFrame(destination, limits.maxRequestBytes),
  };
  const encode = (entry: LogEntry, out: EncodedRecord): boolean => {
    if (codec.checkDestination(entry.destination)) {
      count('invalid_destination');
      return false;
    }
    const invalid = codec.encode(entry, out);
    if (invalid) count(invalid.invalid);
    return invalid === undefined;
  };
  const plan = planRequests(codec, entries, options.nowMillis ?? Date.now(), options.oversizeEvents ?? 'truncate', encode);
  for (const [reason, n] of Object.entries(plan.dropped) as [DropReason, number][]) count(reason, n);
  const requests = plan.requests.map(({ batch }) => JSON.parse(batch.body().toString('utf8')) as PutLogEventsRequest);
  return { requests, dropped, truncated: plan.truncated };
}
