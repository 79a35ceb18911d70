/** Shared state the route handlers work on. */
import type { ServerResponse } from 'node:http';
import type { AccessControl } from '../access.ts';
import type { IdGenerator } from '../ids.ts';
import type { Kubelet } from '../kubelet.ts';
import type { ResourceRegistry } from '../registry.ts';
import type { Workloads } from '../workloads.ts';
import type { Store } from '../store.ts';
import type { Timing } from '../timing.ts';
import type { ResourceKind } from '../types.ts';

export interface ApiDeps {
  store: Store;
  kubelet: Kubelet;
  access: AccessControl;
  timing: Timing;
  clock: () => number;
  ids: IdGenerator;
  /** Built-in resources plus those served from CustomResourceDefinitions. */
  registry: ResourceRegistry;
  /** Jobs, StatefulSets, namespaces, Velero: admission, deletion and job pod logs. */
  workloads: Workloads;
  /** Open watch responses, ended on stop. */
  watches: Set<ServerResponse>;
}

export interface ResourceDef {
  /** The REST plural in URLs (a custom resource's store bucket is `storeKey`). */
  resource: string;
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames?: string[];
  /** Where the store keeps them (custom resources: `plural.group`); default `resource`. */
  storeKey?: ResourceKind;
  singular?: string;
  /** Served subresources besides the main object. */
  subresources?: { status?: boolean; scale?: boolean };
  /** A CRD's additionalPrinterColumns (jsonPath into the object) for Table responses. */
  printerColumns?: { name: string; type: string; jsonPath: string; priority?: number }[];
  categories?: string[];
}

/** The store bucket of a resource. */
export function keyOf(def: ResourceDef): ResourceKind {
  return def.storeKey ?? (def.resource as ResourceKind);
}

const READ = ['get', 'list', 'watch'] as const;
const WRITE = ['create', 'update', 'patch', 'delete'] as const;

export const RESOURCES: readonly ResourceDef[] = [
  {
    resource: 'deployments',
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    namespaced: true,
    verbs: [...READ, 'update', 'patch'],
    shortNames: ['deploy'],
  },
  {
    resource: 'replicasets',
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    namespaced: true,
    verbs: READ,
    shortNames: ['rs'],
  },
  {
    resource: 'pods',
    group: '',
    version: 'v1',
    kind: 'Pod',
    namespaced: true,
    verbs: [...READ, 'delete'],
    shortNames: ['po'],
  },
  {
    resource: 'services',
    group: '',
    version: 'v1',
    kind: 'Service',
    namespaced: true,
    verbs: [...READ, 'update', 'patch'],
    shortNames: ['svc'],
  },
  {
    resource: 'endpoints',
    group: '',
    version: 'v1',
    kind: 'Endpoints',
    namespaced: true,
    verbs: READ,
    shortNames: ['ep'],
  },
  { resource: 'events', group: '', version: 'v1', kind: 'Event', namespaced: true, verbs: READ, shortNames: ['ev'] },
  {
    resource: 'namespaces',
    group: '',
    version: 'v1',
    kind: 'Namespace',
    namespaced: false,
    verbs: [...READ, 'create', 'delete'],
    shortNames: ['ns'],
  },
  {
    resource: 'jobs',
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    namespaced: true,
    verbs: [...READ, ...WRITE],
    subresources: { status: true },
    categories: ['all'],
  },
  {
    resource: 'statefulsets',
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    namespaced: true,
    verbs: [...READ, ...WRITE],
    shortNames: ['sts'],
    subresources: { status: true, scale: true },
    categories: ['all'],
  },
  {
    resource: 'configmaps',
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    namespaced: true,
    verbs: [...READ, ...WRITE],
    shortNames: ['cm'],
  },
  {
    resource: 'customresourcedefinitions',
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    verbs: [...READ, ...WRITE],
    shortNames: ['crd', 'crds'],
    subresources: { status: true },
  },
];
