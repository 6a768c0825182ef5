import protobuf from 'protobufjs';
import type { OtlpLogsRequest } from '@otel-cloud-logs/core';

// The subset of opentelemetry-proto (logs/v1, common/v1, resource/v1, collector/logs/v1) and google.rpc.Status
// the gateway reads and writes. Field numbers follow the published .proto files; severity_number is read as
// a plain int32 so that unknown enum values pass through.
const OTLP_LOGS_PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message Status { int32 code = 1; string message = 2; }
`;

const root = protobuf.parse(OTLP_LOGS_PROTO).root;
const ExportLogsServiceRequest = root.lookupType('otlp.ExportLogsServiceRequest');
const ExportLogsServiceResponse = root.lookupType('otlp.ExportLogsServiceResponse');
const Status = root.lookupType('otlp.Status');

interface DecodedLogRecord {
  traceId?: string;
  spanId?: string;
}

function base64ToHex(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return Buffer.from(value, 'base64').toString('hex');
}

/**
 * Decodes a protobuf `ExportLogsServiceRequest` into the OTLP/JSON shape (int64 as decimal strings, bytes values
 * as base64, trace and span ids as hex). Throws on malformed input.
 */
export function decodeLogsRequestProtobuf(body: Uint8Array): OtlpLogsRequest {
  const message = ExportLogsServiceRequest.decode(body);
  const request = ExportLogsServiceRequest.toObject(message, { longs: String, bytes: String, defaults: false, arrays: false }) as OtlpLogsRequest;
  for (const resourceLogs of request.resourceLogs ?? []) {
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const record of (scopeLogs.logRecords ?? []) as DecodedLogRecord[]) {
        record.traceId = base64ToHex(record.traceId);
        record.spanId = base64ToHex(record.spanId);
      }
    }
  }
  return request;
}

/** Encodes an `ExportLogsServiceResponse`; without rejections it is the empty message. */
export function encodeLogsResponseProtobuf(partialSuccess?: { rejectedLogRecords: number; errorMessage: string }): Uint8Array {
  const payload = partialSuccess ? { partialSuccess: { rejectedLogRecords: partialSuccess.rejectedLogRecords, errorMessage: partialSuccess.errorMessage } } : {};
  return ExportLogsServiceResponse.encode(ExportLogsServiceResponse.fromObject(payload)).finish();
}

/** Decodes an `ExportLogsServiceResponse` (used by tests and by clients of the gateway). */
export function decodeLogsResponseProtobuf(body: Uint8Array): { partialSuccess?: { rejectedLogRecords?: string; errorMessage?: string } } {
  return ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(body), { longs: String, defaults: false });
}

/** Encodes a `google.rpc.Status` (the body of OTLP/HTTP error responses). */
export function encodeStatusProtobuf(code: number, message: string): Uint8Array {
  return Status.encode(Status.fromObject({ code, message })).finish();
}

export function decodeStatusProtobuf(body: Uint8Array): { code?: number; message?: string } {
  return Status.toObject(Status.decode(body), { defaults: false });
}

/** For tests: encodes an OTLP/JSON-shaped request (ids given as base64 here, as protobufjs expects bytes). */
export function encodeLogsRequestProtobuf(request: object): Uint8Array {
  return ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(request)).finish();
}
