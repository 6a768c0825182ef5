import { resolveDestination, type AnyValue, type LogEntry } from '@otel-cloud-logs/core';

/** A log entry as the SDK or the gateway would build it, with only what a test cares about given. */
export function entry(fields: {
  body?: AnyValue;
  attributes?: Record<string, AnyValue>;
  resource?: Record<string, AnyValue>;
  severityNumber?: number;
  severityText?: string;
  timeMillis?: number;
}): LogEntry {
  const timeMillis = fields.timeMillis ?? Date.now();
  const attributes = fields.attributes ?? {};
  const resource = fields.resource ?? {};
  return {
    timeUnixNano: BigInt(timeMillis) * 1_000_000n,
    timeMillis,
    severityNumber: fields.severityNumber,
    severityText: fields.severityText,
    body: fields.body ?? 'hello',
    attributes,
    resource,
    destination: resolveDestination(attributes, resource),
  };
}
