/** The deployments/scale subresource (autoscaling/v1 Scale). */
import { applyPatch, isPatchContentType, unsupportedMediaType } from '../patch.ts';
import { formatSelector } from '../selectors.ts';
import { conflict, invalid, type StatusCause } from '../status.ts';
import type { Deployment, K8sObject } from '../types.ts';
import { validateReplicas } from '../validation.ts';
import { parseBody, sendJson, type RequestContext } from './context.ts';
import type { ApiDeps, ResourceDef } from './deps.ts';
import { commit, getObject } from './resources.ts';

function toScale(d: Deployment): K8sObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = d.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: d.spec.replicas ?? 1 },
    status: { replicas: d.status?.replicas ?? 0, selector: formatSelector(d.spec.selector.matchLabels ?? {}) },
  };
}

function applyScale(ctx: RequestContext, deps: ApiDeps, def: ResourceDef, d: Deployment, scale: unknown): K8sObject {
  const s = (scale ?? {}) as { metadata?: { resourceVersion?: string }; spec?: { replicas?: unknown } };
  const rv = s.metadata?.resourceVersion;
  if (rv && rv !== d.metadata.resourceVersion) throw conflict(def.resource, def.group, d.metadata.name);
  const causes: StatusCause[] = [];
  const replicas = s.spec?.replicas;
  if (replicas === undefined)
    causes.push({ reason: 'FieldValueRequired', field: 'spec.replicas', message: 'Required value' });
  validateReplicas('spec.replicas', replicas, causes, 'ScaleSpec');
  if (causes.length > 0) throw invalid('Scale', 'autoscaling', d.metadata.name, causes);
  const { resourceVersion: _rv, ...metadata } = d.metadata;
  const updated = commit(ctx, deps, def, d, { ...d, metadata, spec: { ...d.spec, replicas } }) as Deployment;
  return toScale(updated);
}

export function scale(ctx: RequestContext, deps: ApiDeps, def: ResourceDef, ns: string, name: string): void {
  const d = getObject(deps, def, ns, name) as Deployment;
  if (ctx.method === 'GET') return sendJson(ctx.res, 200, toScale(d));
  if (ctx.method === 'PUT') return sendJson(ctx.res, 200, applyScale(ctx, deps, def, d, parseBody(ctx)));
  if (!isPatchContentType(ctx.contentType)) throw unsupportedMediaType(ctx.contentType);
  // The patched Scale keeps the current resourceVersion unless the patch sets one (a precondition).
  return sendJson(ctx.res, 200, applyScale(ctx, deps, def, d, applyPatch(toScale(d), parseBody(ctx), ctx.contentType)));
}
