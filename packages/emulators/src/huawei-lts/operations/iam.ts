import { randomBytes } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from '../../common/http-server.ts';
import { parseJson, type OperationContext } from './context.ts';

/** IAM CreateToken (password method): a token scoped to a project or to the account. */
export function createToken(context: OperationContext, request: EmulatorRequest): EmulatorResponse {
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
  const user = context.settings.users.find((u) => u.userName === given?.name && u.password === given?.password && u.domainName === given?.domain?.name);
  if (!user) return unauthorized('The username or password is wrong.');
  const scope = body.auth?.scope;
  let tokenScope: { projectId: string } | { domain: true };
  let scopeBody: Record<string, unknown>;
  if (scope?.project) {
    const project = scope.project.id !== undefined ? context.state.project(scope.project.id) : [...context.state.projects.values()].find((p) => p.name === scope.project!.name);
    if (!project) return { status: 400, body: { error: { code: 400, message: 'the scoped project does not exist', title: 'Bad Request' } } };
    tokenScope = { projectId: project.id };
    scopeBody = { project: { id: project.id, name: project.name, domain: { id: context.settings.domainId, name: user.domainName } } };
  } else if (scope?.domain?.name === user.domainName) {
    tokenScope = { domain: true };
    scopeBody = { domain: { id: context.settings.domainId, name: user.domainName } };
  } else {
    return { status: 400, body: { error: { code: 400, message: 'scope must be a project of the account or the account itself', title: 'Bad Request' } } };
  }
  // Real tokens are 1,000-2,000 characters; the exporter must not assume short ones.
  const token = `MII${randomBytes(800).toString('base64url')}`;
  const issuedAt = Date.now();
  const expiresAt = issuedAt + context.settings.tokenLifetimeMillis;
  context.state.tokens.set(token, { scope: tokenScope, expiresAt, userName: user.userName });
  return {
    status: 201,
    headers: { 'x-subject-token': token },
    body: {
      token: {
        methods: ['password'],
        issued_at: new Date(issuedAt).toISOString(),
        expires_at: new Date(expiresAt).toISOString(),
        user: { name: user.userName, domain: { id: context.settings.domainId, name: user.domainName } },
        ...scopeBody,
      },
    },
  };
}
