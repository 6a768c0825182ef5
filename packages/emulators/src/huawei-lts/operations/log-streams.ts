import type { EmulatorRequest, EmulatorResponse } from '../../common/http-server.ts';
import { ltsError } from '../errors.ts';
import type { Project } from '../state.ts';
import { checkName, isTtl, parseJson, type OperationContext } from './context.ts';

export function listStreams(project: Project, groupId: string): EmulatorResponse {
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

export function createStream(context: OperationContext, project: Project, groupId: string, request: EmulatorRequest): EmulatorResponse {
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
  if (group.streams.size >= context.settings.maxStreamsPerGroup) return ltsError(400, 'LTS.0206', 'The number of log streams has reached the quota');
  const stream = context.state.addStream(group, name, body.ttl_in_days as number | undefined);
  return { status: 201, body: { log_stream_id: stream.id } };
}

export function deleteStream(project: Project, groupId: string, streamId: string): EmulatorResponse {
  const group = project.groups.get(groupId);
  if (!group) return ltsError(400, 'LTS.0201', 'Log group does not exist');
  return group.streams.delete(streamId) ? { status: 204 } : ltsError(400, 'LTS.0208', 'Log stream does not exist');
}
