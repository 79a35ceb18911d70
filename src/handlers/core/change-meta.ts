import { AppError } from '../../app-error.ts';
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
 * the write also goes to the cluster as the requester's mapped Kubernetes identity: that of the first role
 * in `kubernetes.impersonate` (the policy's order) the requester holds. A requester whose roles map to no
 * identity (an unmapped role, the scheduler) writes as the bot's own account, as the generated RBAC allows.
 * When Slack cannot say which roles the requester holds, nothing is written: the bot's own account is no
 * stand-in for an identity it cannot pick (the step fails as upstream trouble and is tried again).
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
  const { roles, complete } = await deps.authorizer.roles.rolesOf(origin.requestedBy);
  const identity = Object.entries(mapping).find(([role]) => roles.includes(role))?.[1];
  if (identity) return { ...meta, impersonate: { user: identity.user, groups: identity.groups } };
  if (!complete)
    throw new AppError(
      'impersonation_unresolved',
      `I cannot tell which Kubernetes identity to act as for <@${origin.requestedBy}> (Slack did not answer for their user groups), so nothing was changed; I will try again.`,
      { kind: 'upstream' },
    );
  return meta;
}
