import type { EmulatorHandler, EmulatorRequest, EmulatorResponse } from '../common/http-server.ts';
import { echoedRequest, type AnsweringFaultKind, type FaultRule } from '../common/faults.ts';
import { errorFor, ltsError, reportError } from './errors.ts';
import type { HuaweiLtsEmulatorSettings, HuaweiLtsSwitches, OperationContext } from './operations/context.ts';
import { createToken } from './operations/iam.ts';
import { createGroup, deleteGroup, listGroups } from './operations/log-groups.ts';
import { createStream, deleteStream, listStreams } from './operations/log-streams.ts';
import { createLogtank, deleteLogtank, listLogtanks, showLogtank } from './operations/logtanks.ts';
import { report } from './operations/report.ts';
import { routeOf, type Service } from './routes.ts';
import { verifySignature } from './signature.ts';
import type { HuaweiLtsState, Project } from './state.ts';

/** The HTTP behaviour of LTS (control plane and reporting), IAM token issuing and GA logtanks on one server. */
export class HuaweiLtsHandler implements EmulatorHandler {
  private readonly state: HuaweiLtsState;
  private readonly settings: HuaweiLtsEmulatorSettings;
  private readonly context: OperationContext;

  constructor(state: HuaweiLtsState, settings: HuaweiLtsEmulatorSettings, switches: HuaweiLtsSwitches) {
    this.state = state;
    this.settings = settings;
    this.context = { state, settings, switches };
  }

  operationOf(request: EmulatorRequest): string {
    return routeOf(request).operation;
  }

  faultResponse(kind: AnsweringFaultKind, rule: FaultRule, request: EmulatorRequest): EmulatorResponse {
    const retryAfter: Record<string, string> = rule.retryAfterSeconds !== undefined ? { 'retry-after': String(rule.retryAfterSeconds) } : {};
    if (kind === 'echo') return ltsError(403, 'APIGW.0301', `Incorrect IAM authentication information: ${echoedRequest(request, rule)}`);
    if (kind === 'throttle') return { ...ltsError(429, 'APIGW.0308', 'The throttling threshold has been reached'), headers: retryAfter };
    if (kind === 'unavailable') return { ...ltsError(503, 'LTS.0403', 'ServiceUnavailable'), headers: retryAfter };
    return ltsError(500, 'LTS.0010', 'Internal Server Error');
  }

  handle(request: EmulatorRequest): EmulatorResponse {
    const route = routeOf(request);
    if (route.operation === 'Unknown') return ltsError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
    if (route.service === 'iam') return createToken(this.context, request);
    const service = route.service;
    const denied = this.authenticate(request, service, route.projectId);
    if (denied) return denied;
    let project: Project | undefined;
    if (route.projectId !== undefined) {
      project = this.state.project(route.projectId);
      if (!project) return service === 'report' ? reportError(401, 'SVCSTG.ALS.403.105', 'Invalid project id') : ltsError(403, 'LTS.0001', 'Invalid projectId');
    }
    switch (route.operation) {
      case 'ListLogGroups':
        return listGroups(project!);
      case 'CreateLogGroup':
        return createGroup(this.context, project!, request);
      case 'DeleteLogGroup':
        return deleteGroup(project!, route.params[0]!);
      case 'ListLogStreams':
        return listStreams(project!, route.params[0]!);
      case 'CreateLogStream':
        return createStream(this.context, project!, route.params[0]!, request);
      case 'DeleteLogStream':
        return deleteStream(project!, route.params[0]!, route.params[1]!);
      case 'ReportLogs':
      case 'ReportHighAccuracyLogs':
        return report(this.context, project!, route.params[0]!, route.params[1]!, request, route.operation === 'ReportHighAccuracyLogs');
      case 'CreateLogtank':
        return createLogtank(this.context, request);
      case 'ListLogtanks':
        return listLogtanks(this.context);
      case 'ShowLogtank':
        return showLogtank(this.context, route.params[0]!);
      case 'DeleteLogtank':
        return deleteLogtank(this.context, route.params[0]!);
      default:
        return ltsError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
    }
  }

  /** X-Auth-Token (issued by this IAM, unexpired, scoped to the project) or an SDK-HMAC-SHA256 signature. */
  private authenticate(request: EmulatorRequest, service: Service, projectId: string | undefined): EmulatorResponse | undefined {
    const wrongProject = () =>
      service === 'report' ? reportError(401, 'SVCSTG.ALS.403.105', 'Invalid project id') : errorFor(service, 403, 'LTS.0001', 'Invalid projectId');
    if (request.headers.authorization !== undefined) {
      const verdict = verifySignature(request, this.settings.credentials, this.settings.maxClockSkewMillis);
      if (!verdict.ok) return errorFor(service, 401, 'APIGW.0301', `Incorrect IAM authentication information: ${verdict.reason}`);
      const headerProject = request.headers['x-project-id'];
      if (projectId !== undefined && headerProject !== undefined && headerProject !== projectId) return wrongProject();
      return undefined;
    }
    const tokenText = request.headers['x-auth-token'];
    const token = tokenText === undefined ? undefined : this.state.tokens.get(tokenText);
    if (!token || token.expiresAt <= Date.now()) {
      const message = tokenText === undefined ? 'no X-Auth-Token and no Authorization header' : token ? 'token expired' : 'Invalid token';
      return service === 'lts' ? ltsError(401, 'LTS.0003', message) : errorFor(service, 401, 'APIGW.0301', `Incorrect IAM authentication information: ${message}`);
    }
    if (projectId !== undefined && (!('projectId' in token.scope) || token.scope.projectId !== projectId)) return wrongProject();
    return undefined;
  }
}
