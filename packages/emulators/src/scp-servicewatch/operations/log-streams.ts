import { randomBytes } from 'node:crypto';
import type { EmulatorResponse } from '../../common/http-server.ts';
import { errorResponse, validationError } from '../errors.ts';
import type { EmulatedLogStream } from '../state.ts';
import { RESOURCE_NAME, type OperationContext } from './context.ts';

/** CreateCustomLogStream: creates the stream, or answers the existing one's values (200) so that provisioning can be repeated. */
export function createCustomLogStream({ state, settings }: OperationContext, body: unknown, account: string): EmulatorResponse {
  const input = (body ?? {}) as { log_group_name?: unknown; log_stream_name?: unknown };
  const details = [];
  for (const field of ['log_group_name', 'log_stream_name'] as const) {
    const value = input[field];
    if (typeof value !== 'string' || !RESOURCE_NAME.test(value)) details.push({ loc: ['body', field], msg: 'must be 1–255 characters of letters, digits, . _ - /', type: 'value_error' });
  }
  if (details.length > 0) return validationError(details);
  const groupName = input.log_group_name as string;
  const group = state.groups.get(`${account}/${groupName}`);
  if (!group) return errorResponse(404, 'NotFound', 'Not Found', `log group ${groupName} not found`);
  const key = `${account}/${groupName}/${input.log_stream_name as string}`;
  const existing = state.streams.get(key);
  if (existing) return { status: 200, body: existing };
  const rate = settings.requestsPerSecondPerStream;
  const stream: EmulatedLogStream = {
    log_group_name: groupName,
    log_stream_name: input.log_stream_name as string,
    account_id: account,
    log_group_value: group.id,
    log_stream_value: randomBytes(16).toString('hex'),
    requests_per_second: Number.isFinite(rate) ? rate : 0,
  };
  state.streams.set(key, stream);
  return { status: 201, body: stream };
}
