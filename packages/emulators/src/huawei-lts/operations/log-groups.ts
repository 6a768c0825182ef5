import type { EmulatorRequest, EmulatorResponse } from '../../common/http-server.ts';
import { ltsError } from '../errors.ts';
import type { Project } from '../state.ts';
import { checkName, isTtl, parseJson, type OperationContext } from './context.ts';

export function listGroups(project: Project): EmulatorResponse {
  const log_groups = [...project.groups.values()].map((g) => ({ log_group_id: g.id, log_group_name: g.name, ttl_in_days: g.ttlInDays, creation_time: g.createdAt }));
  return { status: 200, body: { log_groups } };
}

export function createGroup(context: OperationContext, project: Project, request: EmulatorRequest): EmulatorResponse {
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
  if (project.groups.size >= context.settings.maxGroupsPerProject) return ltsError(400, 'LTS.0104', 'The number of log groups has reached the quota');
  const group = context.state.addGroup(project, name, body.ttl_in_days as number);
  return { status: 201, body: { log_group_id: group.id } };
}

export function deleteGroup(project: Project, groupId: string): EmulatorResponse {
  return project.groups.delete(groupId) ? { status: 204 } : ltsError(400, 'LTS.0201', 'Log group does not exist');
}
