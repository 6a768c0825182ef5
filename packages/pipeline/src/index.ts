export { createPipeline, PipelineLogRecordProcessor, type ExporterRoute, type PipelineOptions } from './create-pipeline.ts';
export { LogPipeline, type LogPipelineOptions, type PipelineDescription, type PipelineStats, type PipelineVerdict, type RoutedRecord, type SinkRoute } from './pipeline.ts';
export { ExporterSink, type AnyExporter, type BatchingOptions } from './sink.ts';
export type { LogProcessor } from './processors/types.ts';
export { filterProcessor, type FilterProcessorOptions } from './processors/filter.ts';
export {
  attributesProcessor,
  resourceProcessor,
  hashAttributeValue,
  ATTRIBUTE_ACTIONS,
  type AttributeAction,
  type AttributesProcessorOptions,
} from './processors/attributes.ts';
export {
  redactionProcessor,
  passesLuhn,
  BUILTIN_REDACTION_PATTERNS,
  DEFAULT_SENSITIVE_KEYS,
  type RedactionPattern,
  type RedactionProcessorOptions,
} from './processors/redaction.ts';
export { destinationProcessor, type DestinationProcessorOptions } from './processors/destination.ts';
export { compileCondition, type EntryPredicate, type LogCondition, type ScalarValue, type ValueMatcher } from './condition.ts';
export { compileTemplate, type CompiledTemplate } from './template.ts';
export { parseSeverityLevel, severityNumberOf, severityOfEntry, SEVERITY_NAMES, type SeverityLevel } from './severity.ts';
export {
  Gateway,
  DEFAULT_MAX_REQUEST_BODY_BYTES,
  DEFAULT_MAX_INFLIGHT_BYTES,
  type BackpressureOptions,
  type GatewayOptions,
  type ReceiverOptions,
  type StopReport,
} from './gateway/server.ts';
export { renderPrometheus, type GatewayCounters, type GatewayMetrics } from './gateway/metrics.ts';
export { BearerTokenAuthenticator, type AuthFailure, type BearerTokenAuthOptions, type RequestAuthenticator } from './gateway/auth.ts';
export type { GatewayExtension } from './gateway/extension.ts';
export type { ReceiverTlsOptions } from './gateway/tls.ts';
export { MAX_DISCARDED_BODY_BYTES } from './gateway/respond.ts';
export { estimateDecodedBytes } from './otlp/decoded-size.ts';
export { decodeLogsRequestProtobuf, encodeLogsResponseProtobuf, decodeLogsResponseProtobuf, encodeStatusProtobuf, decodeStatusProtobuf } from './otlp/proto.ts';
export { gatewayOptionsFromYaml, gatewayOptionsFromFile, type LoadConfigOptions } from './config/load.ts';
export { ConfigError } from './config/node.ts';
export { PROCESSOR_TYPES } from './config/processors.ts';
export { EXPORTER_TYPES } from './config/exporters.ts';
export { EXTENSION_TYPES } from './config/extensions.ts';
