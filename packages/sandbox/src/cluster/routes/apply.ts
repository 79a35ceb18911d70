/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`, as `kubectl apply --server-side`):
 * the applied configuration is merged into the object, the fields it sets are recorded as owned by
 * its field manager in `metadata.managedFields`, and setting a field another apply manager owns to a
 * different value is a 409 conflict unless `force=true`. Simplified: lists are owned as a whole, and
 * fields a manager stops applying are not removed.
 */
import { parse } from 'yaml';
import { strategicMerge } from '../patch.ts';
import { ApiError, badRequest, notFound } from '../status.ts';
import type { K8sObject } from '../types.ts';
import type { RequestContext } from './context.ts';
import { sendJson } from './context.ts';
import { keyOf, type ApiDeps, type ResourceDef } from './deps.ts';
import { commit } from './resources.ts';

export const APPLY_CONTENT_TYPE = 'application/apply-patch+yaml';

type Fields = { [key: string]: Fields };

interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Fields;
}

const IDENTITY = new Set(['apiVersion', 'kind']);
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Leaf paths the configuration sets ("spec.replicas"), objects recursed, lists as one leaf. */
function leaves(value: unknown, prefix = ''): string[] {
  if (!isRecord(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => {
    if (!prefix && IDENTITY.has(k)) return [];
    if (prefix === 'metadata' && (k === 'name' || k === 'namespace' || k === 'managedFields')) return [];
    const path = prefix ? `${prefix}.${k}` : k;
    return isRecord(v) && Object.keys(v).length > 0 ? leaves(v, path) : [path];
  });
}

function toFields(paths: string[]): Fields {
  const root: Fields = {};
  for (const path of paths) {
    let node = root;
    for (const part of path.split('.')) node = node[`f:${part}`] ??= {};
  }
  return root;
}

function fromFields(fields: Fields, prefix = ''): string[] {
  return Object.entries(fields).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k.slice(2)}` : k.slice(2);
    return Object.keys(v).length === 0 ? [path] : fromFields(v, path);
  });
}

function valueAt(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((cur, part) => (isRecord(cur) ? cur[part] : undefined), obj);
}

export function serverSideApply(
  ctx: RequestContext,
  deps: ApiDeps,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
): void {
  const manager = ctx.query.get('fieldManager');
  if (!manager) throw badRequest('PATCH requests with apply content type must specify a fieldManager');
  let applied: unknown;
  try {
    applied = parse(ctx.rawBody);
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
  if (!isRecord(applied) || !isRecord(applied.metadata))
    throw badRequest('the applied configuration must be an object with metadata');
  const current = deps.store.get(keyOf(def), def.namespaced ? ns : undefined, name);
  if (!current) throw notFound(def.resource, def.group, name);
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  if (applied.apiVersion !== apiVersion || applied.kind !== def.kind) {
    throw badRequest(
      `the applied configuration is ${String(applied.apiVersion)}, Kind=${String(applied.kind)}; expected ${apiVersion}, Kind=${def.kind}`,
    );
  }
  const paths = leaves(applied);
  const entries = (current.metadata.managedFields ?? []) as ManagedEntry[];
  const force = ctx.query.get('force') === 'true';
  const conflicts = entries
    .filter((e) => e.manager !== manager && e.operation === 'Apply')
    .flatMap((e) =>
      fromFields(e.fieldsV1)
        .filter((p) => paths.includes(p) && JSON.stringify(valueAt(current, p)) !== JSON.stringify(valueAt(applied, p)))
        .map((p) => ({ manager: e.manager, path: p })),
    );
  if (conflicts.length > 0 && !force) {
    const list = conflicts.map((c) => `conflict with "${c.manager}": .${c.path}`).join('\n- ');
    throw new ApiError(
      409,
      'Conflict',
      `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${conflicts.length === 1 ? list : `\n- ${list}`}`,
      {
        name,
        group: def.group || undefined,
        kind: def.resource,
        causes: conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: `conflict with "${c.manager}" using ${apiVersion}`,
          field: `.${c.path}`,
        })),
      },
    );
  }
  // Forced: the others lose the fields now applied.
  const others = entries
    .filter((e) => e.manager !== manager || e.operation !== 'Apply')
    .map((e) =>
      force && e.operation === 'Apply'
        ? { ...e, fieldsV1: toFields(fromFields(e.fieldsV1).filter((p) => !paths.includes(p))) }
        : e,
    )
    .filter((e) => Object.keys(e.fieldsV1).length > 0);
  const mine: ManagedEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    time: new Date(deps.clock()).toISOString(),
    fieldsType: 'FieldsV1',
    fieldsV1: toFields(paths),
  };
  const { apiVersion: _a, kind: _k, metadata, ...rest } = applied;
  const merged = strategicMerge(current, { ...rest, metadata: { ...metadata, managedFields: undefined } }) as K8sObject;
  merged.metadata = { ...merged.metadata, managedFields: [...others, mine] };
  delete merged.metadata.resourceVersion;
  sendJson(ctx.res, 200, commit(ctx, deps, def, current, merged));
}
