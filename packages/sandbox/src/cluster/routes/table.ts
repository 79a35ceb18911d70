/**
 * Server-side printing: when a client asks for `application/json;as=Table;g=meta.k8s.io;v=v1` (as
 * kubectl get does), lists and gets answer with a meta.k8s.io Table carrying the API server's columns
 * for each kind, so `kubectl get` shows READY, STATUS, RESTARTS… and not just NAME and AGE.
 */
import { formatSelector } from '../selectors.ts';
import type { CoreEvent, Deployment, K8sObject, Pod, Service } from '../types.ts';
import type { ReplicaSet } from '../replicasets.ts';
import type { RequestContext } from './context.ts';
import type { ResourceDef } from './deps.ts';
import { WORKLOAD_PRINTERS, customPrinter } from './workload-table.ts';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  description: string;
  priority: number;
}

export type Cell = string | number;

export const col = (name: string, type: Column['type'] = 'string', priority = 0, format?: string): Column => ({
  name,
  type,
  priority,
  description: name,
  ...(format ? { format } : {}),
});

export function wantsTable(ctx: RequestContext): boolean {
  return /as=Table/.test(ctx.req.headers.accept ?? '');
}

/** Kubernetes' duration.HumanDuration: 45s, 3m20s, 17m, 5h10m, 30h, 4d2h, 120d, 3y10d. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / (24 * 365));
  if (y < 8) return `${y}y${Math.floor((h % (24 * 365)) / 24)}d`;
  return `${y}y`;
}

export function age(obj: K8sObject, now: number): string {
  const t = obj.metadata.creationTimestamp;
  return t ? humanDuration(now - Date.parse(t)) : '<unknown>';
}

function podRow(p: Pod, now: number): Cell[] {
  const statuses = p.status?.containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready).length;
  const waiting = statuses.find((c) => c.state.waiting)?.state.waiting?.reason;
  const terminated = statuses.find((c) => c.state.terminated)?.state.terminated?.reason;
  const status = p.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? terminated ?? p.status?.phase ?? 'Unknown');
  const restarts = statuses.reduce((n, c) => n + c.restartCount, 0);
  const lastFinished = statuses
    .map((c) => c.lastState.terminated?.finishedAt)
    .filter((t): t is string => Boolean(t))
    .sort()
    .at(-1);
  const restartCell =
    restarts > 0 && lastFinished
      ? `${restarts} (${humanDuration(now - Date.parse(lastFinished))} ago)`
      : String(restarts);
  return [
    p.metadata.name,
    `${ready}/${p.spec.containers.length}`,
    status,
    restartCell,
    age(p, now),
    p.status?.podIP ?? '<none>',
    p.spec.nodeName ?? '<none>',
    '<none>',
    '<none>',
  ];
}

export function images(template: { spec: { containers: { name: string; image: string }[] } }): [string, string] {
  return [
    template.spec.containers.map((c) => c.name).join(','),
    template.spec.containers.map((c) => c.image).join(','),
  ];
}

function deploymentRow(d: Deployment, now: number): Cell[] {
  const st = d.status ?? {};
  return [
    d.metadata.name,
    `${st.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`,
    st.updatedReplicas ?? 0,
    st.availableReplicas ?? 0,
    age(d, now),
    ...images(d.spec.template),
    formatSelector(d.spec.selector.matchLabels ?? {}),
  ];
}

function replicaSetRow(rs: ReplicaSet, now: number): Cell[] {
  const st = rs.status;
  return [
    rs.metadata.name,
    rs.spec.replicas,
    st?.replicas ?? 0,
    st?.readyReplicas ?? 0,
    age(rs, now),
    ...images(rs.spec.template),
    formatSelector(rs.spec.selector.matchLabels),
  ];
}

function serviceRow(s: Service, now: number): Cell[] {
  const ports = (s.spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>';
  return [
    s.metadata.name,
    s.spec.type ?? 'ClusterIP',
    s.spec.clusterIP ?? '<none>',
    '<none>',
    ports,
    age(s, now),
    formatSelector(s.spec.selector ?? {}) || '<none>',
  ];
}

function eventRow(e: CoreEvent, now: number): Cell[] {
  const last = e.lastTimestamp ? humanDuration(now - Date.parse(e.lastTimestamp)) : '<unknown>';
  const object = `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}`;
  return [last, e.type, e.reason, object, e.message];
}

function endpointsRow(ep: K8sObject, now: number): Cell[] {
  const subsets = (ep.subsets ?? []) as { addresses?: { ip: string }[]; ports?: { port: number }[] }[];
  const list = subsets.flatMap((s) =>
    (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => `${a.ip}:${p.port}`)),
  );
  const shown =
    list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',') || '<none>';
  return [ep.metadata.name, shown, age(ep, now)];
}

export interface Printer {
  columns: Column[];
  row: (obj: K8sObject, now: number) => Cell[];
}

const PRINTERS: Record<string, Printer> = {
  ...WORKLOAD_PRINTERS,
  pods: {
    columns: [
      col('Name', 'string', 0, 'name'),
      col('Ready'),
      col('Status'),
      col('Restarts'),
      col('Age'),
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    row: (o, now) => podRow(o as Pod, now),
  },
  deployments: {
    columns: [
      col('Name', 'string', 0, 'name'),
      col('Ready'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      col('Age'),
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    row: (o, now) => deploymentRow(o as Deployment, now),
  },
  replicasets: {
    columns: [
      col('Name', 'string', 0, 'name'),
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      col('Age'),
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    row: (o, now) => replicaSetRow(o as ReplicaSet, now),
  },
  services: {
    columns: [
      col('Name', 'string', 0, 'name'),
      col('Type'),
      col('Cluster-IP'),
      col('External-IP'),
      col('Port(s)'),
      col('Age'),
      col('Selector', 'string', 1),
    ],
    row: (o, now) => serviceRow(o as Service, now),
  },
  events: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
    row: (o, now) => eventRow(o as CoreEvent, now),
  },
  endpoints: { columns: [col('Name', 'string', 0, 'name'), col('Endpoints'), col('Age')], row: endpointsRow },
  namespaces: {
    columns: [col('Name', 'string', 0, 'name'), col('Status'), col('Age')],
    row: (o, now) => [
      o.metadata.name,
      String((o.status as { phase?: string } | undefined)?.phase ?? 'Active'),
      age(o, now),
    ],
  },
};

const DEFAULT_PRINTER = {
  columns: [col('Name', 'string', 0, 'name'), col('Age')],
  row: (o: K8sObject, now: number): Cell[] => [o.metadata.name, age(o, now)],
};

export function toTable(
  what: string | ResourceDef,
  objects: readonly K8sObject[],
  now: number,
  resourceVersion?: string,
): Record<string, unknown> {
  const resource = typeof what === 'string' ? what : what.resource;
  const custom = typeof what === 'string' ? undefined : what.printerColumns;
  const builtIn = typeof what === 'string' || what.storeKey === undefined;
  const printer = custom ? customPrinter(custom) : ((builtIn ? PRINTERS[resource] : undefined) ?? DEFAULT_PRINTER);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: printer.columns,
    rows: objects.map((o) => ({
      cells: printer.row(o, now),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
