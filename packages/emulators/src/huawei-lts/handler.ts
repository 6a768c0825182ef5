import { randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorHandler, EmulatorRequest, EmulatorResponse } from '../common/http-server.ts';
import { echoedRequest, type AnsweringFaultKind, type FaultRule } from '../common/faults.ts';
import { errorFor, gaError, ltsError, reportError } from './errors.ts';
import { routeOf, type Service } from './routes.ts';
import { verifySignature, type EmulatorAkSk } from './signature.ts';
import type { HuaweiLtsState, LogGroup, Project, StoredLogtank } from './state.ts';

/** The limits and behaviour the emulated services enforce. */
export interface HuaweiLtsEmulatorSettings {
  readonly credentials: ReadonlyMap<string, EmulatorAkSk>;
  readonly users: readonly EmulatorUser[];
  readonly domainId: string;
  readonly tokenLifetimeMillis: number;
  readonly maxClockSkewMillis: number;
  readonly maxLineBytes: number;
  readonly maxLabels: number;
  readonly maxAgeMillis: number;
  readonly maxFutureMillis: number;
  /** Whole request body; undefined: no limit (LTS documents none). */
  readonly maxRequestBytes: number | undefined;
  readonly maxGroupsPerProject: number;
  readonly maxStreamsPerGroup: number;
  readonly logtankSettleMillis: number;
}

export interface EmulatorUser {
  readonly domainName: string;
  readonly userName: string;
  readonly password: string;
}

/** A report answer forced by a test (e.g. HTTP 200 with a body code other than success). */
export interface InjectedReportAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  times: number;
}

/** Mutable switches a test can flip. */
export interface HuaweiLtsSwitches {
  quotaFull: boolean;
  readonly reportAnswers: InjectedReportAnswer[];
  readonly failingLogtankResources: Set<string>;
}

const RESERVED_FIELDS = new Set([
  'collectTime', '__time__', 'lineNum', 'category', 'clusterName', 'clusterId', 'nameSpace', 'hostName', 'hostIP',
  'hostIPv6', 'hostId', 'pathFile', 'content', 'podIp', 'podName', 'containerName', 'appName', 'serviceID',
]);
const LTS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const NANOS_PER_MILLI = 1_000_000n;

function checkName(name: unknown): string | undefined {
  if (typeof name !== 'string' || !LTS_NAME.test(name)) return 'name must be 1-64 letters, digits, _ - .';
  if (name.startsWith('.') || name.startsWith('_') || name.endsWith('.')) return 'name must not start with . or _ nor end with .';
  return undefined;
}

function isTtl(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 365;
}

function parseJson(body: Buffer): unknown {
  // log_time_ns is an int64: keep its exact value (a bigint) instead of rounding it to a double. A quoted
  // "123" stays a string, which the reporting API refuses.
  return JSON.parse(body.toString('utf8'), (key, value, context?: { source?: string }) =>
    key === 'log_time_ns' && typeof value === 'number' && context?.source !== undefined && /^-?\d+$/.test(context.source) ? BigInt(context.source) : value,
  );
}

/** The HTTP behaviour of LTS (control plane and reporting), IAM token issuing and GA logtanks on one server. */
export class HuaweiLtsHandler implements EmulatorHandler {
  private readonly state: HuaweiLtsState;
  private readonly settings: HuaweiLtsEmulatorSettings;
  private readonly switches: HuaweiLtsSwitches;

  constructor(state: HuaweiLtsState, settings: HuaweiLtsEmulatorSettings, switches: HuaweiLtsSwitches) {
    this.state = state;
    this.settings = settings;
    this.switches = switches;
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
    if (route.service === 'iam') return this.createToken(request);
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
        return this.listGroups(project!);
      case 'CreateLogGroup':
        return this.createGroup(project!, request);
      case 'DeleteLogGroup':
        return project!.groups.delete(route.params[0]!) ? { status: 204 } : ltsError(400, 'LTS.0201', 'Log group does not exist');
      case 'ListLogStreams':
        return this.listStreams(project!, route.params[0]!);
      case 'CreateLogStream':
        return this.createStream(project!, route.params[0]!, request);
      case 'DeleteLogStream': {
        const group = project!.groups.get(route.params[0]!);
        if (!group) return ltsError(400, 'LTS.0201', 'Log group does not exist');
        return group.streams.delete(route.params[1]!) ? { status: 204 } : ltsError(400, 'LTS.0208', 'Log stream does not exist');
      }
      case 'ReportLogs':
      case 'ReportHighAccuracyLogs':
        return this.report(project!, route.params[0]!, route.params[1]!, request, route.operation === 'ReportHighAccuracyLogs');
      case 'CreateLogtank':
        return this.createLogtank(request);
      case 'ListLogtanks':
        return { status: 200, body: { logtanks: [...this.state.logtanks.values()].filter((t) => this.settle(t)).map((t) => this.logtankBody(t)), request_id: randomUUID() } };
      case 'ShowLogtank': {
        const logtank = this.state.logtanks.get(route.params[0]!);
        if (!logtank || !this.settle(logtank)) return gaError(404, 'GA.0404', `logtank ${route.params[0]} not found`);
        return { status: 200, body: { logtank: this.logtankBody(logtank), request_id: randomUUID() } };
      }
      case 'DeleteLogtank': {
        const logtank = this.state.logtanks.get(route.params[0]!);
        if (!logtank || !this.settle(logtank)) return gaError(404, 'GA.0404', `logtank ${route.params[0]} not found`);
        logtank.status = 'DELETING';
        logtank.settlesAt = Date.now() + this.settings.logtankSettleMillis;
        logtank.updatedAt = new Date().toISOString();
        return { status: 204 };
      }
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

  private createToken(request: EmulatorRequest): EmulatorResponse {
    const unauthorized = (message: string) => ({ status: 401, body: { error: { code: 401, message, title: 'Unauthorized' } } });
    let body: { auth?: { identity?: { methods?: string[]; password?: { user?: { name?: string; password?: string; domain?: { name?: string } } } }; scope?: { project?: { id?: string; name?: string }; domain?: { name?: string } } } };
    try {
      body = parseJson(request.body) as typeof body;
    } catch {
      return { status: 400, body: { error: { code: 400, message: 'The request body is not JSON', title: 'Bad Request' } } };
    }
    const identity = body.auth?.identity;
    if (!identity?.methods?.includes('password')) return { status: 400, body: { error: { code: 400, message: 'only the password method is emulated', title: 'Bad Request' } } };
    const given = identity.password?.user;
    const user = this.settings.users.find((u) => u.userName === given?.name && u.password === given?.password && u.domainName === given?.domain?.name);
    if (!user) return unauthorized('The username or password is wrong.');
    const scope = body.auth?.scope;
    let tokenScope: { projectId: string } | { domain: true };
    let scopeBody: Record<string, unknown>;
    if (scope?.project) {
      const project = scope.project.id !== undefined ? this.state.project(scope.project.id) : [...this.state.projects.values()].find((p) => p.name === scope.project!.name);
      if (!project) return { status: 400, body: { error: { code: 400, message: 'the scoped project does not exist', title: 'Bad Request' } } };
      tokenScope = { projectId: project.id };
      scopeBody = { project: { id: project.id, name: project.name, domain: { id: this.settings.domainId, name: user.domainName } } };
    } else if (scope?.domain?.name === user.domainName) {
      tokenScope = { domain: true };
      scopeBody = { domain: { id: this.settings.domainId, name: user.domainName } };
    } else {
      return { status: 400, body: { error: { code: 400, message: 'scope must be a project of the account or the account itself', title: 'Bad Request' } } };
    }
    // Real tokens are 1,000-2,000 characters; the exporter must not assume short ones.
    const token = `MII${randomBytes(800).toString('base64url')}`;
    const issuedAt = Date.now();
    const expiresAt = issuedAt + this.settings.tokenLifetimeMillis;
    this.state.tokens.set(token, { scope: tokenScope, expiresAt, userName: user.userName });
    return {
      status: 201,
      headers: { 'x-subject-token': token },
      body: {
        token: {
          methods: ['password'],
          issued_at: new Date(issuedAt).toISOString(),
          expires_at: new Date(expiresAt).toISOString(),
          user: { name: user.userName, domain: { id: this.settings.domainId, name: user.domainName } },
          ...scopeBody,
        },
      },
    };
  }

  private listGroups(project: Project): EmulatorResponse {
    const log_groups = [...project.groups.values()].map((g) => ({ log_group_id: g.id, log_group_name: g.name, ttl_in_days: g.ttlInDays, creation_time: g.createdAt }));
    return { status: 200, body: { log_groups } };
  }

  private createGroup(project: Project, request: EmulatorRequest): EmulatorResponse {
    let body: { log_group_name?: unknown; ttl_in_days?: unknown };
    try {
      body = parseJson(request.body) as typeof body;
    } catch {
      return ltsError(400, 'LTS.0007', 'The request body is not in JSON format');
    }
    const problem = checkName(body.log_group_name) ?? (isTtl(body.ttl_in_days) ? undefined : 'ttl_in_days must be an integer from 1 to 365');
    if (problem) return ltsError(400, 'LTS.0009', `Failed to validate the request body: ${problem}`);
    const name = body.log_group_name as string;
    if ([...project.groups.values()].some((g) => g.name === name)) return ltsError(400, 'LTS.0101', 'Log group name already exists');
    if (project.groups.size >= this.settings.maxGroupsPerProject) return ltsError(400, 'LTS.0104', 'The number of log groups has reached the quota');
    const group = this.state.addGroup(project, name, body.ttl_in_days as number);
    return { status: 201, body: { log_group_id: group.id } };
  }

  private listStreams(project: Project, groupId: string): EmulatorResponse {
    const group = project.groups.get(groupId);
    if (!group) return ltsError(400, 'LTS.0201', 'Log group does not exist');
    const log_streams = [...group.streams.values()].map((s) => ({
      log_stream_id: s.id,
      log_stream_name: s.name,
      creation_time: s.createdAt,
      filter_count: 0,
      ...(s.ttlInDays !== undefined ? { ttl_in_days: s.ttlInDays } : {}),
    }));
    return { status: 200, body: { log_streams } };
  }

  private createStream(project: Project, groupId: string, request: EmulatorRequest): EmulatorResponse {
    const group = project.groups.get(groupId);
    if (!group) return ltsError(400, 'LTS.0201', 'Log group does not exist');
    let body: { log_stream_name?: unknown; ttl_in_days?: unknown };
    try {
      body = parseJson(request.body) as typeof body;
    } catch {
      return ltsError(400, 'LTS.0007', 'The request body is not in JSON format');
    }
    const problem = checkName(body.log_stream_name) ?? (body.ttl_in_days === undefined || isTtl(body.ttl_in_days) ? undefined : 'ttl_in_days must be an integer from 1 to 365');
    if (problem) return ltsError(400, 'LTS.0009', `Failed to validate the request body: ${problem}`);
    const name = body.log_stream_name as string;
    if ([...group.streams.values()].some((s) => s.name === name)) return ltsError(400, 'LTS.0205', 'Log stream name already exists');
    if (group.streams.size >= this.settings.maxStreamsPerGroup) return ltsError(400, 'LTS.0206', 'The number of log streams has reached the quota');
    const stream = this.state.addStream(group, name, body.ttl_in_days as number | undefined);
    return { status: 201, body: { log_stream_id: stream.id } };
  }

  private report(project: Project, groupId: string, streamId: string, request: EmulatorRequest, highAccuracy: boolean): EmulatorResponse {
    const forced = this.switches.reportAnswers.find((a) => a.times > 0);
    if (forced) {
      forced.times--;
      return reportError(forced.status, forced.code, forced.message);
    }
    const group: LogGroup | undefined = project.groups.get(groupId);
    if (!group) return reportError(400, 'LTS.0201', 'Log group does not exist');
    const stream = group.streams.get(streamId);
    if (!stream) return reportError(400, 'LTS.0208', 'Log stream does not exist');
    if (this.switches.quotaFull) return reportError(400, 'SVCSTG.ALS.200.210', 'The log quota is full');
    if (this.settings.maxRequestBytes !== undefined && request.body.length > this.settings.maxRequestBytes) {
      return reportError(413, 'LTS.0009', `request body is ${request.body.length} bytes, over ${this.settings.maxRequestBytes}`);
    }
    let body: Record<string, unknown>;
    try {
      body = parseJson(request.body) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TypeError('not an object');
    } catch {
      return reportError(400, 'SVCSTG.ALS.200.201', 'The request body is not valid JSON');
    }
    const invalid = (message: string) => reportError(400, 'LTS.0009', `Failed to validate the request body: ${message}`);
    const labels = body.labels ?? {};
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return invalid('labels must be an object');
    const labelNames = Object.keys(labels);
    if (labelNames.length > this.settings.maxLabels) return invalid(`${labelNames.length} labels, at most ${this.settings.maxLabels}`);
    for (const name of labelNames) {
      if (RESERVED_FIELDS.has(name) || name.includes('__')) return invalid(`label ${name} uses a reserved field name`);
      if (typeof (labels as Record<string, unknown>)[name] !== 'string') return invalid(`label ${name} must be a string`);
    }
    const lines: Array<{ timeNs: bigint; line: string }> = [];
    if (!Array.isArray(body.contents) || body.contents.length === 0) return invalid('contents must be a non-empty array');
    if (highAccuracy) {
      for (const [index, item] of (body.contents as unknown[]).entries()) {
        const content = item as { log?: unknown; log_time_ns?: unknown };
        if (typeof content?.log !== 'string') return invalid(`contents[${index}].log must be a string`);
        if (typeof content.log_time_ns !== 'bigint' || content.log_time_ns < 0n) return invalid(`contents[${index}].log_time_ns must be a non-negative integer number`);
        lines.push({ timeNs: content.log_time_ns, line: content.log });
      }
    } else {
      if (typeof body.log_time_ns !== 'bigint' || body.log_time_ns < 0n) return invalid('log_time_ns must be a non-negative integer number');
      const base = body.log_time_ns;
      for (const [index, item] of (body.contents as unknown[]).entries()) {
        if (typeof item !== 'string') return invalid(`contents[${index}] must be a string`);
        lines.push({ timeNs: base + BigInt(index), line: item });
      }
    }
    const now = BigInt(Date.now());
    for (const [index, { timeNs, line }] of lines.entries()) {
      const bytes = Buffer.byteLength(line, 'utf8');
      if (bytes > this.settings.maxLineBytes) return invalid(`line ${index} is ${bytes} bytes, over ${this.settings.maxLineBytes}`);
      const millis = timeNs / NANOS_PER_MILLI;
      if (millis < now - BigInt(this.settings.maxAgeMillis) || millis > now + BigInt(this.settings.maxFutureMillis)) {
        return invalid(`line ${index} time is outside the accepted window`);
      }
    }
    const frozenLabels = { ...(labels as Record<string, string>) };
    for (const { timeNs, line } of lines) stream.lines.push({ timeNs: timeNs.toString(), line, labels: frozenLabels });
    return { status: 200, body: { errorCode: 'SVCSTG.ALS.200.200', error_msg: 'Report success.', result: null } };
  }

  private createLogtank(request: EmulatorRequest): EmulatorResponse {
    let body: { logtank?: { resource_type?: unknown; resource_id?: unknown; log_group_id?: unknown; log_stream_id?: unknown } };
    try {
      body = parseJson(request.body) as typeof body;
    } catch {
      return gaError(400, 'GA.0400', 'The request body is not JSON');
    }
    const option = body.logtank;
    if (!option) return gaError(400, 'GA.0400', 'logtank is required');
    if (option.resource_type !== 'LISTENER') return gaError(400, 'GA.0400', 'logtank.resource_type must be LISTENER');
    for (const key of ['resource_id', 'log_group_id', 'log_stream_id'] as const) {
      if (typeof option[key] !== 'string' || option[key] === '') return gaError(400, 'GA.0400', `logtank.${key} is required`);
    }
    const found = this.state.findByIds(option.log_group_id as string, option.log_stream_id as string);
    if (!found) return gaError(400, 'GA.0400', 'log_group_id / log_stream_id do not name an existing LTS log stream');
    const now = new Date().toISOString();
    const logtank: StoredLogtank = {
      id: randomUUID(),
      projectId: found.project.id,
      resourceType: 'LISTENER',
      resourceId: option.resource_id as string,
      logGroupId: found.group.id,
      logStreamId: found.stream.id,
      status: 'PENDING',
      settlesAt: Date.now() + this.settings.logtankSettleMillis,
      failing: this.switches.failingLogtankResources.has(option.resource_id as string),
      createdAt: now,
      updatedAt: now,
    };
    this.state.logtanks.set(logtank.id, logtank);
    return { status: 201, body: { logtank: this.logtankBody(logtank), request_id: randomUUID() } };
  }

  /** Moves a logtank along PENDING → ACTIVE | ERROR and DELETING → gone; false when it is gone. */
  private settle(logtank: StoredLogtank): boolean {
    if (Date.now() < logtank.settlesAt) return true;
    if (logtank.status === 'PENDING') {
      logtank.status = logtank.failing ? 'ERROR' : 'ACTIVE';
      logtank.updatedAt = new Date().toISOString();
    } else if (logtank.status === 'DELETING') {
      this.state.logtanks.delete(logtank.id);
      return false;
    }
    return true;
  }

  private logtankBody(logtank: StoredLogtank): Record<string, unknown> {
    return {
      id: logtank.id,
      domain_id: this.settings.domainId,
      project_id: logtank.projectId,
      resource_type: logtank.resourceType,
      resource_id: logtank.resourceId,
      log_group_id: logtank.logGroupId,
      log_stream_id: logtank.logStreamId,
      status: logtank.status,
      created_at: logtank.createdAt,
      updated_at: logtank.updatedAt,
    };
  }
}
