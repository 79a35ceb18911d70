/**
 * `/openapi/v3`: enough of the API server's OpenAPI v3 for kubectl to see that PATCH on each resource
 * takes `fieldValidation`, so `kubectl apply`/`replace` validate on the server (`fieldValidation=Strict`)
 * instead of downloading full schemas. Operations carry `x-kubernetes-group-version-kind` as upstream.
 */
import { createHash } from 'node:crypto';
import { sendJson, type RequestContext } from './context.ts';
import type { ResourceRegistry } from '../registry.ts';
import type { ResourceDef } from './deps.ts';

const QUERY = (name: string) => ({ name, in: 'query', schema: { type: 'string' }, uniqueItems: true });

function groupPath(def: ResourceDef): string {
  return def.group ? `apis/${def.group}/${def.version}` : `api/${def.version}`;
}

function document(defs: readonly ResourceDef[], gv: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const def of defs.filter((r) => groupPath(r) === gv)) {
    const base = def.namespaced
      ? `/${gv}/namespaces/{namespace}/${def.resource}/{name}`
      : `/${gv}/${def.resource}/{name}`;
    const gvk = { group: def.group, version: def.version, kind: def.kind };
    const op = (action: string) => ({
      'x-kubernetes-group-version-kind': gvk,
      'x-kubernetes-action': action,
      parameters: [
        QUERY('dryRun'),
        QUERY('fieldManager'),
        QUERY('fieldValidation'),
        ...(action === 'patch' ? [QUERY('force')] : []),
      ],
      responses: { '200': { description: 'OK' } },
    });
    paths[base] = {
      get: {
        'x-kubernetes-group-version-kind': gvk,
        'x-kubernetes-action': 'get',
        responses: { '200': { description: 'OK' } },
      },
      ...(def.verbs.includes('patch') ? { patch: op('patch') } : {}),
      ...(def.verbs.includes('update') ? { put: op('put') } : {}),
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.30.4-eafix-sim' },
    paths,
    components: { schemas: {} },
  };
}

const hashOf = (defs: readonly ResourceDef[], gv: string) =>
  createHash('sha256')
    .update(JSON.stringify(document(defs, gv)))
    .digest('hex')
    .slice(0, 32);

/** Answers /openapi/v3 and its group-version documents (CRDs' included); false for other paths. */
export function openapi(ctx: RequestContext, registry: ResourceRegistry): boolean {
  const defs = registry.all();
  const groupVersions = [...new Set(defs.map(groupPath))];
  if (ctx.path === '/openapi/v3') {
    sendJson(ctx.res, 200, {
      paths: Object.fromEntries(
        groupVersions.map((gv) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${hashOf(defs, gv)}` }]),
      ),
    });
    return true;
  }
  const gv = ctx.path.startsWith('/openapi/v3/') ? ctx.path.slice('/openapi/v3/'.length) : undefined;
  if (gv && groupVersions.includes(gv)) {
    sendJson(ctx.res, 200, document(defs, gv));
    return true;
  }
  return false;
}
