/**
 * The runbook's `cert-manager-check.sh --renew-if-needed`: the environment's cert-manager Certificates
 * expiring within the policy's horizon, each renewed with `cmctl renew` (a platform Job) when the policy
 * allows, and named in the step's summary either way.
 */
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import type { StepResult } from '../../jobs/run-definition.ts';
import type { ActionStep } from '../core/define-action.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import type { WindowRunInput } from './window-input.ts';

type Ctx = Parameters<ActionStep<WindowRunInput>['run']>[0];

export async function certificateCheck(ctx: Ctx): Promise<StepResult> {
  const { deps, input } = ctx;
  const { expiringWithin, renew } = deps.maintenance.policy.certificates;
  const horizon = deps.now().getTime() + expiringWithin;
  const certificates = await deps.cluster.listCertificates(input.environment);
  const expiring = certificates.filter((c) => c.notAfter !== undefined && c.notAfter.getTime() <= horizon);
  if (expiring.length === 0)
    return {
      summary: `${certificates.length} certificate(s), none expiring within ${Math.round(expiringWithin / 86_400_000)} days`,
    };
  const names = expiring.map((c) => `${c.name} (${c.notAfter?.toISOString().slice(0, 10)})`).join(', ');
  if (!renew) return { summary: `expiring soon, not renewed (policy): ${names}`, output: { expiring: names } };
  const namespace = namespaceFor(deps.topology, input.environment);
  for (const cert of expiring)
    await runPlatformCommand(ctx, {
      environment: input.environment,
      step: `renew-${cert.name}`,
      argv: ['cmctl', 'renew', cert.name, '-n', namespace],
      reason: `${input.window} maintenance window: certificate expires ${cert.notAfter?.toISOString() ?? 'soon'}`,
    });
  return { summary: `renewal requested for ${names}`, output: { renewed: expiring.map((c) => c.name) } };
}
