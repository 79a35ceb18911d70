/** POST on a collection: create an object (generateName, AlreadyExists, namespace checks, dryRun). */
import { ApiError, badRequest, invalid, notFound, qualified } from '../status.ts';
import type { K8sObject } from '../types.ts';
import { admit } from '../admission.ts';
import { parseBody, sendJson, type RequestContext } from './context.ts';
import { keyOf, type ApiDeps, type ResourceDef } from './deps.ts';
import { typed } from './resources.ts';

function alreadyExists(def: ResourceDef, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(def.resource, def.group)} "${name}" already exists`, {
    name,
    group: def.group || undefined,
    kind: def.resource,
  });
}

/** The namespace must exist and not be terminating, as the NamespaceLifecycle admission plugin says. */
function checkNamespace(deps: ApiDeps, def: ResourceDef, ns: string, name: string): void {
  const namespace = deps.store.get('namespaces', undefined, ns);
  if (!namespace) throw notFound('namespaces', '', ns);
  if (namespace.metadata.deletionTimestamp) {
    throw new ApiError(
      403,
      'Forbidden',
      `${qualified(def.resource, def.group)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      {
        name,
        group: def.group || undefined,
        kind: def.resource,
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${ns} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    );
  }
}

export function create(ctx: RequestContext, deps: ApiDeps, def: ResourceDef, ns: string | undefined): void {
  const body = parseBody(ctx);
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the request body must be a JSON object');
  const obj = structuredClone(body) as K8sObject;
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  if (
    (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) ||
    (obj.kind !== undefined && obj.kind !== def.kind)
  ) {
    throw badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`,
    );
  }
  const meta = (obj.metadata ?? {}) as K8sObject['metadata'];
  obj.metadata = meta;
  if (def.namespaced && meta.namespace !== undefined && meta.namespace !== ns) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (!meta.name) {
    if (!meta.generateName)
      throw invalid(def.kind, def.group, '', [
        {
          reason: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ]);
    meta.name = `${meta.generateName}${deps.ids.suffix()}`;
  }
  if (def.namespaced && ns) {
    meta.namespace = ns;
    checkNamespace(deps, def, ns, meta.name);
  } else {
    delete meta.namespace;
  }
  if (deps.store.has(keyOf(def), def.namespaced ? ns : undefined, meta.name)) throw alreadyExists(def, meta.name);
  for (const serverOwned of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation'] as const)
    delete meta[serverOwned];
  obj.apiVersion = apiVersion;
  obj.kind = def.kind;
  meta.uid = deps.ids.uid();
  meta.creationTimestamp = new Date(deps.clock()).toISOString();
  const dryRun = ctx.query.has('dryRun');
  if (dryRun && def.resource === 'customresourcedefinitions') {
    sendJson(ctx.res, 201, typed(def, obj));
    return;
  }
  admit(def, obj, deps.registry);
  if (dryRun) {
    sendJson(ctx.res, 201, typed(def, obj));
    return;
  }
  const stored = deps.store.create(keyOf(def), obj);
  sendJson(ctx.res, 201, typed(def, stored));
}
