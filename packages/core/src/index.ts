export { toJsonValue, fromOtlpAnyValue, fromOtlpKeyValues, toOtlpAnyValue, toOtlpKeyValues } from './any-value.ts';
export type { AnyValue, OtlpAnyValue, OtlpKeyValue } from './any-value.ts';
export { Batcher } from './batcher.ts';
export { ROUTING_KEYS, attributesJson, envelopeJson, resourceAttributesJson, type EnvelopeOptions } from './envelope.ts';
export { QuotedEnvelopeWriter } from './quoted-envelope.ts';
export { jsonOf, renderAnyValue } from './json.ts';
export {
  DROPPED_ENTRIES_KEY,
  droppedEntriesMarker,
  fitJson,
  type JsonFitEntry,
  type JsonFitNode,
  type JsonMember,
  type JsonSizeMeasure,
  type JsonWrapper,
} from './json-fit.ts';
export { MAX_FIT_DEPTH, plainJsonNode, truncateJsonText } from './json-truncate.ts';
export { binaryFragmentBuffer, emptyEncodedRecord, setBinaryFragment, setFragment, type EncodedRecord, type InvalidEvent, type RecordCodec, type RequestSender, type SendContext, type SendOutcome } from './codec.ts';
export { EncodedBatch, type RequestFrame } from './encoded-batch.ts';
export { describeDrop } from './drops.ts';
export { deliver, type DeliveryOptions, type DeliveryTarget } from './delivery.ts';
export { ConstraintAwareExporter, type ConstraintAwareExporterOptions } from './exporter.ts';
export { HttpTransport, NetworkError, type HttpRequest, type HttpResponse, type HttpTransportOptions } from './http.ts';
export { validateLimits, type ProviderLimits } from './limits.ts';
export { SelfMetrics, type DropReason, type SelfMetricsCounts, type SelfMetricsSnapshot } from './metrics.ts';
export {
  ROUTING_ATTRIBUTES,
  resolveDestination,
  destinationKey,
  logEntryFromReadableLogRecord,
  logEntriesFromOtlpJson,
  type Destination,
  type DestinationDefaults,
  type LogEntry,
  type OtlpLogsRequest,
  type OtlpResourceLogs,
  type OtlpScopeLogs,
  type OtlpLogRecord,
} from './model.ts';
export { planRequests, fitRecord, checkTimeWindow, type Plan, type PlannedRequest, type OversizeMode, type TimeWindowVerdict, type FitVerdict } from './planner.ts';
export { ConstraintAwareBatchProcessor, DEFAULT_MAX_QUEUE_BYTES, type ConstraintAwareBatchProcessorOptions, type FlushReport } from './processor.ts';
export { ProblemReporter, type ProblemLevel } from './problems.ts';
export { ResourceScopeCache } from './resource-scope-cache.ts';
export { DEFAULT_SPOOL_MAX_BYTES, type SpoolOptions } from './spool/spool.ts';
export { REDACTED, SecretScrubber, secretScrubber } from './scrub.ts';
export { workerRecipe, type WorkerRecipe } from './worker-protocol.ts';
export {
  DEFAULT_RETRY,
  backoffDelay,
  callWithRetry,
  parseRetryAfter,
  resolveRetryOptions,
  sleep,
  type CallRetryOptions,
  type RetryEvent,
  type RetryOptions,
} from './retry.ts';
export { utf8ByteLength, truncateUtf8, truncationMarker } from './utf8.ts';
export { varintLength, writeVarint } from './varint.ts';
export { bridgeApiLogs, type ApiLogsGlobal } from './api-logs-bridge.ts';
