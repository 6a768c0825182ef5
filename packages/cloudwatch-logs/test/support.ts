import { EncodedBatch, emptyEncodedRecord, type Destination, type LogEntry } from '@otel-cloud-logs/core';
import { encodeCloudWatchEvent, type CloudWatchLogsExporter } from '@otel-cloud-logs/cloudwatch-logs';

/** A record with a text body at `timeMillis` (now by default). */
export function textEntry(destination: Destination, message: string, timeMillis = Date.now()): LogEntry {
  return { timeUnixNano: BigInt(timeMillis) * 1_000_000n, timeMillis, body: message, attributes: {}, resource: {}, destination };
}

/** One PutLogEvents request of text messages, encoded as the processor would (for calling `send` directly). */
export function batchOf(exporter: CloudWatchLogsExporter, destination: Destination, messages: readonly string[]): EncodedBatch {
  const out = emptyEncodedRecord();
  const batch = new EncodedBatch(exporter.frame(destination), exporter.limits.perEventOverheadBytes);
  for (const message of messages) {
    const invalid = encodeCloudWatchEvent(textEntry(destination, message), 'text', out);
    if (invalid) throw new Error(invalid.message);
    batch.append(out.fragment, out.fragmentBytes, out.size, out.timeMillis);
  }
  return batch;
}
