import type { ChangeMeta } from '../../cluster/cluster.ts';
import type { ActionDeps } from './action-deps.ts';

export interface RunInputMeta {
  reason?: unknown;
  approvalId?: unknown;
}

/**
 * Who, why and which request, written onto every object a run changes; with impersonation configured,
 * the write also goes to the cluster as the requester's mapped Kubernetes identity.
 */
export async function changeMeta(deps: ActionDeps, requestedBy: string, requestId: string, input: RunInputMeta): Promise<ChangeMeta> {
  const meta: ChangeMeta = {
    requestedBy,
    reason: typeof input.reason === 'string' ? input.reason : '',
    requestId,
    ...(typeof input.approvalId === 'string' ? { approvalId: input.approvalId } : {}),
  };
  const mapping = deps.impersonation;
  if (!mapping || Object.keys(mapping).length === 0) return meta;
  const { roles } = await deps.authorizer.roles.rolesOf(requestedBy);
  const identity = roles.map((r) => mapping[r]).find((m) => m !== undefined);
  return identity ? { ...meta, impersonate: { user: identity.user, groups: identity.groups } } : meta;
}
