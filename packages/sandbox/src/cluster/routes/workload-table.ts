/**
 * Table columns for Jobs, StatefulSets and CRDs as the API server prints them, and the generic
 * printer for custom resources built from a CRD's additionalPrinterColumns.
 */
import type { K8sObject } from '../types.ts';
import type { Job } from '../job-types.ts';
import type { StatefulSet } from '../statefulset-controller.ts';
import { age, humanDuration, images, type Cell, type Column, type Printer } from './table.ts';

// A function declaration, not table.ts's `col`: this module and table.ts import each other.
function column(name: string, type: Column['type'] = 'string', priority = 0, format?: string): Column {
  return { name, type, priority, description: name, ...(format ? { format } : {}) };
}

function jobStatus(job: Job): string {
  const conditions = job.status?.conditions ?? [];
  const holds = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (holds('Complete')) return 'Complete';
  if (holds('Failed')) return 'Failed';
  if (job.spec.suspend) return 'Suspended';
  return 'Running';
}

function jobRow(job: Job, now: number): Cell[] {
  const st = job.status ?? {};
  const start = st.startTime ? Date.parse(st.startTime) : undefined;
  const end = st.completionTime ? Date.parse(st.completionTime) : now;
  const duration = start !== undefined ? humanDuration(end - start) : '';
  const completions = job.spec.completions ?? 1;
  return [
    job.metadata.name,
    jobStatus(job),
    `${st.succeeded ?? 0}/${completions}`,
    duration,
    age(job, now),
    ...images(job.spec.template),
    Object.entries(job.spec.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  ];
}

function statefulSetRow(sts: StatefulSet, now: number): Cell[] {
  return [
    sts.metadata.name,
    `${sts.status?.readyReplicas ?? 0}/${sts.spec.replicas ?? 1}`,
    age(sts, now),
    ...images(sts.spec.template),
  ];
}

export const WORKLOAD_PRINTERS: Record<string, Printer> = {
  jobs: {
    columns: [
      column('Name', 'string', 0, 'name'),
      column('Status'),
      column('Completions'),
      column('Duration'),
      column('Age'),
      column('Containers', 'string', 1),
      column('Images', 'string', 1),
      column('Selector', 'string', 1),
    ],
    row: (o, now) => jobRow(o as Job, now),
  },
  statefulsets: {
    columns: [
      column('Name', 'string', 0, 'name'),
      column('Ready'),
      column('Age'),
      column('Containers', 'string', 1),
      column('Images', 'string', 1),
    ],
    row: (o, now) => statefulSetRow(o as StatefulSet, now),
  },
  customresourcedefinitions: {
    columns: [column('Name', 'string', 0, 'name'), column('Created At', 'date')],
    row: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ''],
  },
};

function valueAt(obj: unknown, jsonPath: string): unknown {
  return jsonPath
    .replace(/^\./, '')
    .split('.')
    .reduce<unknown>(
      (cur, part) => (cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined),
      obj,
    );
}

/** The apiextensions table convertor: Name, each printer column (dates as ages), then Age. */
export function customPrinter(columns: { name: string; type: string; jsonPath: string; priority?: number }[]): Printer {
  const hasAge = columns.some((c) => c.name.toLowerCase() === 'age');
  return {
    columns: [
      column('Name', 'string', 0, 'name'),
      ...columns.map((c) =>
        column(c.name, c.type === 'integer' ? 'integer' : c.type === 'date' ? 'date' : 'string', c.priority ?? 0),
      ),
      ...(hasAge ? [] : [column('Age', 'date')]),
    ],
    row: (o: K8sObject, now: number): Cell[] => [
      o.metadata.name,
      ...columns.map((c) => {
        const v = valueAt(o, c.jsonPath);
        if (v === undefined || v === null) return '';
        if (c.type === 'date' && typeof v === 'string') return humanDuration(now - Date.parse(v));
        return typeof v === 'number' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
      }),
      ...(hasAge ? [] : [age(o, now)]),
    ],
  };
}
