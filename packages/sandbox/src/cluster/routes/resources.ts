/** Generic REST handlers for stored resources: list (and watch), get, replace, patch, delete. */
import { stableStringify } from '../ids.ts';
import { applyPatch, isPatchContentType, unsupportedMediaType } from '../patch.ts';
import { parseFieldSelector, parseLabelSelector } from '../selectors.ts';
import { ApiError, badRequest, conflict, invalid, notFound, type StatusCause } from '../status.ts';
import type { Deployment, K8sObject, Service } from '../types.ts';
import { validateDeployment, validateService } from '../validation.ts';
import { boolParam, intParam, parseBody, sendJson, type RequestContext } from './context.ts';
import { keyOf, type ApiDeps, type ResourceDef } from './deps.ts';
import { toTable, wantsTable } from './table.ts';
import { startWatch } from './watch.ts';

export function typed(def: ResourceDef, obj: K8sObject): K8sObject {
  return { ...obj, apiVersion: def.group ? `${def.group}/${def.version}` : def.version, kind: def.kind };
}

export function getObject(deps: ApiDeps, def: ResourceDef, ns: string | undefined, name: string): K8sObject {
  const obj = deps.store.get(keyOf(def), def.namespaced ? ns : undefined, name);
  if (!obj) throw notFound(def.resource, def.group, name);
  return typed(def, obj);
}

export function list(ctx: RequestContext, deps: ApiDeps, def: ResourceDef, ns: string | undefined): void {
  const labels = parseLabelSelector(ctx.query.get('labelSelector') ?? undefined);
  const gvr = `${def.group}/${def.version}, Resource=${def.resource}`;
  const fields = parseFieldSelector(ctx.query.get('fieldSelector') ?? undefined, def.resource, gvr);
  const matches = (o: K8sObject) => labels(o.metadata.labels) && fields(o);
  if (boolParam(ctx.query, 'watch')) {
    startWatch(ctx, deps, {
      def,
      namespace: ns,
      matches,
      resourceVersion: ctx.query.get('resourceVersion') ?? undefined,
      timeoutSeconds: intParam(ctx.query, 'timeoutSeconds'),
    });
    return;
  }
  // Like the API server, list items carry no apiVersion/kind of their own.
  const items = deps.store
    .list(keyOf(def), ns)
    .filter(matches)
    .map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  const limit = intParam(ctx.query, 'limit');
  const page = limit !== undefined && limit > 0 ? items.slice(0, limit) : items;
  if (wantsTable(ctx))
    return sendJson(
      ctx.res,
      200,
      toTable(def, page as K8sObject[], deps.clock(), String(deps.store.currentResourceVersion)),
    );
  sendJson(ctx.res, 200, {
    apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
    kind: `${def.kind}List`,
    metadata: { resourceVersion: deps.store.currentResourceVersion },
    items: page,
  });
}

function validate(def: ResourceDef, next: K8sObject, current: K8sObject): StatusCause[] {
  if (def.resource === 'deployments') return validateDeployment(next as Deployment, current as Deployment);
  if (def.resource === 'services') return validateService(next as Service, current as Service);
  return [];
}

/**
 * Stores `next` as the new version of `current`: keeps server-owned metadata
 * and status, bumps generation on spec changes, validates, honours dryRun.
 */
export function commit(
  ctx: RequestContext,
  deps: ApiDeps,
  def: ResourceDef,
  current: K8sObject,
  next: unknown,
): K8sObject {
  const name = current.metadata.name;
  if (next === null || typeof next !== 'object' || Array.isArray(next)) {
    throw invalid(def.kind, def.group, name, [
      { reason: 'FieldValueInvalid', message: 'Invalid value: the object must be a JSON object' },
    ]);
  }
  const obj = next as K8sObject;
  if (obj.metadata === null || typeof obj.metadata !== 'object') {
    throw invalid(def.kind, def.group, name, [
      { reason: 'FieldValueRequired', field: 'metadata', message: 'Required value' },
    ]);
  }
  if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`,
    );
  }
  const rv = obj.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion)
    throw conflict(def.resource, def.group, name);

  const merged: K8sObject = {
    ...obj,
    apiVersion: current.apiVersion,
    kind: current.kind,
    metadata: {
      ...obj.metadata,
      name,
      namespace: current.metadata.namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      generation: current.metadata.generation,
    },
  };
  // status is a subresource: writes to the main resource leave it alone (a CRD may serve it inline).
  const statusIsSubresource = def.storeKey === undefined || def.subresources?.status === true;
  if (!statusIsSubresource) merged.status = obj.status;
  else if ('status' in current) merged.status = current.status;
  else delete merged.status;
  if (current.metadata.deletionTimestamp) merged.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
  const causes = validate(def, merged, current);
  if (causes.length > 0) throw invalid(def.kind, def.group, name, causes);
  // Clients re-serialise objects in their own key order: compare canonically.
  const hasGeneration = def.resource === 'deployments' || current.metadata.generation !== undefined;
  if (hasGeneration && stableStringify(merged.spec) !== stableStringify(current.spec)) {
    merged.metadata.generation = (current.metadata.generation ?? 1) + 1;
  }
  if (ctx.query.has('dryRun')) return typed(def, merged);
  return typed(def, deps.store.update(keyOf(def), merged));
}

export function replace(
  ctx: RequestContext,
  deps: ApiDeps,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
): void {
  const current = getObject(deps, def, ns, name);
  const body = parseBody(ctx);
  sendJson(ctx.res, 200, commit(ctx, deps, def, current, body));
}

export function patch(
  ctx: RequestContext,
  deps: ApiDeps,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
): void {
  if (!isPatchContentType(ctx.contentType)) throw unsupportedMediaType(ctx.contentType);
  const current = getObject(deps, def, ns, name);
  const body = parseBody(ctx);
  const next = applyPatch(current, body, ctx.contentType);
  sendJson(ctx.res, 200, commit(ctx, deps, def, current, next));
}

export function deletePod(ctx: RequestContext, deps: ApiDeps, def: ResourceDef, ns: string, name: string): void {
  getObject(deps, def, ns, name);
  let grace = intParam(ctx.query, 'gracePeriodSeconds');
  if (grace === undefined && ctx.rawBody.trim() !== '') {
    const body = parseBody(ctx) as { gracePeriodSeconds?: unknown };
    if (typeof body.gracePeriodSeconds === 'number') grace = body.gracePeriodSeconds;
  }
  if (ctx.query.has('dryRun')) {
    sendJson(ctx.res, 200, getObject(deps, def, ns, name));
    return;
  }
  const pod = deps.kubelet.terminate(ns, name, deps.clock(), grace);
  if (!pod) throw notFound(def.resource, def.group, name);
  sendJson(ctx.res, 200, typed(def, pod));
}

export function methodNotAllowed(method: string, def: ResourceDef): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method} ${def.resource})`,
  );
}
