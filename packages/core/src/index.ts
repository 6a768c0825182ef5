export { renderAnyValue, toJsonValue, fromOtlpAnyValue, fromOtlpKeyValues, toOtlpAnyValue, toOtlpKeyValues } from './any-value.ts';
export type { AnyValue, OtlpAnyValue, OtlpKeyValue } from './any-value.ts';
export { BatchBuilder, sortByTime, requestBytes, type WireEvent } from './batch.ts';
export { deliver, type DeliveryOptions } from './delivery.ts';
export {
  ConstraintAwareExporter,
  describeDrop,
  type ConstraintAwareExporterOptions,
  type InvalidEvent,
  type SendContext,
  type SendOutcome,
} from './exporter.ts';
export { HttpTransport, NetworkError, type HttpRequest, type HttpResponse, type HttpTransportOptions } from './http.ts';
export { validateLimits, type ProviderLimits } from './limits.ts';
export { SelfMetrics, type DropReason, type SelfMetricsSnapshot } from './metrics.ts';
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
export { planRequests, planByDestination, fitEvent, checkTimeWindow, type Plan, type PlannedRequest, type DestinationPlan, type MultiDestinationPlan, type OversizePolicy, type TimeWindowVerdict, type FitVerdict } from './planner.ts';
export { ConstraintAwareBatchProcessor, DEFAULT_MAX_QUEUE_BYTES, type ConstraintAwareBatchProcessorOptions, type FlushReport } from './processor.ts';
export { ProblemReporter } from './problems.ts';
export { DEFAULT_RETRY, backoffDelay, parseRetryAfter, resolveRetryOptions, sleep, type RetryOptions } from './retry.ts';
export { utf8ByteLength, truncateUtf8, truncationMarker } from './utf8.ts';
export { bridgeApiLogs, type ApiLogsGlobal } from './api-logs-bridge.ts';
