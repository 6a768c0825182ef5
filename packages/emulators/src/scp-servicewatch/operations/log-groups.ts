import { randomBytes } from 'node:crypto';
import type { EmulatorResponse } from '../../common/http-server.ts';
import { errorResponse, validationError } from '../errors.ts';
import type { EmulatedLogGroup } from '../state.ts';
import { RESOURCE_NAME, type OperationContext } from './context.ts';

export function createLogGroup({ state, settings }: OperationContext, body: unknown, account: string): EmulatorResponse {
  const input = (body ?? {}) as { name?: unknown; retention_period?: unknown; tags?: unknown };
  const details = [];
  if (typeof input.name !== 'string' || !RESOURCE_NAME.test(input.name)) details.push({ loc: ['body', 'name'], msg: 'must be 1–255 characters of letters, digits, . _ - /', type: 'value_error' });
  if (!Number.isSafeInteger(input.retention_period) || (input.retention_period as number) <= 0) {
    details.push({ loc: ['body', 'retention_period'], msg: 'must be a positive number of days', type: 'value_error' });
  }
  if (input.tags !== undefined && !Array.isArray(input.tags)) details.push({ loc: ['body', 'tags'], msg: 'must be a list of {key, value}', type: 'type_error' });
  if (details.length > 0) return validationError(details);
  const name = input.name as string;
  if (state.groups.has(`${account}/${name}`)) return errorResponse(409, 'Conflict', 'Conflict', `log group ${name} already exists`);
  const group: EmulatedLogGroup = {
    id: randomBytes(16).toString('hex'),
    name,
    account_id: account,
    retention_period: input.retention_period as number,
    tags: (input.tags as EmulatedLogGroup['tags'] | undefined) ?? [],
    created_at: new Date(settings.now()).toISOString(),
  };
  state.groups.set(`${account}/${name}`, group);
  return { status: 201, body: group };
}

export function listLogGroups({ state }: OperationContext, name: string | undefined, account: string): EmulatorResponse {
  const groups = [...state.groups.values()].filter((g) => g.account_id === account && (name === undefined || g.name.includes(name)));
  return { status: 200, body: { count: groups.length, log_groups: groups } };
}
