import { randomUUID } from 'node:crypto';
import type { FaultRule } from '../common/faults.ts';
import type { EmulatorHandler, EmulatorRequest, EmulatorResponse } from '../common/http-server.ts';
import { AWS_JSON_CONTENT_TYPE, CloudWatchError, errorResponse } from './errors.ts';
import type { RequestBody } from './fields.ts';
import type { Operation, OperationContext } from './operations/context.ts';
import { filterLogEvents } from './operations/filter-log-events.ts';
import { getLogEvents } from './operations/get-log-events.ts';
import { createLogGroup, describeLogGroups, putRetentionPolicy } from './operations/log-groups.ts';
import { createLogStream, describeLogStreams } from './operations/log-streams.ts';
import { putLogEvents } from './operations/put-log-events.ts';
import type { SignatureVerifier } from './sigv4-verifier.ts';

const TARGET_PREFIX = 'Logs_20140328.';

const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['PutLogEvents', putLogEvents],
  ['CreateLogGroup', createLogGroup],
  ['CreateLogStream', createLogStream],
  ['PutRetentionPolicy', putRetentionPolicy],
  ['DescribeLogGroups', describeLogGroups],
  ['DescribeLogStreams', describeLogStreams],
  ['GetLogEvents', getLogEvents],
  ['FilterLogEvents', filterLogEvents],
]);

/** The AWS JSON 1.1 front door: `POST /` with `X-Amz-Target: Logs_20140328.<Operation>`, signed with SigV4. */
export class CloudWatchLogsHandler implements EmulatorHandler {
  private readonly verifier: SignatureVerifier;
  private readonly context: OperationContext;

  constructor(verifier: SignatureVerifier, context: OperationContext) {
    this.verifier = verifier;
    this.context = context;
  }

  operationOf(request: EmulatorRequest): string {
    const target = request.headers['x-amz-target'] ?? '';
    return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
  }

  /** throttle: 400 ThrottlingException; unavailable: 503 and internal: 500, both ServiceUnavailableException. */
  faultResponse(kind: 'throttle' | 'unavailable' | 'internal', rule: FaultRule): EmulatorResponse {
    const retryAfter: Record<string, string> = rule.retryAfterSeconds === undefined ? {} : { 'retry-after': String(rule.retryAfterSeconds) };
    const error =
      kind === 'throttle'
        ? new CloudWatchError('ThrottlingException', 'Rate exceeded')
        : kind === 'unavailable'
          ? new CloudWatchError('ServiceUnavailableException', 'The service is unavailable. Please try again later.', 503)
          : new CloudWatchError('ServiceUnavailableException', 'The server encountered an internal error. Please try again.', 500);
    return errorResponse(error, { ...retryAfter, 'x-amzn-requestid': randomUUID() });
  }

  async handle(request: EmulatorRequest): Promise<EmulatorResponse> {
    const requestId = randomUUID();
    try {
      await this.verifier.verify(request);
      const operation = this.resolveOperation(request);
      const output = operation(parseBody(request.body), this.context);
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
