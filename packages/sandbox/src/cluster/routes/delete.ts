/**
 * DELETE of an object other than a pod, with `propagationPolicy` (query or DeleteOptions body):
 * `Orphan` (a batch/v1 Job's default, with the API server's warning), `Background`, `Foreground`.
 * An object deleted at once answers a `Status` of success; one whose deletion waits on finalizers
 * (a Namespace, a Foreground deletion) answers the object with its deletionTimestamp.
 */
import { badRequest, conflict, notFound } from '../status.ts';
import type { K8sObject } from '../types.ts';
import { parseBody, sendJson, type RequestContext } from './context.ts';
import { keyOf, type ApiDeps, type ResourceDef } from './deps.ts';
import { typed } from './resources.ts';

export type Propagation = 'Orphan' | 'Background' | 'Foreground';

const JOB_ORPHAN_WARNING =
  '299 - "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"';

interface DeleteOptions {
  propagationPolicy?: unknown;
  orphanDependents?: unknown;
  preconditions?: { uid?: string; resourceVersion?: string };
}

function options(ctx: RequestContext): DeleteOptions {
  const fromBody = ctx.rawBody.trim() !== '' ? (parseBody(ctx) as DeleteOptions) : {};
  const policy = ctx.query.get('propagationPolicy') ?? fromBody.propagationPolicy;
  return { ...fromBody, ...(policy !== undefined ? { propagationPolicy: policy } : {}) };
}

export function deleteObject(
  ctx: RequestContext,
  deps: ApiDeps,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
): void {
  const current = deps.store.get<K8sObject>(keyOf(def), def.namespaced ? ns : undefined, name);
  if (!current) throw notFound(def.resource, def.group, name);
  const opts = options(ctx);
  if (opts.preconditions?.uid && opts.preconditions.uid !== current.metadata.uid)
    throw conflict(def.resource, def.group, name);
  if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== current.metadata.resourceVersion)
    throw conflict(def.resource, def.group, name);
  let policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
  if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
    throw badRequest(
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  }
  const headers: Record<string, string> = {};
  // batch/v1 Jobs keep their pods unless told otherwise (the legacy default), and say so.
  if (policy === undefined && def.resource === 'jobs' && def.storeKey === undefined) {
    policy = 'Orphan';
    headers.Warning = JOB_ORPHAN_WARNING;
  }
  if (ctx.query.has('dryRun')) {
    sendJson(ctx.res, 200, typed(def, current), headers);
    return;
  }
  const pending = deps.workloads.remove(def, current, (policy as Propagation | undefined) ?? 'Background');
  if (pending) {
    sendJson(ctx.res, 200, typed(def, pending), headers);
    return;
  }
  sendJson(
    ctx.res,
    200,
    {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: def.group || undefined, kind: def.resource, uid: current.metadata.uid },
    },
    headers,
  );
}
