/** Label and field selectors, parsed the way the API server accepts them. */
import { badRequest } from './status.ts';
import type { K8sObject, Labels } from './types.ts';

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type LabelPredicate = (labels: Labels | undefined) => boolean;

/** Splits on commas that are not inside `in (a,b)` parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

function parseTerm(term: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = (set[3] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    return { op: set[2] === 'in' ? 'in' : 'notin', key: set[1] ?? '', values };
  }
  const neq = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(term);
  if (neq) return { op: 'neq', key: neq[1] ?? '', value: neq[2] ?? '' };
  const eq = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(term);
  if (eq) return { op: 'eq', key: eq[1] ?? '', value: eq[2] ?? '' };
  const notExists = /^!\s*([^\s!=(),]+)$/.exec(term);
  if (notExists) return { op: 'notexists', key: notExists[1] ?? '' };
  if (/^[^\s!=(),]+$/.test(term)) return { op: 'exists', key: term };
  throw badRequest(`unable to parse requirement: invalid label selector term "${term}"`);
}

function matches(req: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'eq':
      return has && value === req.value;
    case 'neq':
      return !has || value !== req.value;
    case 'in':
      return has && req.values.includes(value ?? '');
    case 'notin':
      return !has || !req.values.includes(value ?? '');
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

export function parseLabelSelector(selector: string | undefined): LabelPredicate {
  if (!selector) return () => true;
  const reqs = splitTerms(selector).map(parseTerm);
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

/** True when every key/value of `selector` is present in `labels` (Service/matchLabels semantics). */
export function matchLabels(selector: Labels | undefined, labels: Labels | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function formatSelector(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function valueAtPath(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/** The field labels each resource supports, as the API server registers them; others answer 400. */
const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const FIELD_LABELS: Record<string, readonly string[]> = {
  pods: [
    ...COMMON_FIELDS,
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  events: [
    ...COMMON_FIELDS,
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  'events.k8s.io': [
    ...COMMON_FIELDS,
    'regarding.kind',
    'regarding.namespace',
    'regarding.name',
    'regarding.uid',
    'regarding.apiVersion',
    'reason',
    'reportingController',
    'type',
  ],
  namespaces: [...COMMON_FIELDS, 'status.phase'],
  jobs: [...COMMON_FIELDS, 'status.successful'],
};

/**
 * Field selectors (`metadata.name=x,status.phase!=Running`) on the field labels `resource` supports;
 * any other label is refused with the API server's 400.
 */
export function parseFieldSelector(
  selector: string | undefined,
  resource?: string,
  gvr?: string,
): (obj: K8sObject) => boolean {
  if (!selector) return () => true;
  const supported = resource ? (FIELD_LABELS[resource] ?? COMMON_FIELDS) : undefined;
  const reqs = splitTerms(selector).map((term) => {
    const m = /^([\w.]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const path = m[1] ?? '';
    if (supported && !supported.includes(path)) {
      throw badRequest(
        `Unable to find "${gvr ?? resource}" that match label selector "", field selector "${selector}": field label not supported: ${path}`,
      );
    }
    return { path: path === 'source' ? 'source.component' : path, negate: m[2] === '!=', value: m[3] ?? '' };
  });
  return (obj) =>
    reqs.every((r) => {
      const actual = valueAtPath(obj, r.path) ?? '';
      return r.negate ? actual !== r.value : actual === r.value;
    });
}
