import { randomUUID } from 'node:crypto';
import { echoedRequest, type AnsweringFaultKind, type FaultRule } from '../common/faults.ts';
import type { EmulatorHandler, EmulatorRequest, EmulatorResponse } from '../common/http-server.ts';
import { AWS_JSON_CONTENT_TYPE, CloudWatchError, errorResponse } from './errors.ts';
import type { RequestBody } from './fields.ts';
import { RawOutput, type Operation, type OperationContext } from './operations/context.ts';
import { filterLogEvents } from './operations/filter-log-events.ts';
import { getLogEvents } from './operations/get-log-events.ts';
import { getLogObject } from './operations/get-log-object.ts';
import { createLogGroup, describeLogGroups, putBearerTokenAuthentication, putRetentionPolicy } from './operations/log-groups.ts';
import { createLogStream, describeLogStreams } from './operations/log-streams.ts';
import { putLogEvents } from './operations/put-log-events.ts';
import { putOpenTelemetryLogs, type OtlpCaller } from './otlp/put-open-telemetry-logs.ts';
import type { SignatureVerifier } from './sigv4-verifier.ts';

const TARGET_PREFIX = 'Logs_20140328.';
/** The OTLP/HTTP logs endpoint, and the operation name its requests count (and match fault rules) under. */
export const OTLP_LOGS_PATH = '/v1/logs';
export const OTLP_LOGS_OPERATION = 'PutOpenTelemetryLogs';

const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['PutLogEvents', putLogEvents],
  ['CreateLogGroup', createLogGroup],
  ['CreateLogStream', createLogStream],
  ['PutRetentionPolicy', putRetentionPolicy],
  ['DescribeLogGroups', describeLogGroups],
  ['DescribeLogStreams', describeLogStreams],
  ['GetLogEvents', getLogEvents],
  ['GetLogObject', getLogObject],
  ['PutBearerTokenAuthentication', putBearerTokenAuthentication],
  ['FilterLogEvents', filterLogEvents],
]);

/**
 * The AWS JSON 1.1 front door (`POST /` with `X-Amz-Target: Logs_20140328.<Operation>`, signed with SigV4) and the
 * OTLP/HTTP endpoint (`POST /v1/logs`, SigV4 or a bearer token).
 */
export class CloudWatchLogsHandler implements EmulatorHandler {
  private readonly verifier: SignatureVerifier;
  private readonly context: OperationContext;

  constructor(verifier: SignatureVerifier, context: OperationContext) {
    this.verifier = verifier;
    this.context = context;
  }

  operationOf(request: EmulatorRequest): string {
    if (request.path === OTLP_LOGS_PATH) return OTLP_LOGS_OPERATION;
    const target = request.headers['x-amz-target'] ?? '';
    return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
  }

  /**
   * throttle: ThrottlingException (400; 429 on the OTLP endpoint, which sends Retry-After on 429 and 503);
   * unavailable: 503 and internal: 500, both ServiceUnavailableException; echo: 400 AccessDeniedException.
   */
  faultResponse(kind: AnsweringFaultKind, rule: FaultRule, request: EmulatorRequest, operation?: string): EmulatorResponse {
    const retryAfter: Record<string, string> = rule.retryAfterSeconds === undefined ? {} : { 'retry-after': String(rule.retryAfterSeconds) };
    const errors: Record<AnsweringFaultKind, () => CloudWatchError> = {
      echo: () => new CloudWatchError('AccessDeniedException', `User is not authorized to perform this action: ${echoedRequest(request, rule)}`),
      throttle: () => new CloudWatchError('ThrottlingException', 'Rate exceeded', operation === OTLP_LOGS_OPERATION ? 429 : 400),
      unavailable: () => new CloudWatchError('ServiceUnavailableException', 'The service is unavailable. Please try again later.', 503),
      internal: () => new CloudWatchError('ServiceUnavailableException', 'The server encountered an internal error. Please try again.', 500),
    };
    const error = errors[kind]();
    return errorResponse(error, { ...retryAfter, 'x-amzn-requestid': randomUUID() });
  }

  async handle(request: EmulatorRequest): Promise<EmulatorResponse> {
    const requestId = randomUUID();
    try {
      if (request.path === OTLP_LOGS_PATH) {
        if (request.method !== 'POST') throw new CloudWatchError('UnknownOperationException', `The OTLP endpoint takes POST ${OTLP_LOGS_PATH}; got ${request.method}.`);
        const response = putOpenTelemetryLogs(request, this.context, await this.caller(request));
        return { ...response, headers: { ...response.headers, 'x-amzn-requestid': requestId } };
      }
      await this.verifier.verify(request);
      const operation = this.resolveOperation(request);
      const output = operation(parseBody(request.body), this.context);
      if (output instanceof RawOutput) return { ...output.response, headers: { ...output.response.headers, 'x-amzn-requestid': requestId } };
      return {
        status: 200,
        headers: { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId },
        body: output === undefined ? '' : JSON.stringify(output),
      };
    } catch (error) {
      if (error instanceof CloudWatchError) return errorResponse(error, { 'x-amzn-requestid': requestId });
      throw error;
    }
  }

  /** Who sent an OTLP request: an API key (`Authorization: Bearer …`) or a verified SigV4 signature. */
  private async caller(request: EmulatorRequest): Promise<OtlpCaller> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers['authorization'] ?? '');
    if (!match) {
      await this.verifier.verify(request);
      return { type: 'sigv4' };
    }
    const key = this.context.store.apiKeys.get(match[1]!);
    if (!key) throw new CloudWatchError('UnrecognizedClientException', 'The bearer token included in the request is invalid or expired.', 401);
    return { type: 'bearer', key };
  }

  private resolveOperation(request: EmulatorRequest): Operation {
    const target = request.headers['x-amz-target'];
    const operation = target?.startsWith(TARGET_PREFIX) ? OPERATIONS.get(target.slice(TARGET_PREFIX.length)) : undefined;
    if (request.method !== 'POST' || request.path !== '/' || !operation) {
      throw new CloudWatchError('UnknownOperationException', `The emulator supports POST / with X-Amz-Target ${TARGET_PREFIX}{${[...OPERATIONS.keys()].join('|')}}; got ${request.method} ${request.path} with target '${target ?? ''}'.`);
    }
    return operation;
  }
}

function parseBody(body: Buffer): RequestBody {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new CloudWatchError('SerializationException', `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CloudWatchError('SerializationException', 'The request body must be a JSON object.');
  return parsed as RequestBody;
}
