/**
 * The steps of `backup verify`. None of the first three throws for what it finds (a bad backup, a failed
 * restore, a failing check): each records it, so the scratch namespace is always deleted before the
 * report step fails the run, posts to the ops channel and opens the incident.
 */
import { isAppError } from '../../app-error.ts';
import { describeError } from '../../jobs/retry-policy.ts';
import type { StepContext, StepResult } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { changeMeta } from '../core/change-meta.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import { findBackup } from './backup-lookup.ts';
import { backupAgeMs, describeBackup, formatDuration, isGoodBackup } from './backup-naming.ts';
import { restoreIntoScratch } from './scratch-restore.ts';

export interface VerifyInput {
  backup?: string | undefined;
  latest: boolean;
  environment: string;
  reason: string;
}

type Ctx = StepContext<ActionDeps, VerifyInput>;

interface CheckOutput {
  backup?: string;
  good: boolean;
  detail: string;
  ageMs?: number;
  at: string;
}

interface RestoreOutput {
  restored: boolean;
  checked: boolean;
  detail: string;
}

export async function checkBackup({ input, deps }: Ctx): Promise<StepResult> {
  const at = deps.now().toISOString();
  let output: CheckOutput;
  try {
    const backup = await findBackup(deps, input);
    const good = isGoodBackup(backup);
    const ageMs = backupAgeMs(backup, deps.now());
    output = {
      backup: backup.name,
      good,
      detail: `${backup.name} ${describeBackup(backup)}${good ? '' : ': not a good backup'}`,
      ...(ageMs !== undefined ? { ageMs } : {}),
      at,
    };
  } catch (error) {
    if (!isAppError(error) || error.code !== 'backup_not_found') throw error;
    output = { good: false, detail: error.userMessage, at };
  }
  return { summary: output.detail, output };
}

const failed = (detail: string, restored: boolean): StepResult => ({
  summary: detail,
  output: { restored, checked: false, detail } satisfies RestoreOutput,
});

/** Restores the backup into `scratch` (Restore named by the run) and runs the check Job against it. */
export const testRestore =
  (scratch: string) =>
  async (ctx: Ctx): Promise<StepResult> => {
    const check = ctx.outputs['check-backup'] as CheckOutput;
    if (!check.good || !check.backup) return failed('not restored: there is no good backup to restore', false);
    const { input, signal } = ctx;
    try {
      const restore = await restoreIntoScratch(ctx, { purpose: 'verify', backup: check.backup, scratch });
      if (!isGoodBackup(restore)) return failed(`restore ${restore.name} finished ${describeBackup(restore)}`, true);
      const command = await runPlatformCommand(ctx, {
        environment: input.environment,
        step: 'verify-check',
        args: ['database', 'verify', `--namespace=${scratch}`],
        reason: input.reason,
        allowFailure: true,
      });
      if (!command.succeeded)
        return failed(
          `\`${command.argv.join(' ')}\` failed${command.exitCode !== undefined ? ` (exit ${command.exitCode})` : ''}: ${command.lastLines.at(-1) ?? 'no output'}`,
          true,
        );
      const detail = `restored ${restore.itemsDone ?? 0} item(s) into ${scratch}; \`${command.argv.join(' ')}\` passed`;
      return { summary: detail, output: { restored: true, checked: true, detail } satisfies RestoreOutput };
    } catch (error) {
      // Cancelled or out of time: the run stops here (and says so); anything else is a failed verification.
      if (signal.aborted) throw error;
      return failed(`the test restore could not be completed: ${describeError(error) ?? String(error)}`, true);
    }
  };

/** Deletes the scratch namespace and waits until Kubernetes has finalised it. */
export const cleanupScratch =
  (scratch: string) =>
  async (ctx: Ctx): Promise<StepResult> => {
    const { deps, input, signal } = ctx;
    const deleted = await deps.cluster.deleteScratchNamespace(
      scratch,
      await changeMeta(deps, ctx, `clean up after: ${input.reason}`),
      { timeoutMs: 10 * 60_000, signal },
    );
    return { summary: deleted.existed ? `namespace ${scratch} deleted` : `namespace ${scratch} was not there` };
  };

/** Keeps the finding, posts it to the ops channel and, on failure, opens the incident (once per backup). */
export async function reportVerification(ctx: Ctx): Promise<{ passed: boolean; text: string }> {
  const { deps, input, runId } = ctx;
  const check = ctx.outputs['check-backup'] as CheckOutput;
  const restore = ctx.outputs['test-restore'] as RestoreOutput;
  const passed = check.good && restore.restored && restore.checked;
  const what = check.backup ?? `the latest backup of ${input.environment}`;
  const age = check.ageMs !== undefined ? ` (${formatDuration(check.ageMs)} old)` : '';
  const text = passed
    ? `:white_check_mark: Backup integrity verified: ${what}${age}: ${restore.detail}.`
    : `:x: CRITICAL: Backup integrity check failed for ${what}${age}: ${check.good ? restore.detail : check.detail}.`;
  await deps.dr.records.save({
    runId,
    kind: 'verification',
    environment: input.environment,
    backupName: check.backup,
    passed,
    detail: text,
    backupAgeMs: check.ageMs,
    startedAt: new Date(check.at),
    finishedAt: deps.now(),
  });
  await deps.notifier.send({ key: `backup-verification:${runId}`, channel: deps.channels.ops, text });
  if (!passed) {
    const incident = await deps.incidents.open({
      title: `CRITICAL: Backup integrity check failed for ${what}`,
      severity: 'critical',
      type: 'ops',
      systems: [],
      description: `${text} (run ${runId})`,
      requestedBy: ctx.requestedBy,
      // One incident per backup, however many runs, retries or replicas find it bad.
      requestId: `backup-verification-failed-${check.backup ?? `${input.environment}-none`}`,
    });
    return { passed, text: `${text} Incident ${incident.id}.` };
  }
  return { passed, text };
}
