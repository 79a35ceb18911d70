/**
 * The runbook's `kubectl apply -f maintenance/security-patches.yaml` (and security-updates.yaml) as a
 * server-side apply in a platform Job, with its `kubectl diff --server-side` for the plan: the source is
 * the policy's (a path in the toolbox image or a URL), argv words only, never a shell string.
 */
import { AppError } from '../../app-error.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { runPlatformCommand, type PlatformCommandContext } from '../core/platform-command.ts';

export type ManifestSet = 'securityPatches' | 'securityUpdates';

export function applyArgv(deps: Pick<ActionDeps, 'maintenance'>, set: ManifestSet, verb: 'apply' | 'diff'): string[] {
  const { fieldManager } = deps.maintenance.policy;
  return [
    'kubectl',
    verb,
    '--server-side',
    `--field-manager=${fieldManager}`,
    '-f',
    deps.maintenance.policy[set].source,
  ];
}

const MAX_DIFF_LINES = 40;

/** What applying the set would change now (`kubectl diff` exits 1 when something differs, >1 on errors). */
export async function manifestDiff(
  ctx: PlatformCommandContext & { deps: PlatformCommandContext['deps'] & Pick<ActionDeps, 'maintenance'> },
  environment: string,
  set: ManifestSet,
): Promise<string> {
  const result = await runPlatformCommand(ctx, {
    environment,
    step: `diff-${set === 'securityPatches' ? 'patches' : 'updates'}`,
    argv: applyArgv(ctx.deps, set, 'diff'),
    reason: 'maintenance window plan: what the manifests would change',
    allowFailure: true,
    report: false,
  });
  if (result.exitCode !== 0 && result.exitCode !== 1)
    throw new AppError(
      'manifest_diff_failed',
      `\`${result.argv.join(' ')}\` failed (${result.exitCode ?? result.reason ?? 'no exit code'}): ${result.lastLines.at(-1) ?? 'no output'}.`,
    );
  const lines = result.output
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '');
  if (result.exitCode === 0 || lines.length === 0) return '(no difference: everything is applied already)';
  const shown = lines.slice(0, MAX_DIFF_LINES).map((l) => (l.length > 160 ? `${l.slice(0, 159)}…` : l));
  return [...shown, ...(lines.length > shown.length ? [`… ${lines.length - shown.length} more line(s)`] : [])].join(
    '\n',
  );
}
