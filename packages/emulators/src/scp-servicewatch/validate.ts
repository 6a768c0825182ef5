import { fromOtlpAnyValue, fromOtlpKeyValues, type AnyValue, type OtlpAnyValue, type OtlpKeyValue } from '@otel-cloud-logs/core';

/** One entry of a ValidationError's `detail` list. */
export interface ValidationDetail {
  readonly loc: ReadonlyArray<string | number>;
  readonly msg: string;
  readonly type: string;
}

export interface EmulatorLimits {
  readonly maxEventsPerRequest: number;
  readonly maxEventBytes: number;
  readonly maxAgeMillis?: number;
  readonly maxFutureMillis?: number;
}

/** Where a record goes, read from its resource attributes. */
export interface StoredDestination {
  readonly accountId: string;
  readonly logGroupValue: string;
  readonly logStreamValue: string;
}

/** A record as the emulator stored it, decoded for assertions. */
export interface StoredRecord extends StoredDestination {
  readonly timeUnixNano: string;
  readonly observedTimeUnixNano?: string;
  readonly severityNumber?: number;
  readonly severityText?: string;
  readonly body: AnyValue;
  readonly eventName?: string;
  readonly attributes: Record<string, AnyValue>;
  /** Resource attributes, the routing ones included. */
  readonly resource: Record<string, AnyValue>;
  readonly scope?: { readonly name?: string; readonly version?: string };
  readonly traceId?: string;
  readonly spanId?: string;
  readonly flags?: number;
}

type Path = Array<string | number>;
const MAX_DETAILS = 20;
const ANY_VALUE_KEYS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue'];

class Checker {
  readonly details: ValidationDetail[] = [];
  fail(loc: Path, msg: string, type = 'value_error'): void {
    if (this.details.length < MAX_DETAILS) this.details.push({ loc: ['body', ...loc], msg, type });
  }
  get full(): boolean {
    return this.details.length >= MAX_DETAILS;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkAnyValue(value: unknown, loc: Path, check: Checker, depth = 0): void {
  if (!isObject(value)) return check.fail(loc, 'must be an AnyValue object', 'type_error');
  const keys = Object.keys(value);
  if (keys.length === 0) return; // an empty AnyValue is allowed by OTLP
  if (keys.length !== 1 || !ANY_VALUE_KEYS.includes(keys[0]!)) return check.fail(loc, `must have exactly one of ${ANY_VALUE_KEYS.join(', ')}`);
  const inner = value[keys[0]!];
  switch (keys[0]) {
    case 'stringValue':
      if (typeof inner !== 'string') check.fail([...loc, 'stringValue'], 'must be a string', 'type_error');
      return;
    case 'boolValue':
      if (typeof inner !== 'boolean') check.fail([...loc, 'boolValue'], 'must be a boolean', 'type_error');
      return;
    case 'intValue':
      if (!(typeof inner === 'number' && Number.isInteger(inner)) && !(typeof inner === 'string' && /^-?\d+$/.test(inner))) {
        check.fail([...loc, 'intValue'], 'must be an integer', 'type_error');
      }
      return;
    case 'doubleValue':
      if (typeof inner !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(inner as string)) check.fail([...loc, 'doubleValue'], 'must be a number', 'type_error');
      return;
    case 'bytesValue':
      if (typeof inner !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(inner)) check.fail([...loc, 'bytesValue'], 'must be base64', 'type_error');
      return;
    case 'arrayValue': {
      const values = isObject(inner) ? inner.values : undefined;
      if (!isObject(inner) || (values !== undefined && !Array.isArray(values))) return check.fail([...loc, 'arrayValue'], 'must be {values: [...]}', 'type_error');
      if (depth > 32) return check.fail(loc, 'nested too deeply');
      (values as unknown[] | undefined)?.forEach((item, i) => checkAnyValue(item, [...loc, 'arrayValue', 'values', i], check, depth + 1));
      return;
    }
    case 'kvlistValue': {
      if (!isObject(inner)) return check.fail([...loc, 'kvlistValue'], 'must be {values: [...]}', 'type_error');
      if (depth > 32) return check.fail(loc, 'nested too deeply');
      checkKeyValues(inner.values, [...loc, 'kvlistValue', 'values'], check, depth + 1);
    }
  }
}

function checkKeyValues(values: unknown, loc: Path, check: Checker, depth = 0): void {
  if (values === undefined) return;
  if (!Array.isArray(values)) return check.fail(loc, 'must be a list of {key, value}', 'type_error');
  values.forEach((item, i) => {
    if (!isObject(item) || typeof item.key !== 'string') return check.fail([...loc, i, 'key'], 'must be a string', 'type_error');
    if (item.value !== undefined) checkAnyValue(item.value, [...loc, i, 'value'], check, depth);
  });
}

const NANOS = /^\d{1,20}$/;

function checkRecord(record: unknown, loc: Path, check: Checker, limits: EmulatorLimits, nowMillis: number): void {
  if (!isObject(record)) return check.fail(loc, 'must be a log record object', 'type_error');
  if (typeof record.timeUnixNano !== 'string') check.fail([...loc, 'timeUnixNano'], 'field required: a string of nanoseconds since the epoch', 'type_error');
  else if (!NANOS.test(record.timeUnixNano)) check.fail([...loc, 'timeUnixNano'], 'must be a string of digits (nanoseconds)');
  else {
    const millis = Number(BigInt(record.timeUnixNano) / 1_000_000n);
    if (limits.maxAgeMillis !== undefined && millis < nowMillis - limits.maxAgeMillis) check.fail([...loc, 'timeUnixNano'], 'is older than the accepted window');
    if (limits.maxFutureMillis !== undefined && millis > nowMillis + limits.maxFutureMillis) check.fail([...loc, 'timeUnixNano'], 'is too far in the future');
  }
  if (record.observedTimeUnixNano !== undefined && !(typeof record.observedTimeUnixNano === 'string' && NANOS.test(record.observedTimeUnixNano))) {
    check.fail([...loc, 'observedTimeUnixNano'], 'must be a string of digits (nanoseconds)', 'type_error');
  }
  const severity = record.severityNumber;
  if (severity !== undefined && !(Number.isInteger(severity) && (severity as number) >= 0 && (severity as number) <= 24)) {
    check.fail([...loc, 'severityNumber'], 'must be an integer from 0 to 24');
  }
  for (const key of ['severityText', 'eventName'] as const) {
    if (record[key] !== undefined && typeof record[key] !== 'string') check.fail([...loc, key], 'must be a string', 'type_error');
  }
  if (record.body !== undefined) checkAnyValue(record.body, [...loc, 'body'], check);
  checkKeyValues(record.attributes, [...loc, 'attributes'], check);
  if (record.traceId !== undefined && !(typeof record.traceId === 'string' && /^([0-9a-f]{32})?$/.test(record.traceId))) {
    check.fail([...loc, 'traceId'], 'must be 32 lower-case hex digits');
  }
  if (record.spanId !== undefined && !(typeof record.spanId === 'string' && /^([0-9a-f]{16})?$/.test(record.spanId))) {
    check.fail([...loc, 'spanId'], 'must be 16 lower-case hex digits');
  }
  if (record.flags !== undefined && !Number.isInteger(record.flags)) check.fail([...loc, 'flags'], 'must be an integer', 'type_error');
  const bytes = Buffer.byteLength(JSON.stringify(record));
  if (bytes > limits.maxEventBytes) check.fail(loc, `log record is ${bytes} bytes, over the ${limits.maxEventBytes} byte limit`);
}

function routingValue(attributes: unknown, key: string): string | undefined {
  if (!Array.isArray(attributes)) return undefined;
  const found = attributes.find((item) => isObject(item) && item.key === key) as OtlpKeyValue | undefined;
  const value = found?.value as { stringValue?: unknown } | undefined;
  return typeof value?.stringValue === 'string' && value.stringValue !== '' ? value.stringValue : undefined;
}

/**
 * Checks a CreateCustomLogEvents body (OTLP/JSON `resourceLogs`) and decodes its records, or lists every problem
 * (up to 20) as ValidationError details. Nothing is stored unless the whole request is valid.
 */
export function validateCustomLogEvents(
  body: unknown,
  limits: EmulatorLimits,
  nowMillis: number,
): { ok: true; records: StoredRecord[] } | { ok: false; details: ValidationDetail[] } {
  const check = new Checker();
  if (!isObject(body) || !Array.isArray(body.resourceLogs) || body.resourceLogs.length === 0) {
    check.fail(['resourceLogs'], 'field required: a non-empty list', 'missing');
    return { ok: false, details: check.details };
  }
  const records: StoredRecord[] = [];
  let count = 0;
  body.resourceLogs.forEach((resourceLogs: unknown, r) => {
    const loc: Path = ['resourceLogs', r];
    if (!isObject(resourceLogs)) return check.fail(loc, 'must be an object', 'type_error');
    const attributes = isObject(resourceLogs.resource) ? resourceLogs.resource.attributes : undefined;
    checkKeyValues(attributes, [...loc, 'resource', 'attributes'], check);
    const destination = {
      logStreamValue: routingValue(attributes, 'log_stream_value'),
      logGroupValue: routingValue(attributes, 'log_group_value'),
      accountId: routingValue(attributes, 'account_id'),
    };
    for (const [field, key] of [['logStreamValue', 'log_stream_value'], ['logGroupValue', 'log_group_value'], ['accountId', 'account_id']] as const) {
      if (!destination[field]) check.fail([...loc, 'resource', 'attributes'], `resource attribute ${key} (a non-empty stringValue) is required`, 'missing');
    }
    const resource = fromOtlpKeyValues(Array.isArray(attributes) ? (attributes as OtlpKeyValue[]) : undefined);
    if (!Array.isArray(resourceLogs.scopeLogs)) return check.fail([...loc, 'scopeLogs'], 'field required: a list', 'missing');
    resourceLogs.scopeLogs.forEach((scopeLogs: unknown, s) => {
      const scopeLoc: Path = [...loc, 'scopeLogs', s];
      if (!isObject(scopeLogs) || !Array.isArray(scopeLogs.logRecords)) return check.fail([...scopeLoc, 'logRecords'], 'field required: a list', 'missing');
      const scope = isObject(scopeLogs.scope) ? { name: scopeLogs.scope.name as string | undefined, version: scopeLogs.scope.version as string | undefined } : undefined;
      scopeLogs.logRecords.forEach((record: unknown, l) => {
        count++;
        if (check.full) return;
        const before = check.details.length;
        checkRecord(record, [...scopeLoc, 'logRecords', l], check, limits, nowMillis);
        if (check.details.length > before || !destination.accountId || !destination.logGroupValue || !destination.logStreamValue) return;
        const valid = record as Record<string, unknown>;
        records.push({
          accountId: destination.accountId,
          logGroupValue: destination.logGroupValue,
          logStreamValue: destination.logStreamValue,
          timeUnixNano: valid.timeUnixNano as string,
          observedTimeUnixNano: valid.observedTimeUnixNano as string | undefined,
          severityNumber: valid.severityNumber as number | undefined,
          severityText: valid.severityText as string | undefined,
          body: fromOtlpAnyValue(valid.body as OtlpAnyValue | undefined),
          eventName: valid.eventName as string | undefined,
          attributes: fromOtlpKeyValues(valid.attributes as OtlpKeyValue[] | undefined),
          resource,
          scope,
          traceId: valid.traceId as string | undefined,
          spanId: valid.spanId as string | undefined,
          flags: valid.flags as number | undefined,
        });
      });
    });
  });
  if (count === 0) check.fail(['resourceLogs'], 'the request holds no log records', 'missing');
  if (count > limits.maxEventsPerRequest) check.fail(['resourceLogs'], `the request holds ${count} log records, over the ${limits.maxEventsPerRequest} record limit`);
  return check.details.length > 0 ? { ok: false, details: check.details } : { ok: true, records };
}
