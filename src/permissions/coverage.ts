import { matches, type RbacPolicy } from '../config/rbac-policy.ts';
import type { AnyAction } from '../handlers/core/define-action.ts';

/**
 * Policy and registry must agree: every permission pattern in the policy grants at least one action's
 * permission (catches typos that would silently grant nothing), and every action is runnable by some role.
 */
export function checkCoverage(rbac: RbacPolicy, actions: readonly AnyAction[]): string[] {
  const problems: string[] = [];
  const declared = [...new Set(actions.map((a) => a.permission))];
  const patterns = [
    ...Object.entries(rbac.roles).flatMap(([role, def]) => [
      ...def.permissions.map((p) => ({ p, where: `rbac.roles.${role}.permissions` })),
      ...def.approve.map((p) => ({ p, where: `rbac.roles.${role}.approve` })),
    ]),
    ...Object.keys(rbac.channelRestrictions).map((p) => ({ p, where: 'rbac.channelRestrictions' })),
    ...Object.keys(rbac.approvals.requiredApprovers).map((p) => ({ p, where: 'rbac.approvals.requiredApprovers' })),
  ];
  for (const { p, where } of patterns) {
    if (!declared.some((permission) => matches(p, permission))) {
      problems.push(`${where}: "${p}" matches no action's permission (known: ${declared.join(', ')})`);
    }
  }
  for (const action of actions) {
    const granted = Object.values(rbac.roles).some((role) =>
      role.permissions.some((p) => matches(p, action.permission)),
    );
    if (!granted) problems.push(`action "${action.id}": no role grants its permission "${action.permission}"`);
  }
  return problems;
}
