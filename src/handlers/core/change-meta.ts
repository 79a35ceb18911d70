import type { ChangeMeta } from '../../cluster/cluster.ts';
import type { ActionDeps } from './action-deps.ts';

/** Who asked and under which request and approval: what a run's step knows about its origin. */
export interface ChangeOrigin {
  requestedBy: string;
  requestId: string;
  approvalId?: string | undefined;
}

/**
 * Who, why and which request, written onto every object a run changes; with impersonation configured,
 * the write also goes to the cluster as the requester's mapped Kubernetes identity.
 */
export async function changeMeta(
  deps: Pick<ActionDeps, 'impersonation' | 'authorizer'>,
  origin: ChangeOrigin,
  reason: string,
): Promise<ChangeMeta> {
  const meta: ChangeMeta = {
    requestedBy: origin.requestedBy,
    reason,
    requestId: origin.requestId,
    ...(origin.approvalId ? { approvalId: origin.approvalId } : {}),
  };
  const mapping = deps.impersonation;
  if (!mapping || Object.keys(mapping).length === 0) return meta;
  const { roles } = await deps.authorizer.roles.rolesOf(origin.requestedBy);
  const identity = roles.map((r) => mapping[r]).find((m) => m !== undefined);
  return identity ? { ...meta, impersonate: { user: identity.user, groups: identity.groups } } : meta;
}
