/**
 * The three patch formats the API server accepts for built-in types:
 * JSON merge patch (RFC 7386), strategic merge patch (merge-key aware lists
 * and `$patch` directives) and JSON patch (RFC 6902).
 */
import { ApiError, badRequest } from './status.ts';

export const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;
export type PatchContentType = (typeof PATCH_CONTENT_TYPES)[number];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as Json;
  }
  return out;
}

/** Merge keys of the list fields that carry `patchMergeKey` in the Kubernetes API. */
const MERGE_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  imagePullSecrets: ['name'],
  conditions: ['type'],
  ownerReferences: ['uid'],
  ports: ['containerPort', 'port'],
  hostAliases: ['ip'],
};

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  const candidates = MERGE_KEYS[field];
  if (!candidates) return undefined;
  return candidates.find((k) => items.some((i) => isObject(i) && k in i)) ?? candidates[0];
}

function strategicList(field: string, target: Json[] | undefined, patch: Json[]): Json[] {
  const mergeKey = mergeKeyFor(field, [...patch, ...(target ?? [])]);
  if (!mergeKey || !patch.every(isObject)) return structuredClone(patch);
  const out: Json[] = structuredClone(target ?? []);
  for (const item of patch as JsonObject[]) {
    const { $patch: directive, ...rest } = item;
    const idx = out.findIndex((t) => isObject(t) && t[mergeKey] === item[mergeKey]);
    if (directive === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (directive === 'replace') {
      if (idx >= 0) out[idx] = rest;
      else out.push(rest);
    } else if (idx >= 0) {
      out[idx] = strategicMerge(out[idx], rest, field) as Json;
    } else {
      out.push(strategicMerge(undefined, rest, field) as Json);
    }
  }
  return out;
}

export function strategicMerge(target: unknown, patch: unknown, _field = ''): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const directive = patch['$patch'];
  if (directive === 'delete') return undefined;
  const base: JsonObject = directive === 'replace' || !isObject(target) ? {} : { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const current = base[field];
      if (Array.isArray(current) && Array.isArray(v)) base[field] = current.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete base[k];
    } else if (Array.isArray(v)) {
      const current = base[k];
      base[k] = strategicList(k, Array.isArray(current) ? current : undefined, v);
    } else {
      const merged = strategicMerge(base[k], v, k);
      if (merged === undefined) delete base[k];
      else base[k] = merged as Json;
    }
  }
  if (Array.isArray(patch['$retainKeys'])) {
    const keep = new Set(patch['$retainKeys'].map(String));
    for (const k of Object.keys(base)) if (!keep.has(k)) delete base[k];
  }
  return base;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`json patch: invalid pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function unprocessable(message: string): ApiError {
  return new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);
}

function parentOf(doc: unknown, parts: string[], path: string): { parent: JsonObject | Json[]; last: string } {
  let cur: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObject(cur)) cur = cur[part];
    else cur = undefined;
    if (cur === undefined) throw unprocessable(`doc is missing path: "${path}"`);
  }
  if (!isObject(cur) && !Array.isArray(cur)) throw unprocessable(`doc is missing path: "${path}"`);
  return { parent: cur, last: parts[parts.length - 1] ?? '' };
}

function arrayIndex(arr: Json[], last: string, path: string, forInsert: boolean): number {
  if (forInsert && last === '-') return arr.length;
  const i = Number(last);
  const max = forInsert ? arr.length : arr.length - 1;
  if (!/^\d+$/.test(last) || i > max) throw unprocessable(`invalid array index ${last} in "${path}"`);
  return i;
}

function getAt(doc: unknown, path: string): unknown {
  const parts = parsePointer(path);
  if (parts.length === 0) return doc;
  const { parent, last } = parentOf(doc, parts, path);
  const v = Array.isArray(parent) ? parent[arrayIndex(parent, last, path, false)] : parent[last];
  if (v === undefined) throw unprocessable(`doc is missing path: "${path}"`);
  return v;
}

function removeAt(doc: unknown, path: string): unknown {
  const parts = parsePointer(path);
  const { parent, last } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, path, false), 1)[0];
  if (!(last in parent)) throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const parts = parsePointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, last } = parentOf(doc, parts, path);
  const v = structuredClone(value) as Json;
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, path, !replace);
    parent.splice(i, replace ? 1 : 0, v);
  } else {
    if (replace && !(last in parent))
      throw unprocessable(`replace operation does not apply: doc is missing key: ${path}`);
    parent[last] = v;
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc: unknown = structuredClone(target);
  for (const raw of ops as JsonPatchOp[]) {
    if (!isObject(raw) || typeof raw.path !== 'string') throw badRequest('json patch: operation needs "op" and "path"');
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, raw.path, raw.value, false);
        break;
      case 'replace':
        doc = addAt(doc, raw.path, raw.value, true);
        break;
      case 'remove':
        removeAt(doc, raw.path);
        break;
      case 'move': {
        const v = removeAt(doc, String(raw.from));
        doc = addAt(doc, raw.path, v, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, raw.path, getAt(doc, String(raw.from)), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, raw.path)) !== JSON.stringify(raw.value)) {
          throw unprocessable(`testing value ${raw.path} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`json patch: unexpected operation "${String(raw.op)}"`);
    }
  }
  return doc;
}

export function isPatchContentType(value: string): value is PatchContentType {
  return (PATCH_CONTENT_TYPES as readonly string[]).includes(value);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format ("${contentType}") - accepted media types include: ${PATCH_CONTENT_TYPES.join(', ')}`,
  );
}

/** Applies a patch body of the given content type; the caller validates the result. */
export function applyPatch(target: unknown, body: unknown, contentType: string): unknown {
  switch (contentType) {
    case 'application/json-patch+json':
      return jsonPatch(target, body);
    case 'application/merge-patch+json':
      if (!isObject(body)) throw badRequest('merge patch must be a JSON object');
      return mergePatch(target, body);
    case 'application/strategic-merge-patch+json':
      if (!isObject(body)) throw badRequest('strategic merge patch must be a JSON object');
      return strategicMerge(target, body);
    default:
      throw unsupportedMediaType(contentType);
  }
}
