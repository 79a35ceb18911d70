/**
 * StatefulSets (the runbook's `eafix-postgres-replica`): read, scale (one patch carrying replicas and
 * the who/why annotations, skipped when already there) and set container env (the runbook's promotion
 * patch, `POSTGRES_ROLE=primary`), each checked against the current object first.
 */
import type { V1StatefulSet } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import { changeAnnotations } from './change-annotations.ts';
import type { ChangeMeta, StatefulSets } from './cluster.ts';
import { namespaceFor } from './cluster-targets.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { PATCH } from './kube-request.ts';
import type { StatefulSetScale, StatefulSetStatus } from './workload-types.ts';

function summarise(sts: V1StatefulSet): StatefulSetStatus {
  const desired = sts.spec?.replicas ?? 1;
  const st = sts.status;
  const containers = sts.spec?.template.spec?.containers ?? [];
  const ready = st?.readyReplicas ?? 0;
  const updated = st?.updatedReplicas ?? 0;
  return {
    name: sts.metadata?.name ?? '',
    desired,
    replicas: st?.replicas ?? 0,
    ready,
    updated,
    currentRevision: st?.currentRevision,
    updateRevision: st?.updateRevision,
    rolledOut:
      (st?.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0) &&
      updated === desired &&
      ready === desired &&
      (st?.replicas ?? 0) === desired,
    images: containers.map((c) => c.image ?? ''),
    env: Object.fromEntries(
      containers.map((c) => [
        c.name,
        Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value ?? ''])),
      ]),
    ),
  };
}

async function read(k: KubeContext, namespace: string, name: string): Promise<V1StatefulSet> {
  return k.requests.run({ verb: 'get', resource: 'statefulsets', namespace, name }, (o) =>
    k.apps.readNamespacedStatefulSet({ name, namespace }, o),
  );
}

export async function getStatefulSet(k: KubeContext, environment: string, name: string): Promise<StatefulSetStatus> {
  return summarise(await read(k, namespaceFor(k.topology, environment), name));
}

export async function scaleStatefulSet(
  k: KubeContext,
  environment: string,
  name: string,
  replicas: number,
  change: ChangeMeta,
): Promise<StatefulSetScale> {
  const namespace = namespaceFor(k.topology, environment);
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new AppError('invalid_replicas', `Replicas must be a whole number of 0 or more (got ${replicas}).`);
  return k.requests.retryOnConflict(`statefulset ${namespace}/${name}`, async () => {
    const sts = await read(k, namespace, name);
    const from = sts.spec?.replicas ?? 1;
    if (from === replicas) return { name, from, to: replicas, changed: false };
    const body = {
      metadata: {
        resourceVersion: sts.metadata?.resourceVersion,
        annotations: changeAnnotations(change, new Date(k.now())),
      },
      spec: { replicas },
    };
    await k.requests.write(
      { verb: 'patch', resource: 'statefulsets', namespace, name },
      (o) => k.apps.patchNamespacedStatefulSet({ name, namespace, body }, o),
      {
        contentType: PATCH.strategicMerge,
        impersonate: change.impersonate,
      },
    );
    k.logger.info(
      { namespace, statefulset: name, from, to: replicas, requestId: change.requestId },
      'statefulset scaled',
    );
    return { name, from, to: replicas, changed: true };
  });
}

/** Sets env values on one container of the pod template (a rolling update); no write when already set. */
export async function setStatefulSetEnv(
  k: KubeContext,
  environment: string,
  name: string,
  container: string,
  env: Readonly<Record<string, string>>,
  change: ChangeMeta,
): Promise<{ changed: boolean }> {
  const namespace = namespaceFor(k.topology, environment);
  return k.requests.retryOnConflict(`statefulset ${namespace}/${name}`, async () => {
    const sts = await read(k, namespace, name);
    const current = summarise(sts).env[container];
    if (!current)
      throw new AppError(
        'unknown_container',
        `The StatefulSet ${name} in ${environment} has no container "${container}".`,
      );
    if (Object.entries(env).every(([key, value]) => current[key] === value)) return { changed: false };
    // Strategic merge: containers merge by name and env by name, as `kubectl patch` does.
    const body = {
      metadata: {
        resourceVersion: sts.metadata?.resourceVersion,
        annotations: changeAnnotations(change, new Date(k.now())),
      },
      spec: {
        template: {
          spec: {
            containers: [{ name: container, env: Object.entries(env).map(([n, value]) => ({ name: n, value })) }],
          },
        },
      },
    };
    await k.requests.write(
      { verb: 'patch', resource: 'statefulsets', namespace, name },
      (o) => k.apps.patchNamespacedStatefulSet({ name, namespace, body }, o),
      {
        contentType: PATCH.strategicMerge,
        impersonate: change.impersonate,
      },
    );
    k.logger.info(
      { namespace, statefulset: name, container, keys: Object.keys(env), requestId: change.requestId },
      'statefulset env set',
    );
    return { changed: true };
  });
}

export const statefulSetOperations: KubeOperations<StatefulSets> = {
  getStatefulSet,
  scaleStatefulSet,
  setStatefulSetEnv,
};
