import { AppError } from '../../app-error.ts';
import type { ChangeMeta } from '../../cluster/cluster.ts';
import { isSlackUserId } from '../../permissions/slack-user.ts';
import type { ActionDeps } from './action-deps.ts';

/** Who asked and under which request and approval: what a run's step knows about its origin. */
export interface ChangeOrigin {
  requestedBy: string;
  requestId: string;
  approvalId?: string | undefined;
}

type Identity = NonNullable<ChangeMeta['impersonate']>;

/** How long an identity resolved while Slack answered stands in for one it cannot resolve now. */
const REMEMBERED_MS = 24 * 3600_000;
const MAX_REMEMBERED = 1_000;
/** The identity each requester last acted as, in this process: a run's later steps (a KPI monitor switching
 * back) keep acting as its requester while Slack's user groups do not answer. */
const remembered = new Map<string, { identity: Identity; at: number }>();

function remember(requester: string, identity: Identity, now: number): void {
  remembered.delete(requester);
  remembered.set(requester, { identity, at: now });
  if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
}

/**
 * Who, why and which request, written onto every object a run changes; with impersonation configured,
 * the write also goes to the cluster as the requester's mapped Kubernetes identity: that of the first role
 * in `kubernetes.impersonate` (the policy's order) the requester holds. A requester whose roles map to no
 * identity (an unmapped role), or who is no Slack user (the bot's schedules), writes as the bot's own
 * account, as the generated RBAC allows. When Slack cannot say which roles the requester holds, only what
 * is certain is used: a role held that no role listed before it could outrank, or else the identity this
 * process last resolved for them; failing both, nothing is written (the step fails as upstream trouble
 * and is tried again): the bot's own account is no stand-in for an identity it cannot pick.
 */
export async function changeMeta(
  deps: Pick<ActionDeps, 'impersonation' | 'authorizer'>,
  origin: ChangeOrigin,
  reason: string,
  now: () => number = Date.now,
): Promise<ChangeMeta> {
  const meta: ChangeMeta = {
    requestedBy: origin.requestedBy,
    reason,
    requestId: origin.requestId,
    ...(origin.approvalId ? { approvalId: origin.approvalId } : {}),
  };
  const mapping = deps.impersonation;
  if (!mapping || Object.keys(mapping).length === 0 || !isSlackUserId(origin.requestedBy)) return meta;
  const { roles, complete } = await deps.authorizer.roles.rolesOf(origin.requestedBy);
  for (const [role, mapped] of Object.entries(mapping)) {
    if (roles.includes(role)) {
      const identity = { user: mapped.user, groups: mapped.groups };
      if (complete) remember(origin.requestedBy, identity, now());
      return { ...meta, impersonate: identity };
    }
    // Not held, as far as Slack said: with a user group unanswered it may be, and it would come first.
    if (!complete) break;
  }
  if (complete) return meta;
  const last = remembered.get(origin.requestedBy);
  if (last && now() - last.at < REMEMBERED_MS) return { ...meta, impersonate: last.identity };
  throw new AppError(
    'impersonation_unresolved',
    `I cannot tell which Kubernetes identity to act as for <@${origin.requestedBy}> (Slack did not answer for their user groups), so nothing was changed; I will try again.`,
    { kind: 'upstream' },
  );
}
