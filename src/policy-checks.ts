import type { Policy } from './config/policy.ts';
import { tokenize } from './handlers/core/command-parser.ts';
import { ActionRegistry } from './handlers/core/registry.ts';
import { allActions } from './handlers/actions.ts';
import { checkCoverage } from './permissions/coverage.ts';

/**
 * The checks that need the action registry or span sections, beyond the policy's schema: RBAC coverage,
 * containment buttons naming real actions, digests naming real environments, impersonation naming real
 * roles. The bot refuses to start on an error and starts with a warning (a button it does not show);
 * `eafix check-config` lists both, offline.
 */
export function checkPolicyReferences(
  policy: Partial<Policy>,
  registry = new ActionRegistry(allActions),
): { errors: string[]; warnings: string[] } {
  // Each check runs when the sections it reads are valid, so one run lists every problem.
  const problems = policy.rbac ? checkCoverage(policy.rbac, registry.actions).map((p) => `rbac coverage: ${p}`) : [];
  const warnings: string[] = [];
  policy.incidents?.containmentActions.forEach((action, i) => {
    if (!knowsCommand(registry, action.command.replaceAll('{system}', 'x').replaceAll('{incident}', 'x'))) {
      warnings.push(
        `incidents.containmentActions.${i}.command: "${action.command}" names no action, so its button is not shown`,
      );
    }
  });
  const environments = Object.keys(policy.topology?.environments ?? {});
  policy.digests?.forEach((digest, i) => {
    if (policy.topology && !environments.includes(digest.environment)) {
      problems.push(
        `digests.${i}.environment: "${digest.environment}" is not an environment of the topology (known: ${environments.join(', ')})`,
      );
    }
  });
  const reports = policy.reports;
  for (const [path, environment] of [
    ['reports.securityChecklist.environment', reports?.securityChecklist.environment],
    ['reports.performance.environment', reports?.performance.environment],
  ] as const) {
    if (policy.topology && environment !== undefined && !environments.includes(environment))
      problems.push(
        `${path}: "${environment}" is not an environment of the topology (known: ${environments.join(', ')})`,
      );
  }
  const dr = policy.disasterRecovery;
  if (dr && policy.topology) {
    for (const name of ['fullBackup', 'hourlyBackup', 'verification', 'drill'] as const) {
      const { environment, enabled } = dr[name];
      if (enabled && !environments.includes(environment))
        problems.push(
          `disasterRecovery.${name}.environment: "${environment}" is not an environment of the topology (known: ${environments.join(', ')})`,
        );
    }
    if (!environments.includes(dr.site.environment))
      warnings.push(
        `disasterRecovery.site.environment: "${dr.site.environment}" is not an environment of the topology, so \`dr activate-site\` cannot run`,
      );
  }
  for (const role of Object.keys(policy.kubernetes?.impersonate ?? {})) {
    if (policy.rbac && !policy.rbac.roles[role])
      problems.push(`kubernetes.impersonate.${role}: there is no role "${role}" in rbac.roles`);
  }
  return { errors: problems, warnings };
}

/** True when a command line resolves to an action of the registry. */
export function knowsCommand(registry: ActionRegistry, command: string): boolean {
  try {
    return Boolean(registry.resolve(tokenize(command)));
  } catch {
    return false;
  }
}
