import type { EmulatorRequest, EmulatorResponse } from '../../common/http-server.ts';
import { reportError } from '../errors.ts';
import type { LogGroup, Project } from '../state.ts';
import { parseJson, type OperationContext } from './context.ts';

const RESERVED_FIELDS = new Set([
  'collectTime', '__time__', 'lineNum', 'category', 'clusterName', 'clusterId', 'nameSpace', 'hostName', 'hostIP',
  'hostIPv6', 'hostId', 'pathFile', 'content', 'podIp', 'podName', 'containerName', 'appName', 'serviceID',
]);
const NANOS_PER_MILLI = 1_000_000n;

/** ReportLogs and ReportHighAccuracyLogs: checks labels, lines, sizes and times, then stores the lines. */
export function report(context: OperationContext, project: Project, groupId: string, streamId: string, request: EmulatorRequest, highAccuracy: boolean): EmulatorResponse {
  const forced = context.switches.reportAnswers.find((a) => a.times > 0);
  if (forced) {
    forced.times--;
    return reportError(forced.status, forced.code, forced.message);
  }
  const group: LogGroup | undefined = project.groups.get(groupId);
  if (!group) return reportError(400, 'LTS.0201', 'Log group does not exist');
  const stream = group.streams.get(streamId);
  if (!stream) return reportError(400, 'LTS.0208', 'Log stream does not exist');
  if (context.switches.quotaFull) return reportError(400, 'SVCSTG.ALS.200.210', 'The log quota is full');
  if (context.settings.maxRequestBytes !== undefined && request.body.length > context.settings.maxRequestBytes) {
    return reportError(413, 'LTS.0009', `request body is ${request.body.length} bytes, over ${context.settings.maxRequestBytes}`);
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
  if (labelNames.length > context.settings.maxLabels) return invalid(`${labelNames.length} labels, at most ${context.settings.maxLabels}`);
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
    if (bytes > context.settings.maxLineBytes) return invalid(`line ${index} is ${bytes} bytes, over ${context.settings.maxLineBytes}`);
    const millis = timeNs / NANOS_PER_MILLI;
    if (millis < now - BigInt(context.settings.maxAgeMillis) || millis > now + BigInt(context.settings.maxFutureMillis)) {
      return invalid(`line ${index} time is outside the accepted window`);
    }
  }
  const frozenLabels = { ...(labels as Record<string, string>) };
  for (const { timeNs, line } of lines) stream.lines.push({ timeNs: timeNs.toString(), line, labels: frozenLabels });
  return { status: 200, body: { errorCode: 'SVCSTG.ALS.200.200', error_msg: 'Report success.', result: null } };
}
