/** Maps a request to its handler after checking access for the (impersonated) caller. */
import { ApiError } from '../status.ts';
import { selfSubjectAccessReview } from './authorization.ts';
import { boolParam, parseApiPath, sendJson, type ApiPath, type RequestContext } from './context.ts';
import type { ApiDeps } from './deps.ts';
import { create } from './create.ts';
import { deleteObject } from './delete.ts';
import { writeStatus } from './status-subresource.ts';
import { discovery } from './discovery.ts';
import { openapi } from './openapi.ts';
import { podLogs } from './pod-logs.ts';
import { deletePod, getObject, list, methodNotAllowed, patch, replace } from './resources.ts';
import { APPLY_CONTENT_TYPE, serverSideApply } from './apply.ts';
import { EVENTS_GROUP, extraApi, METRICS_GROUP } from './extra-apis.ts';
import { scale } from './scale.ts';
import { toTable, wantsTable } from './table.ts';

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

function isExtraApi(p: ApiPath): boolean {
  if (p.subresource !== undefined) return false;
  if (p.group === METRICS_GROUP.name && p.version === METRICS_GROUP.version) return p.resource === 'pods';
  return p.group === EVENTS_GROUP.name && p.version === EVENTS_GROUP.version && p.resource === 'events';
}

export function route(ctx: RequestContext, deps: ApiDeps): void {
  if (ctx.method === 'GET' && (discovery(ctx, deps.registry) || openapi(ctx, deps.registry))) return;
  if (ctx.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
    if (ctx.method !== 'POST')
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    return selfSubjectAccessReview(ctx, deps.access);
  }
  const p = parseApiPath(ctx.path);
  if (p && isExtraApi(p)) {
    if (ctx.method !== 'GET')
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const refused = deps.access.forbidden(ctx.identity, {
      verb: verbFor(ctx, p.name !== undefined),
      resource: p.resource,
      group: p.group,
      namespace: p.namespace,
      name: p.name,
    });
    if (refused) throw refused;
    return extraApi(ctx, deps, p);
  }
  const def = p ? deps.registry.find(p.group, p.version, p.resource) : undefined;
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
    if (ctx.method === 'POST' && def.verbs.includes('create') && (!def.namespaced || ns))
      return create(ctx, deps, def, ns);
    if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method, def);
    return list(ctx, deps, def, ns);
  }
  if (p.subresource !== undefined) {
    // A StatefulSet's Scale has the Deployment's shape: spec.replicas, status.replicas, selector.
    if (
      (def.resource === 'deployments' || def.resource === 'statefulsets') &&
      p.subresource === 'scale' &&
      ['GET', 'PUT', 'PATCH'].includes(ctx.method) &&
      ns
    ) {
      return scale(ctx, deps, def, ns, p.name);
    }
    if (def.resource === 'pods' && p.subresource === 'log' && ctx.method === 'GET' && ns)
      return podLogs(ctx, deps, def, ns, p.name);
    if (p.subresource === 'status' && ctx.method === 'GET')
      return sendJson(ctx.res, 200, getObject(deps, def, ns, p.name));
    if (p.subresource === 'status' && def.subresources?.status && (ctx.method === 'PUT' || ctx.method === 'PATCH'))
      return writeStatus(ctx, deps, def, ns, p.name);
    throw pathNotFound();
  }
  if (!def.verbs.includes(verb)) throw methodNotAllowed(ctx.method, def);
  switch (ctx.method) {
    case 'GET': {
      const obj = getObject(deps, def, ns, p.name);
      return sendJson(
        ctx.res,
        200,
        wantsTable(ctx) ? toTable(def, [obj], deps.clock(), obj.metadata.resourceVersion) : obj,
      );
    }
    case 'PUT':
      return replace(ctx, deps, def, ns, p.name);
    case 'PATCH':
      return ctx.contentType === APPLY_CONTENT_TYPE
        ? serverSideApply(ctx, deps, def, ns, p.name)
        : patch(ctx, deps, def, ns, p.name);
    case 'DELETE':
      if (def.resource === 'pods' && def.storeKey === undefined)
        return deletePod(ctx, deps, def, ns ?? 'default', p.name);
      return deleteObject(ctx, deps, def, ns, p.name);
    default:
      throw methodNotAllowed(ctx.method, def);
  }
}
