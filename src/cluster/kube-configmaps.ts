/**
 * ConfigMaps: read one, list by label, and write one (create, or replace the data with the change
 * annotations under optimistic concurrency). A write that would change nothing is skipped, so a resumed
 * step writes once; an immutable ConfigMap (a kept version) is created once and never rewritten.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import { changeAnnotations } from './change-annotations.ts';
import type { ChangeMeta, ConfigMaps } from './cluster.ts';
import { namespaceFor } from './cluster-targets.ts';
import type { ConfigMapSnapshot, ConfigMapWrite, ConfigMapWriteResult } from './configmap-types.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';

function snapshot(cm: V1ConfigMap): ConfigMapSnapshot {
  const created = cm.metadata?.creationTimestamp;
  return {
    name: cm.metadata?.name ?? '',
    data: { ...(cm.data ?? {}) },
    labels: { ...(cm.metadata?.labels ?? {}) },
    annotations: { ...(cm.metadata?.annotations ?? {}) },
    immutable: cm.immutable === true,
    createdAt: created ? new Date(created).toISOString() : undefined,
  };
}

async function read(k: KubeContext, namespace: string, name: string): Promise<V1ConfigMap | undefined> {
  try {
    return await k.requests.run({ verb: 'get', resource: 'configmaps', namespace, name }, (o) =>
      k.core.readNamespacedConfigMap({ name, namespace }, o),
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'cluster_not_found') return undefined;
    throw error;
  }
}

export async function getConfigMap(
  k: KubeContext,
  environment: string,
  name: string,
): Promise<ConfigMapSnapshot | undefined> {
  const cm = await read(k, namespaceFor(k.topology, environment), name);
  return cm ? snapshot(cm) : undefined;
}

export async function listConfigMaps(
  k: KubeContext,
  environment: string,
  labelSelector: string,
): Promise<ConfigMapSnapshot[]> {
  const namespace = namespaceFor(k.topology, environment);
  const list = await k.requests.run({ verb: 'list', resource: 'configmaps', namespace }, (o) =>
    k.core.listNamespacedConfigMap({ namespace, labelSelector }, o),
  );
  return list.items.map(snapshot);
}

const sameData = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

const holds = (have: Record<string, string>, want: Readonly<Record<string, string>>) =>
  Object.entries(want).every(([key, value]) => have[key] === value);

export async function putConfigMap(
  k: KubeContext,
  environment: string,
  write: ConfigMapWrite,
  change: ChangeMeta,
): Promise<ConfigMapWriteResult> {
  const namespace = namespaceFor(k.topology, environment);
  const { name } = write;
  return k.requests.retryOnConflict(`configmap ${namespace}/${name}`, async () => {
    const current = await read(k, namespace, name);
    const extra = { ...write.annotations };
    if (current) {
      const have = snapshot(current);
      if (have.immutable || (sameData(have.data, write.data) && holds(have.annotations, extra)))
        return { name, changed: false, created: false };
    }
    const annotations = Object.fromEntries(
      Object.entries({
        ...current?.metadata?.annotations,
        ...changeAnnotations(change, new Date(k.now())),
        ...extra,
      }).filter((entry): entry is [string, string] => entry[1] !== null),
    );
    const body: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        labels: { ...current?.metadata?.labels, ...write.labels },
        annotations,
        ...(current?.metadata?.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      data: { ...write.data },
      ...(write.immutable && !current ? { immutable: true } : {}),
    };
    const opts = { impersonate: change.impersonate };
    if (current)
      await k.requests.write(
        { verb: 'update', resource: 'configmaps', namespace, name },
        (o) => k.core.replaceNamespacedConfigMap({ name, namespace, body }, o),
        opts,
      );
    else
      await k.requests.write(
        { verb: 'create', resource: 'configmaps', namespace, name },
        (o) => k.core.createNamespacedConfigMap({ namespace, body }, o),
        opts,
      );
    return { name, changed: true, created: !current };
  });
}

export const configMapOperations: KubeOperations<ConfigMaps> = { getConfigMap, listConfigMaps, putConfigMap };
