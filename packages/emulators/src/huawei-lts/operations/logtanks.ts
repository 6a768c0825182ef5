import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from '../../common/http-server.ts';
import { gaError } from '../errors.ts';
import type { StoredLogtank } from '../state.ts';
import { parseJson, type OperationContext } from './context.ts';

/** GA logtanks: created PENDING, they settle to ACTIVE (or ERROR) after logtankSettleMillis; deleting takes as long. */
export function createLogtank(context: OperationContext, request: EmulatorRequest): EmulatorResponse {
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
  const found = context.state.findByIds(option.log_group_id as string, option.log_stream_id as string);
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
    settlesAt: Date.now() + context.settings.logtankSettleMillis,
    failing: context.switches.failingLogtankResources.has(option.resource_id as string),
    createdAt: now,
    updatedAt: now,
  };
  context.state.logtanks.set(logtank.id, logtank);
  return { status: 201, body: { logtank: logtankBody(context, logtank), request_id: randomUUID() } };
}

export function listLogtanks(context: OperationContext): EmulatorResponse {
  return { status: 200, body: { logtanks: [...context.state.logtanks.values()].filter((t) => settle(context, t)).map((t) => logtankBody(context, t)), request_id: randomUUID() } };
}

export function showLogtank(context: OperationContext, logtankId: string): EmulatorResponse {
  const logtank = context.state.logtanks.get(logtankId);
  if (!logtank || !settle(context, logtank)) return gaError(404, 'GA.0404', `logtank ${logtankId} not found`);
  return { status: 200, body: { logtank: logtankBody(context, logtank), request_id: randomUUID() } };
}

export function deleteLogtank(context: OperationContext, logtankId: string): EmulatorResponse {
  const logtank = context.state.logtanks.get(logtankId);
  if (!logtank || !settle(context, logtank)) return gaError(404, 'GA.0404', `logtank ${logtankId} not found`);
  logtank.status = 'DELETING';
  logtank.settlesAt = Date.now() + context.settings.logtankSettleMillis;
  logtank.updatedAt = new Date().toISOString();
  return { status: 204 };
}

/** Moves a logtank along PENDING → ACTIVE | ERROR and DELETING → gone; false when it is gone. */
function settle(context: OperationContext, logtank: StoredLogtank): boolean {
  if (Date.now() < logtank.settlesAt) return true;
  if (logtank.status === 'PENDING') {
    logtank.status = logtank.failing ? 'ERROR' : 'ACTIVE';
    logtank.updatedAt = new Date().toISOString();
  } else if (logtank.status === 'DELETING') {
    context.state.logtanks.delete(logtank.id);
    return false;
  }
  return true;
}

function logtankBody(context: OperationContext, logtank: StoredLogtank): Record<string, unknown> {
  return {
    id: logtank.id,
    domain_id: context.settings.domainId,
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
