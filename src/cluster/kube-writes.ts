/**
 * The three runbook writes: switch gateway traffic, scale, rollout restart. Each reads first and skips
 * the write when the cluster is already in the wanted state, so a resumed step changes nothing twice,
 * and each annotates the object it changed with who, why and which request.
 */
import { AppError } from '../app-error.ts';
import type {
  ChangeMeta,
  Colour,
  DeploymentChanges,
  RestartOptions,
  RestartResult,
  ScaleResult,
  TrafficSwitch,
} from './cluster.ts';
import { checkReplicas, isColour, namespaceFor, resolveTarget } from './cluster-targets.ts';
import { CHANGE_ANNOTATIONS, changeAnnotations, RESTARTED_AT_ANNOTATION } from './change-annotations.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { PATCH } from './kube-request.ts';
import { previousAnnotations, setColourImage } from './kube-colours.ts';

export async function switchTraffic(
  k: KubeContext,
  environment: string,
  colour: Colour,
  change: ChangeMeta,
): Promise<TrafficSwitch> {
  const namespace = namespaceFor(k.topology, environment);
  if (!isColour(colour)) {
    throw new AppError('unknown_colour', `"${String(colour)}" is not a gateway colour.`, {
      hints: ['Colours: blue, green'],
    });
  }
  const name = k.topology.gateway.service;
  const key = k.topology.gateway.selectorKey;
  let firstFrom: Colour | 'unknown' | undefined;
  const result = await k.requests.retryOnConflict(`service ${namespace}/${name}`, async (): Promise<TrafficSwitch> => {
    const service = await k.requests.run({ verb: 'get', resource: 'services', namespace, name }, (o) =>
      k.core.readNamespacedService({ name, namespace }, o),
    );
    const current = service.spec?.selector?.[key];
    const from: Colour | 'unknown' = current !== undefined && isColour(current) ? current : 'unknown';
    firstFrom ??= from;
    if (current === colour) {
      // Re-read after a write whose answer was lost: our own request id says that write landed.
      const ours =
        firstFrom !== from && service.metadata?.annotations?.[CHANGE_ANNOTATIONS.requestId] === change.requestId;
      return { changed: ours, from: ours ? firstFrom : from, to: colour };
    }
    // resourceVersion makes the patch conditional: `from` is what we actually switched away from, and
    // the Service records it (colour and version) for the next rollback.
    const body = {
      metadata: {
        resourceVersion: service.metadata?.resourceVersion,
        annotations: {
          ...changeAnnotations(change, new Date(k.now())),
          ...(await previousAnnotations(k, namespace, from)),
        },
      },
      spec: { selector: { [key]: colour } },
    };
    await k.requests.write(
      { verb: 'patch', resource: 'services', namespace, name },
      (o) => k.core.patchNamespacedService({ name, namespace, body }, o),
      { contentType: PATCH.strategicMerge, impersonate: change.impersonate },
    );
    return { changed: true, from, to: colour };
  });
  if (result.changed)
    k.logger.info(
      { namespace, service: name, from: result.from, to: colour, requestId: change.requestId },
      'gateway traffic switched',
    );
  return result;
}

export async function scale(
  k: KubeContext,
  environment: string,
  targetName: string,
  replicas: number,
  change: ChangeMeta,
  options: { isolate?: boolean } = {},
): Promise<ScaleResult> {
  const namespace = namespaceFor(k.topology, environment);
  const target = resolveTarget(k.topology, targetName);
  // Isolation (runbook: security containment) is the one way below a service's minimum: to zero.
  if (!(options.isolate && replicas === 0)) checkReplicas(target, replicas, environment);
  const name = target.deployment;
  // Replicas and the who/why annotations go in ONE patch of the Deployment, conditional on the
  // resourceVersion just read: the change and its record land together or not at all (a 409 means
  // someone else wrote in between, so re-read and decide again).
  let firstFrom: number | undefined;
  const result = await k.requests.retryOnConflict(`deployment ${namespace}/${name}`, async (): Promise<ScaleResult> => {
    const current = await k.requests.run({ verb: 'get', resource: 'deployments', namespace, name }, (o) =>
      k.apps.readNamespacedDeployment({ name, namespace }, o),
    );
    const from = current.spec?.replicas ?? 1;
    firstFrom ??= from;
    if (from === replicas) {
      // Re-read after a write whose answer was lost: our own request id says that write landed.
      const ours =
        firstFrom !== from && current.metadata?.annotations?.[CHANGE_ANNOTATIONS.requestId] === change.requestId;
      return { deployment: name, from: ours ? firstFrom : from, to: replicas, changed: ours };
    }
    const body = {
      metadata: {
        resourceVersion: current.metadata?.resourceVersion,
        annotations: changeAnnotations(change, new Date(k.now())),
      },
      spec: { replicas },
    };
    await k.requests.write(
      { verb: 'patch', resource: 'deployments', namespace, name },
      (o) => k.apps.patchNamespacedDeployment({ name, namespace, body }, o),
      { contentType: PATCH.merge, impersonate: change.impersonate },
    );
    return { deployment: name, from, to: replicas, changed: true };
  });
  if (result.changed)
    k.logger.info(
      { namespace, deployment: name, from: result.from, to: replicas, requestId: change.requestId },
      'deployment scaled',
    );
  return result;
}

export async function restart(
  k: KubeContext,
  environment: string,
  targetName: string,
  change: ChangeMeta,
  options: RestartOptions = {},
): Promise<RestartResult> {
  const namespace = namespaceFor(k.topology, environment);
  const target = resolveTarget(k.topology, targetName);
  const restartedAt = options.restartedAt ?? new Date(k.now()).toISOString();
  if (Number.isNaN(Date.parse(restartedAt))) {
    throw new AppError('invalid_restarted_at', `"${restartedAt}" is not a time (expected ISO 8601).`);
  }
  const name = target.deployment;
  // Re-read after a lost answer: the restartedAt on the template tells whether our write landed.
  let attempts = 0;
  const changed = await k.requests.retryOnConflict(`deployment ${namespace}/${name}`, async (): Promise<boolean> => {
    attempts++;
    const deployment = await k.requests.run({ verb: 'get', resource: 'deployments', namespace, name }, (o) =>
      k.apps.readNamespacedDeployment({ name, namespace }, o),
    );
    if (deployment.spec?.template.metadata?.annotations?.[RESTARTED_AT_ANNOTATION] === restartedAt) return attempts > 1;
    if (deployment.spec?.paused) {
      throw new AppError(
        'deployment_paused',
        `${target.name} in ${environment} is paused; a restart would not roll out until it is resumed.`,
      );
    }
    const body = {
      metadata: { annotations: changeAnnotations(change, new Date(k.now())) },
      spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } },
    };
    await k.requests.write(
      { verb: 'patch', resource: 'deployments', namespace, name },
      (o) => k.apps.patchNamespacedDeployment({ name, namespace, body }, o),
      { contentType: PATCH.strategicMerge, impersonate: change.impersonate },
    );
    return true;
  });
  if (!changed) return { deployment: name, restartedAt, changed: false };
  k.logger.info({ namespace, deployment: name, restartedAt, requestId: change.requestId }, 'deployment restarted');
  return { deployment: name, restartedAt, changed: true };
}

export const changeOperations: KubeOperations<DeploymentChanges> = { switchTraffic, setColourImage, scale, restart };
