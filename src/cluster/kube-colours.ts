/**
 * Blue/green bookkeeping kept on the cluster itself: the gateway Service's annotations record the colour
 * (and its version) traffic last came from, so a rollback returns to the *previous* colour, whichever it
 * is; a colour's version is its image tag, set on its Deployment by a deploy with a recorded change cause.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import type { ChangeMeta, Colour, ColourImageChange } from './cluster.ts';
import { isColour, namespaceFor } from './cluster-targets.ts';
import { changeAnnotations } from './change-annotations.ts';
import { imageTag } from './image-tag.ts';
import type { KubeContext } from './kube-context.ts';
import { PATCH } from './kube-request.ts';

export const COLOUR_ANNOTATIONS = {
  previousColour: 'eafix.io/previous-colour',
  previousVersion: 'eafix.io/previous-version',
  version: 'eafix.io/version',
  changeCause: 'kubernetes.io/change-cause',
} as const;

export function deploymentVersion(d: V1Deployment | undefined): string | undefined {
  return (
    d?.metadata?.annotations?.[COLOUR_ANNOTATIONS.version] ?? imageTag(d?.spec?.template?.spec?.containers?.[0]?.image)
  );
}

async function readColour(k: KubeContext, namespace: string, colour: Colour): Promise<V1Deployment> {
  const name = k.topology.colours[colour].deployment;
  return k.requests.run({ verb: 'get', resource: 'deployments', namespace, name }, (o) =>
    k.apps.readNamespacedDeployment({ name, namespace }, o),
  );
}

/** What the Service's annotations say about the colour before the live one. */
export function previousOf(
  annotations: Record<string, string> | undefined,
): { colour: Colour; version?: string } | undefined {
  const colour = annotations?.[COLOUR_ANNOTATIONS.previousColour];
  if (!colour || !isColour(colour)) return undefined;
  const version = annotations?.[COLOUR_ANNOTATIONS.previousVersion];
  return { colour, ...(version ? { version } : {}) };
}

/** The annotations a traffic switch away from `from` adds: the colour and version it leaves. */
export async function previousAnnotations(
  k: KubeContext,
  namespace: string,
  from: Colour | 'unknown',
): Promise<Record<string, string | null>> {
  if (from === 'unknown') return {};
  const version = deploymentVersion(await readColour(k, namespace, from));
  return { [COLOUR_ANNOTATIONS.previousColour]: from, [COLOUR_ANNOTATIONS.previousVersion]: version ?? null };
}

/**
 * Sets a colour's Deployment to `image` (its first container), recording the version and the change
 * cause, in one strategic-merge patch; no write when it already runs that image and version.
 */
export async function setColourImage(
  k: KubeContext,
  environment: string,
  colour: Colour,
  target: { image: string; version: string },
  change: ChangeMeta,
): Promise<ColourImageChange> {
  const namespace = namespaceFor(k.topology, environment);
  if (!isColour(colour))
    throw new AppError('unknown_colour', `"${String(colour)}" is not a gateway colour.`, {
      hints: ['Colours: blue, green'],
    });
  const name = k.topology.colours[colour].deployment;
  return k.requests.retryOnConflict(`deployment ${namespace}/${name}`, async (): Promise<ColourImageChange> => {
    const current = await readColour(k, namespace, colour);
    const container = current.spec?.template.spec?.containers[0];
    if (!container) throw new AppError('no_container', `${name} in ${environment} has no container to update.`);
    const fromImage = container.image ?? '';
    const fromVersion = deploymentVersion(current);
    if (fromImage === target.image && fromVersion === target.version)
      return { deployment: name, fromImage, toImage: target.image, fromVersion, changed: false };
    const body = {
      metadata: {
        resourceVersion: current.metadata?.resourceVersion,
        annotations: {
          ...changeAnnotations(change, new Date(k.now())),
          [COLOUR_ANNOTATIONS.version]: target.version,
          [COLOUR_ANNOTATIONS.changeCause]:
            `eafix deploy ${target.version} by ${change.requestedBy}: ${change.reason}`.slice(0, 250),
        },
      },
      spec: { template: { spec: { containers: [{ name: container.name, image: target.image }] } } },
    };
    await k.requests.write(
      { verb: 'patch', resource: 'deployments', namespace, name },
      (o) => k.apps.patchNamespacedDeployment({ name, namespace, body }, o),
      { contentType: PATCH.strategicMerge, impersonate: change.impersonate },
    );
    k.logger.info(
      { namespace, deployment: name, image: target.image, requestId: change.requestId },
      'colour image set',
    );
    return { deployment: name, fromImage, toImage: target.image, fromVersion, changed: true };
  });
}
