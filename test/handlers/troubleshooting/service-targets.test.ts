import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/config/policy.ts';
import { runKindOf } from '../../../src/handlers/core/start-run.ts';
import type { ActionContext, ResumableAction } from '../../../src/handlers/core/define-action.ts';
import { isolate } from '../../../src/handlers/security/isolate.ts';
import { restart } from '../../../src/handlers/troubleshooting/restart.ts';
import { scale } from '../../../src/handlers/troubleshooting/scale.ts';
import { rollback } from '../../../src/handlers/deployment/rollback.ts';
import { configChange } from '../../../src/handlers/maintenance/config-change.ts';
import { configPromote } from '../../../src/handlers/maintenance/config-promote.ts';
import { configRevert } from '../../../src/handlers/maintenance/config-revert.ts';
import { rollbackDatabase } from '../../../src/handlers/disaster-recovery/rollback-database.ts';
import { drFailoverDatabase } from '../../../src/handlers/disaster-recovery/dr-failover-database.ts';
import { coverPrefixOf } from '../../../src/store/target-lock.ts';

const { topology } = parsePolicy(await readFile('config/eafix-policy.example.yml', 'utf8'));

/** The target a run of `action` claims once its plan is approved, for `input` as typed. */
async function targetOf(action: ResumableAction, input: Record<string, unknown>): Promise<string | undefined> {
  const deps = {
    topology,
    cluster: {
      status: async () => [
        { name: 'eafix-risk-manager', desired: 3 },
        { name: 'eafix-blue', desired: 3 },
      ],
    },
  };
  const parsed = action.input.parse(input);
  const plan = await action.plan(parsed, { deps } as unknown as ActionContext);
  return runKindOf(action).target?.(action.runInput ? action.runInput(parsed, plan) : parsed);
}

describe('service changes claim one target per deployment, whatever name is typed', () => {
  it.each([
    ['scale', scale as ResumableAction, { replicas: 5 }],
    ['restart', restart as ResumableAction, {}],
    ['isolate', isolate as ResumableAction, {}],
  ])('%s: the service name and the deployment name are one target', async (_name, action, extra) => {
    const base = { environment: 'production', reason: 'latency above 500ms', ...extra };
    const byService = await targetOf(action, { ...base, service: 'risk-manager' });
    expect(byService).toBe('service:production/risk-manager');
    expect(await targetOf(action, { ...base, service: 'eafix-risk-manager' })).toBe(byService);
  });

  it('a gateway colour is the environment: scaling it claims what deploy and rollback claim', async () => {
    const base = { environment: 'production', reason: 'drain the old colour' };
    expect(await targetOf(scale as ResumableAction, { ...base, service: 'eafix-blue', replicas: 1 })).toBe(
      'env:production',
    );
    expect(runKindOf(rollback as ResumableAction).target?.({ environment: 'production' })).toBe('env:production');
  });

  it('a database rollback covers every service target of its environment (they never overlap)', async () => {
    const covers = runKindOf(rollbackDatabase as ResumableAction).covers?.({ environment: 'production' });
    expect(covers).toBe('service:production/');
    const base = { environment: 'production', reason: 'latency above 500ms', service: 'risk-manager' };
    for (const [action, extra] of [
      [scale, { replicas: 5 }],
      [restart, {}],
      [isolate, {}],
    ] as const) {
      expect(coverPrefixOf(await targetOf(action as ResumableAction, { ...base, ...extra }))).toBe(covers);
    }
    expect(coverPrefixOf('env:production')).toBeUndefined();
    // A database failover fences the primary and restarts services: it covers the same targets, so the
    // two never run at once either (covers against covers, run store contract).
    expect(runKindOf(drFailoverDatabase as ResumableAction).covers?.({ environment: 'production' })).toBe(covers);
  });

  it.each([
    ['config change', configChange as ResumableAction],
    ['config promote', configPromote as ResumableAction],
    ['config revert', configRevert as ResumableAction],
  ])('%s claims the service the plan resolved, as restart does', async (_name, action) => {
    const planned = [{ description: 'configmap', change: { service: 'risk-manager', digest: 'd1' } }];
    const typed = { service: 'eafix-risk-manager', reason: 'raise position limits' };
    const runInput = action.runInput!(typed, planned) as { service: string };
    expect(runInput).toMatchObject({ service: 'risk-manager', approvedDigest: 'd1' });
    const restartTarget = await targetOf(restart as ResumableAction, {
      environment: 'production',
      service: 'eafix-risk-manager',
      reason: 'raise position limits',
    });
    const configTarget = runKindOf(action).target?.(runInput);
    if (action === (configChange as ResumableAction)) expect(configTarget).toBe('service:staging/risk-manager');
    else expect(configTarget).toBe(restartTarget);
  });
});
