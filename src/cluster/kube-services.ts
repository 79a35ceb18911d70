/**
 * Pointing a Service at other pods (the runbook's `kubectl patch service eafix-postgres` after a
 * promotion): a strategic-merge patch of the selector keys given, with the who/why annotations, made
 * against the resourceVersion read so a concurrent change is re-read, never overwritten.
 */
import type { ChangeMeta, ServiceSelectorChange, ServiceSelectors } from './cluster.ts';
import { changeAnnotations } from './change-annotations.ts';
import { namespaceFor } from './cluster-targets.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { PATCH } from './kube-request.ts';

export async function setServiceSelector(
  k: KubeContext,
  environment: string,
  name: string,
  selector: Readonly<Record<string, string>>,
  change: ChangeMeta,
): Promise<ServiceSelectorChange> {
  const namespace = namespaceFor(k.topology, environment);
  return k.requests.retryOnConflict(`service ${namespace}/${name}`, async () => {
    const service = await k.requests.run({ verb: 'get', resource: 'services', namespace, name }, (o) =>
      k.core.readNamespacedService({ name, namespace }, o),
    );
    const from = { ...(service.spec?.selector ?? {}) };
    const to = { ...from, ...selector };
    // Written even when the keys already match: the annotations record that this request repointed it.
    const body = {
      metadata: {
        resourceVersion: service.metadata?.resourceVersion,
        annotations: changeAnnotations(change, new Date(k.now())),
      },
      spec: { selector: { ...selector } },
    };
    await k.requests.write(
      { verb: 'patch', resource: 'services', namespace, name },
      (o) => k.core.patchNamespacedService({ name, namespace, body }, o),
      { contentType: PATCH.strategicMerge, impersonate: change.impersonate },
    );
    k.logger.info({ namespace, service: name, from, to, requestId: change.requestId }, 'service selector set');
    return { service: name, from, to, changed: JSON.stringify(from) !== JSON.stringify(to) };
  });
}

export const serviceSelectorOperations: KubeOperations<ServiceSelectors> = { setServiceSelector };
