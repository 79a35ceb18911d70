/** Shared state the route handlers work on. */
import type { ServerResponse } from 'node:http';
import type { AccessControl } from '../access.ts';
import type { Kubelet } from '../kubelet.ts';
import type { Store } from '../store.ts';
import type { Timing } from '../timing.ts';
import type { ResourceKind } from '../types.ts';

export interface ApiDeps {
  store: Store;
  kubelet: Kubelet;
  access: AccessControl;
  timing: Timing;
  clock: () => number;
  /** Open watch responses, ended on stop. */
  watches: Set<ServerResponse>;
}

export interface ResourceDef {
  resource: ResourceKind;
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames?: string[];
}

const READ = ['get', 'list', 'watch'] as const;

export const RESOURCES: readonly ResourceDef[] = [
  { resource: 'deployments', group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true, verbs: [...READ, 'update', 'patch'], shortNames: ['deploy'] },
  { resource: 'replicasets', group: 'apps', version: 'v1', kind: 'ReplicaSet', namespaced: true, verbs: READ, shortNames: ['rs'] },
  { resource: 'pods', group: '', version: 'v1', kind: 'Pod', namespaced: true, verbs: [...READ, 'delete'], shortNames: ['po'] },
  { resource: 'services', group: '', version: 'v1', kind: 'Service', namespaced: true, verbs: [...READ, 'update', 'patch'], shortNames: ['svc'] },
  { resource: 'endpoints', group: '', version: 'v1', kind: 'Endpoints', namespaced: true, verbs: READ, shortNames: ['ep'] },
  { resource: 'events', group: '', version: 'v1', kind: 'Event', namespaced: true, verbs: READ, shortNames: ['ev'] },
  { resource: 'namespaces', group: '', version: 'v1', kind: 'Namespace', namespaced: false, verbs: READ, shortNames: ['ns'] },
];

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}
