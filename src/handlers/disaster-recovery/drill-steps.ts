/**
 * The steps of `dr drill`. As with backup verification, what a step finds (no good backup, a failed
 * restore, failing tests) is recorded, not thrown, so the drill namespace is always deleted before the
 * report fails the run. Times come from the injected clock: the recovery time is measured from the
 * drill's start until the restored platform passed its integration tests.
 */
import { AppError, isAppError } from '../../app-error.ts';
import { describeError } from '../../jobs/retry-policy.ts';
import type { StepContext, StepResult } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { changeMeta } from '../core/change-meta.ts';
import { runPlatformCommand } from '../core/platform-command.ts';
import { findBackup } from './backup-lookup.ts';
import { backupAgeMs, describeBackup, ENVIRONMENT_LABEL, formatDuration, isGoodBackup } from './backup-naming.ts';
import { DRILL_OBJECTIVE, objectivesTable } from './drill-report.ts';
import { restoreIntoScratch } from './scratch-restore.ts';

export const DRILL_NAMESPACE = 'eafix-dr-drill';

export interface DrillInput {
  backup?: string | undefined;
  environment: string;
  reason: string;
}

type Ctx = StepContext<ActionDeps, DrillInput>;

interface Start {
  at: string;
  backup?: string;
  ageMs?: number;
  problem?: string;
}

interface Recovery {
  passed: boolean;
  detail: string;
  /** When the restored platform passed its tests (the end of the measured recovery). */
  recoveredAt?: string;
}

/** The drill starts: the backup it recovers from (the newest good one unless named). */
export async function pickBackup({ input, deps }: Ctx): Promise<StepResult> {
  const at = deps.now().toISOString();
  try {
    const backup = await findGoodBackup(deps, input);
    const ageMs = backupAgeMs(backup, deps.now());
    const output: Start = { at, backup: backup.name, ...(ageMs !== undefined ? { ageMs } : {}) };
    return {
      summary: `recovering from ${backup.name}${ageMs !== undefined ? ` (${formatDuration(ageMs)} old)` : ''}`,
      output,
    };
  } catch (error) {
    if (!isAppError(error) || !error.code.startsWith('backup_')) throw error;
    return { summary: error.userMessage, output: { at, problem: error.userMessage } satisfies Start };
  }
}

async function findGoodBackup(deps: ActionDeps, input: DrillInput) {
  if (input.backup) {
    const named = await findBackup(deps, input);
    if (!isGoodBackup(named))
      throw new AppError('backup_not_good', `Backup ${named.name} is ${describeBackup(named)}: not a good backup.`);
    return named;
  }
  const namespace = deps.topology.environments[input.environment]?.namespace;
  const good = (await deps.cluster.listBackups()).find(
    (b) =>
      isGoodBackup(b) &&
      (b.labels[ENVIRONMENT_LABEL] === input.environment ||
        (namespace !== undefined && b.includedNamespaces.includes(namespace))),
  );
  if (!good) throw new AppError('backup_not_found', `There is no good backup of ${input.environment} to drill with.`);
  return good;
}

const failed = (detail: string): StepResult => ({ summary: detail, output: { passed: false, detail } });

/** Restores into the drill namespace and runs the integration tests there. */
export async function recover(ctx: Ctx): Promise<StepResult> {
  const start = ctx.outputs['pick-backup'] as Start;
  if (!start.backup) return failed(`nothing restored: ${start.problem ?? 'no backup'}`);
  const { deps, input, signal } = ctx;
  try {
    const restore = await restoreIntoScratch(ctx, { purpose: 'drill', backup: start.backup, scratch: DRILL_NAMESPACE });
    if (!isGoodBackup(restore)) return failed(`restore ${restore.name} finished ${describeBackup(restore)}`);
    const tests = await runPlatformCommand(ctx, {
      environment: input.environment,
      step: 'drill-integration',
      args: ['test', 'integration', `--namespace=${DRILL_NAMESPACE}`],
      reason: input.reason,
      allowFailure: true,
    });
    if (!tests.succeeded) return failed(`\`${tests.argv.join(' ')}\` failed: ${tests.lastLines.at(-1) ?? 'no output'}`);
    const output: Recovery = {
      passed: true,
      detail: `restored ${restore.itemsDone ?? 0} item(s) into ${DRILL_NAMESPACE}; \`${tests.argv.join(' ')}\` passed`,
      recoveredAt: deps.now().toISOString(),
    };
    return { summary: output.detail, output };
  } catch (error) {
    if (signal.aborted) throw error;
    return failed(`the recovery could not be completed: ${describeError(error) ?? String(error)}`);
  }
}

export async function cleanupDrill(ctx: Ctx): Promise<StepResult> {
  const { deps, input, signal } = ctx;
  const deleted = await deps.cluster.deleteScratchNamespace(
    DRILL_NAMESPACE,
    await changeMeta(deps, ctx, `clean up after: ${input.reason}`),
    { timeoutMs: 10 * 60_000, signal },
  );
  return {
    summary: deleted.existed ? `namespace ${DRILL_NAMESPACE} deleted` : `namespace ${DRILL_NAMESPACE} was not there`,
  };
}

/** Measures, compares with the RTO table, keeps and posts the result; a failed drill fails the run. */
export async function reportDrill(ctx: Ctx): Promise<StepResult> {
  const { deps, input, runId } = ctx;
  const start = ctx.outputs['pick-backup'] as Start;
  const recovery = ctx.outputs.recover as Recovery;
  const objectives = deps.dr.policy.objectives;
  const recoveryMs =
    recovery.recoveredAt !== undefined ? Date.parse(recovery.recoveredAt) - Date.parse(start.at) : undefined;
  const { rto, rpo } = objectives[DRILL_OBJECTIVE];
  const headline = recovery.passed
    ? `:stopwatch: DR drill of ${input.environment}: recovery completed in ${formatDuration(recoveryMs ?? 0)} (RTO ${formatDuration(rto)} ${recoveryMs !== undefined && recoveryMs <= rto ? 'met' : 'MISSED'}), backup ${formatDuration(start.ageMs ?? 0)} old (RPO ${formatDuration(rpo)})`
    : `:x: DR drill of ${input.environment} failed: ${recovery.detail}`;
  const text = `${headline}\n${objectivesTable(objectives, recoveryMs, start.ageMs)}`;
  await deps.dr.records.save({
    runId,
    kind: 'drill',
    environment: input.environment,
    backupName: start.backup,
    passed: recovery.passed,
    detail: recovery.detail,
    backupAgeMs: start.ageMs,
    recoveryMs,
    rtoMs: rto,
    rpoMs: rpo,
    startedAt: new Date(start.at),
    finishedAt: deps.now(),
  });
  await deps.notifier.send({ key: `dr-drill:${runId}`, channel: deps.channels.ops, text });
  if (!recovery.passed) throw new AppError('dr_drill_failed', headline);
  return { summary: headline, output: { recoveryMs } };
}
