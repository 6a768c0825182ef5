import type { EmulatorRequest, EmulatorResponse } from '../../common/http-server.ts';
import { errorResponse, validationError } from '../errors.ts';
import type { ServiceWatchEmulatorCredential } from '../signature.ts';
import { keyOf } from '../state.ts';
import { validateCustomLogEvents } from '../validate.ts';
import type { OperationContext } from './context.ts';

/** CreateCustomLogEvents: validates the OTLP/JSON body, checks the key's account and the stream's rate, stores the records. */
export function createCustomLogEvents(context: OperationContext, request: EmulatorRequest, body: unknown, credential: ServiceWatchEmulatorCredential): EmulatorResponse {
  const { state, settings } = context;
  const verdict = validateCustomLogEvents(body, settings, settings.now());
  const destinations = verdict.ok ? [...new Map(verdict.records.map((r) => [keyOf(r), { accountId: r.accountId, logGroupValue: r.logGroupValue, logStreamValue: r.logStreamValue }])).values()] : [];
  const log = (status: number, records: number) =>
    state.logEventsRequests.push({ status, bodyBytes: request.body.length, records, apiVersion: request.headers['scp-api-version'], destinations });
  if (!verdict.ok) {
    log(400, 0);
    return validationError(verdict.details);
  }
  const foreign = destinations.find((d) => credential.accountId !== undefined && d.accountId !== credential.accountId);
  if (foreign) {
    log(403, 0);
    return errorResponse(403, 'Forbidden', 'Forbidden', `the access key may not write to account ${foreign.accountId}`);
  }
  if (destinations.some((d) => !takeToken(context, keyOf(d)))) {
    log(429, 0);
    return errorResponse(429, 'TooManyRequests', 'Too Many Requests', `over ${settings.requestsPerSecondPerStream} requests per second for a log stream`);
  }
  for (const record of verdict.records) {
    const key = keyOf(record);
    let list = state.stored.get(key);
    if (!list) state.stored.set(key, (list = []));
    list.push(record);
  }
  log(202, verdict.records.length);
  return { status: 202, body: { status: 'success' } };
}

/** Token bucket per stream: capacity and refill rate are requestsPerSecondPerStream. */
function takeToken({ state, settings }: OperationContext, stream: string): boolean {
  const rate = settings.requestsPerSecondPerStream;
  if (!Number.isFinite(rate)) return true;
  const now = settings.now();
  const bucket = state.buckets.get(stream) ?? { tokens: rate, at: now };
  bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1_000) * rate);
  bucket.at = now;
  state.buckets.set(stream, bucket);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
