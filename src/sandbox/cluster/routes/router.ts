/** Maps a request to its handler after checking access for the (impersonated) caller. */
import { ApiError } from '../status.ts';
import { selfSubjectAccessReview } from './authorization.ts';
import { boolParam, parseApiPath, sendJson, type RequestContext } from './context.ts';
import { findResource, type ApiDeps } from './deps.ts';
import { discovery } from './discovery.ts';
import { podLogs } from './pod-logs.ts';
import { deletePod, getObject, list, methodNotAllowed, patch, replace } from './resources.ts';
import { scale } from './scale.ts';

function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
  });
}

function verbFor(ctx: RequestContext, hasName: boolean): string {
  switch (ctx.method) {
    case 'GET':
      return hasName ? 'get' : boolParam(ctx.query, 'watch') ? 'watch' : 'list';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    case 'POST':
      return 'create';
    default:
      return ctx.method.toLowerCase();
  }
}

export function route(ctx: RequestContext, deps: ApiDeps): void {
  if (ctx.method === 'GET' && discovery(ctx)) return;
  if (ctx.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
    if (ctx.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    return selfSubjectAccessReview(ctx, deps.access);
  }
  const p = parseApiPath(ctx.path);
  const def = p ? findResource(p.group, p.version, p.resource) : undefined;
  if (!p || !def || (!def.namespaced && p.namespace !== undefined)) throw pathNotFound();

  const verb = verbFor(ctx, p.name !== undefined);
  const forbidden = deps.access.forbidden(ctx.identity, {
    verb,
    resource: def.resource,
    subresource: p.subresource,
    group: def.group,
    namespace: p.namespace,
    name: p.name,
  });
  if (forbidden) throw forbidden;

  const ns = def.namespaced ? p.namespace : undefined;
  if (p.name === undefined) {
    if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method, def);
    return list(ctx, deps, def, ns);
  }
  if (p.subresource !== undefined) {
    if (def.resource === 'deployments' && p.subresource === 'scale' && ['GET', 'PUT', 'PATCH'].includes(ctx.method) && ns) {
      return scale(ctx, deps, def, ns, p.name);
    }
    if (def.resource === 'pods' && p.subresource === 'log' && ctx.method === 'GET' && ns) return podLogs(ctx, deps, def, ns, p.name);
    if (p.subresource === 'status' && ctx.method === 'GET') return sendJson(ctx.res, 200, getObject(deps, def, ns, p.name));
    throw pathNotFound();
  }
  if (!def.verbs.includes(verb)) throw methodNotAllowed(ctx.method, def);
  switch (ctx.method) {
    case 'GET':
      return sendJson(ctx.res, 200, getObject(deps, def, ns, p.name));
    case 'PUT':
      return replace(ctx, deps, def, ns, p.name);
    case 'PATCH':
      return patch(ctx, deps, def, ns, p.name);
    case 'DELETE':
      return deletePod(ctx, deps, def, ns ?? 'default', p.name);
    default:
      throw methodNotAllowed(ctx.method, def);
  }
}
