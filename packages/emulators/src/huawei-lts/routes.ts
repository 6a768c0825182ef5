import type { EmulatorRequest } from '../common/http-server.ts';

/** Which service's error shape an operation answers with. */
export type Service = 'lts' | 'report' | 'ga';

export interface Route {
  readonly operation: string;
  readonly service: Service | 'iam';
  readonly projectId?: string;
  readonly params: readonly string[];
}

/** The operation a request calls, with its service, project and path parameters. */
export function routeOf(request: EmulatorRequest): Route {
  const segments = request.path.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const m = request.method;
  const [first, second, third, fourth, fifth, sixth] = segments;
  if (request.path === '/v3/auth/tokens' && m === 'POST') return { operation: 'CreateToken', service: 'iam', params: [] };
  if (first === 'v1' && second === 'logtanks') {
    if (segments.length === 2 && m === 'POST') return { operation: 'CreateLogtank', service: 'ga', params: [] };
    if (segments.length === 2 && m === 'GET') return { operation: 'ListLogtanks', service: 'ga', params: [] };
    if (segments.length === 3 && m === 'GET') return { operation: 'ShowLogtank', service: 'ga', params: [third!] };
    if (segments.length === 3 && m === 'DELETE') return { operation: 'DeleteLogtank', service: 'ga', params: [third!] };
  }
  if (first === 'v2' && second !== undefined) {
    const projectId = second;
    if (third === 'groups') {
      if (segments.length === 3) return { operation: m === 'POST' ? 'CreateLogGroup' : m === 'GET' ? 'ListLogGroups' : 'Unknown', service: 'lts', projectId, params: [] };
      if (segments.length === 4 && m === 'DELETE') return { operation: 'DeleteLogGroup', service: 'lts', projectId, params: [fourth!] };
      if (segments.length === 5 && fifth === 'streams') {
        return { operation: m === 'POST' ? 'CreateLogStream' : m === 'GET' ? 'ListLogStreams' : 'Unknown', service: 'lts', projectId, params: [fourth!] };
      }
      if (segments.length === 6 && fifth === 'streams' && m === 'DELETE') return { operation: 'DeleteLogStream', service: 'lts', projectId, params: [fourth!, sixth!] };
    }
    const tail = segments.slice(7).join('/');
    if (third === 'lts' && fourth === 'groups' && sixth === 'streams' && m === 'POST' && segments[8] === 'contents' && segments[7] === 'tenant') {
      if (tail === 'tenant/contents') return { operation: 'ReportLogs', service: 'report', projectId, params: [fifth!, segments[6]!] };
      if (tail === 'tenant/contents/high-accuracy') return { operation: 'ReportHighAccuracyLogs', service: 'report', projectId, params: [fifth!, segments[6]!] };
    }
  }
  return { operation: 'Unknown', service: 'lts', params: [] };
}
