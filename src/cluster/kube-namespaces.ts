/**
 * Scratch namespaces (a backup's test restore, the DR drill): deleted and waited for until Kubernetes
 * has finalised them. Only the names in SCRATCH_NAMESPACES may be deleted, so no typo and no input can
 * ever remove an environment's namespace.
 */
import { AppError } from '../app-error.ts';
import type { ChangeMeta, ScratchNamespaces } from './cluster.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { poll } from './kube-waits.ts';
import { SCRATCH_NAMESPACES, type NamespaceDeletion, type WaitForNamespaceOptions } from './workload-types.ts';

function checkScratch(k: KubeContext, name: string): void {
  const environments = Object.values(k.topology.environments).map((e) => e.namespace);
  if ((SCRATCH_NAMESPACES as readonly string[]).includes(name) && !environments.includes(name)) return;
  throw new AppError('namespace_not_scratch', `The namespace ${name} is not a scratch namespace; it was not deleted.`, {
    hints: [`Only these may be deleted by the bot: ${SCRATCH_NAMESPACES.join(', ')}`],
  });
}

async function phaseOf(k: KubeContext, name: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const ns = await k.requests.run(
      { verb: 'get', resource: 'namespaces', name },
      (o) => k.core.readNamespace({ name }, o),
      { signal },
    );
    return ns.status?.phase ?? 'Active';
  } catch (error) {
    if (error instanceof AppError && error.code === 'cluster_not_found') return undefined;
    throw error;
  }
}

/** The namespace's phase (Active, Terminating), or undefined when there is none. */
export function namespacePhase(k: KubeContext, name: string): Promise<string | undefined> {
  return phaseOf(k, name);
}

/** Deletes a scratch namespace and waits until it is gone; `existed` false when there was none. */
export async function deleteScratchNamespace(
  k: KubeContext,
  name: string,
  change: ChangeMeta,
  opts: WaitForNamespaceOptions,
): Promise<NamespaceDeletion> {
  checkScratch(k, name);
  let existed = true;
  try {
    await k.requests.write(
      { verb: 'delete', resource: 'namespaces', name },
      (o) => k.core.deleteNamespace({ name, propagationPolicy: 'Background' }, o),
      { impersonate: change.impersonate, signal: opts.signal },
    );
    k.logger.info({ namespace: name, requestId: change.requestId }, 'scratch namespace deleted');
  } catch (error) {
    // A lost answer: the wait below finds out whether the namespace goes.
    if (error instanceof AppError && error.code === 'cluster_write_unknown') existed = true;
    else if (error instanceof AppError && error.code === 'cluster_not_found') existed = false;
    else throw error;
  }
  await poll({
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    pollIntervalMs: k.pollIntervalMs,
    check: async (signal) => ((await phaseOf(k, name, signal)) === undefined ? true : undefined),
    timedOut: (lastError) =>
      lastError ??
      new AppError(
        'namespace_not_deleted',
        `The namespace ${name} was still terminating after ${Math.round(opts.timeoutMs / 1000)} s.`,
        { kind: 'upstream', hints: [`Look for stuck finalizers: kubectl get namespace ${name} -o yaml`] },
      ),
  });
  return { name, existed };
}

export const namespaceOperations: KubeOperations<ScratchNamespaces> = { namespacePhase, deleteScratchNamespace };
