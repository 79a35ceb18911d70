/** PUT/PATCH of the `status` subresource: only `status` changes; spec and metadata stay as stored. */
import { applyPatch, isPatchContentType, unsupportedMediaType } from '../patch.ts';
import { badRequest, conflict } from '../status.ts';
import type { K8sObject } from '../types.ts';
import { parseBody, sendJson, type RequestContext } from './context.ts';
import { keyOf, type ApiDeps, type ResourceDef } from './deps.ts';
import { getObject, typed } from './resources.ts';

export function writeStatus(
  ctx: RequestContext,
  deps: ApiDeps,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
): void {
  const current = getObject(deps, def, ns, name);
  let next: K8sObject;
  if (ctx.method === 'PUT') {
    next = parseBody(ctx) as K8sObject;
    if (next === null || typeof next !== 'object' || typeof next.metadata !== 'object')
      throw badRequest('the request body must be an object with metadata');
    const rv = next.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(def.resource, def.group, name);
  } else {
    if (!isPatchContentType(ctx.contentType)) throw unsupportedMediaType(ctx.contentType);
    next = applyPatch(current, parseBody(ctx), ctx.contentType) as K8sObject;
  }
  const updated: K8sObject = { ...current, status: next.status };
  if (ctx.query.has('dryRun')) return sendJson(ctx.res, 200, updated);
  sendJson(ctx.res, 200, typed(def, deps.store.update(keyOf(def), updated)));
}
