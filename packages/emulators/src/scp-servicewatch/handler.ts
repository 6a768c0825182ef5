import { echoedRequest, type AnsweringFaultKind, type FaultRule } from '../common/faults.ts';
import type { EmulatorHandler, EmulatorRequest, EmulatorResponse } from '../common/http-server.ts';
import { errorResponse, validationError } from './errors.ts';
import type { OperationContext, ServiceWatchSettings } from './operations/context.ts';
import { createCustomLogEvents } from './operations/log-events.ts';
import { createLogGroup, listLogGroups } from './operations/log-groups.ts';
import { createCustomLogStream } from './operations/log-streams.ts';
import { verifyScpRequest, type ServiceWatchEmulatorCredential } from './signature.ts';
import type { ServiceWatchState } from './state.ts';

const PATHS = {
  logEvents: '/v1/log-groups/log-streams/log-events',
  logGroups: '/v1/log-groups',
  customStream: '/v1/log-groups/log-streams/collect/custom',
} as const;

/** Routes a request to its operation after the checks every request goes through: signature, API version, JSON body. */
export class ServiceWatchHandler implements EmulatorHandler {
  private readonly context: OperationContext;
  private readonly credentials: ReadonlyMap<string, ServiceWatchEmulatorCredential>;

  constructor(state: ServiceWatchState, settings: ServiceWatchSettings, credentials: ReadonlyMap<string, ServiceWatchEmulatorCredential>) {
    this.context = { state, settings };
    this.credentials = credentials;
  }

  operationOf(request: EmulatorRequest): string {
    if (request.method === 'POST' && request.path === PATHS.logEvents) return 'CreateCustomLogEvents';
    if (request.method === 'POST' && request.path === PATHS.customStream) return 'CreateCustomLogStream';
    if (request.method === 'POST' && request.path === PATHS.logGroups) return 'CreateLogGroup';
    if (request.method === 'GET' && request.path === PATHS.logGroups) return 'ListLogGroups';
    return 'Unknown';
  }

  faultResponse(kind: AnsweringFaultKind, rule: FaultRule, request: EmulatorRequest): EmulatorResponse {
    if (kind === 'echo') return errorResponse(403, 'Forbidden', 'Forbidden', `access denied: ${echoedRequest(request, rule)}`);
    const retryAfter: Record<string, string> | undefined = rule.retryAfterSeconds !== undefined ? { 'retry-after': String(rule.retryAfterSeconds) } : undefined;
    if (kind === 'throttle') return errorResponse(429, 'TooManyRequests', 'Too Many Requests', 'request rate exceeded', retryAfter);
    if (kind === 'unavailable') return errorResponse(503, 'ServiceUnavailable', 'Service Unavailable', 'the service is temporarily unavailable', retryAfter);
    return errorResponse(500, 'InternalServerError', 'Internal Server Error', 'an internal error occurred');
  }

  handle(request: EmulatorRequest): EmulatorResponse {
    const { settings } = this.context;
    const operation = this.operationOf(request);
    if (operation === 'Unknown') return errorResponse(404, 'NotFound', 'Not Found', `no operation ${request.method} ${request.path}`);
    const auth = verifyScpRequest(request, this.credentials, settings.now(), settings.maxClockSkewMillis);
    if (!auth.ok) return errorResponse(401, 'HmacValidFail', 'Unauthorized', auth.detail);
    const apiVersion = request.headers['scp-api-version'];
    if (apiVersion !== undefined && !settings.apiVersions.includes(apiVersion)) {
      return validationError([{ loc: ['header', 'Scp-Api-Version'], msg: `unsupported version ${JSON.stringify(apiVersion)}; supported: ${settings.apiVersions.join(', ')}`, type: 'value_error' }]);
    }
    const parsed = request.method === 'POST' ? this.parseJson(request) : { ok: true as const, value: undefined };
    if (!parsed.ok) return parsed.response;
    const account = auth.credential.accountId ?? settings.accountId;
    switch (operation) {
      case 'CreateCustomLogEvents':
        return createCustomLogEvents(this.context, request, parsed.value, auth.credential);
      case 'CreateLogGroup':
        return createLogGroup(this.context, parsed.value, account);
      case 'ListLogGroups':
        return listLogGroups(this.context, request.query.get('name') ?? undefined, account);
      default:
        return createCustomLogStream(this.context, parsed.value, account);
    }
  }

  private parseJson(request: EmulatorRequest): { ok: true; value: unknown } | { ok: false; response: EmulatorResponse } {
    if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return { ok: false, response: validationError([{ loc: ['header', 'Content-Type'], msg: 'must be application/json', type: 'value_error' }]) };
    }
    const { maxRequestBytes } = this.context.settings;
    if (request.body.length > maxRequestBytes) {
      return {
        ok: false,
        response: errorResponse(413, 'PayloadTooLarge', 'Payload Too Large', `request body is ${request.body.length} bytes, over the ${maxRequestBytes} byte limit`),
      };
    }
    try {
      return { ok: true, value: JSON.parse(request.body.toString('utf8')) };
    } catch (error) {
      return { ok: false, response: validationError([{ loc: ['body'], msg: `invalid JSON: ${(error as Error).message}`, type: 'value_error.jsondecode' }]) };
    }
  }
}
