import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/config/policy.ts';
import type { ActionDeps } from '../../../src/handlers/core/action-deps.ts';
import type { ConfigMapSnapshot } from '../../../src/cluster/configmap-types.ts';
import type { RunWithSteps, StepRecord } from '../../../src/jobs/index.ts';
import { stagingEvidence } from '../../../src/handlers/maintenance/config-staging.ts';
import { describeStagingFailure } from '../../../src/handlers/maintenance/config-staging-failure.ts';
import { dataDigest } from '../../../src/handlers/maintenance/config-versions.ts';
import { stagingRunRecord, stagingStep } from '../../support/config-staging-run.ts';

const { topology } = parsePolicy(await readFile('config/eafix-policy.example.yml', 'utf8'));
const tested = { 'limits.yaml': 'max_position: 150\n' };
const ref = { service: 'risk-manager', fromConfigmap: 'risk-manager-config-next', stagingRun: 'run_0123456789ab' };

const step = (stepId: string, status: StepRecord['status'], summary?: string): StepRecord =>
  stagingStep(ref.stagingRun, stepId, status, summary);

function stagingRun(overrides: Partial<RunWithSteps> = {}): RunWithSteps {
  return stagingRunRecord(
    ref.stagingRun,
    { service: ref.service, fromConfigmap: ref.fromConfigmap, approvedDigest: dataDigest(tested) },
    [
      step('diff', 'succeeded'),
      step('validate', 'succeeded', 'valid'),
      step('stage', 'succeeded', 'applied'),
      step('test-staging', 'succeeded', '9 passed, 0 failed'),
    ],
    overrides,
  );
}

const snapshot = (data: Record<string, string>): ConfigMapSnapshot => ({
  name: 'eafix-risk-manager-config',
  data,
  labels: {},
  annotations: {},
  immutable: false,
  createdAt: undefined,
});

function deps(run: RunWithSteps | undefined, staged: Record<string, string> | null = tested) {
  return {
    topology,
    runs: { get: (id: string) => Promise.resolve(id === run?.id ? run : undefined) },
    cluster: {
      getConfigMap: (environment: string, name: string) =>
        Promise.resolve(
          environment === 'staging' && name === 'eafix-risk-manager-config' && staged ? snapshot(staged) : undefined,
        ),
    },
  } as unknown as Pick<ActionDeps, 'runs' | 'cluster' | 'topology'>;
}

describe('the staging evidence production’s approval rests on', () => {
  it('lists each staging step’s result when the same person’s change passed staging and staging still runs it', async () => {
    expect(await stagingEvidence(deps(stagingRun()), ref, 'U0ALICE')).toEqual({
      results: ['the validate step: valid', 'the stage step: applied', 'the test-staging step: 9 passed, 0 failed'],
      digest: dataDigest(tested),
    });
  });

  it.each([
    ['no such run', deps(undefined), 'U0ALICE', 'is not a configuration change run'],
    ['another action’s run', deps(stagingRun({ action: 'restart' })), 'U0ALICE', 'is not a configuration change run'],
    [
      'another source',
      deps(stagingRun({ input: { service: 'risk-manager', fromConfigmap: 'other' } })),
      'U0ALICE',
      'staged other for risk-manager',
    ],
    ['another requester', deps(stagingRun()), 'U0BOB', 'Only <@U0ALICE>, who staged this change'],
    [
      'failed staging tests',
      deps(
        stagingRun({
          steps: [step('validate', 'succeeded'), step('stage', 'succeeded'), step('test-staging', 'failed')],
        }),
      ),
      'U0ALICE',
      'did not pass staging: the test-staging step is failed',
    ],
    [
      'tests not run',
      deps(stagingRun({ steps: [step('validate', 'succeeded'), step('stage', 'succeeded')] })),
      'U0ALICE',
      'test-staging is missing',
    ],
    [
      'staging changed since',
      deps(stagingRun(), { 'limits.yaml': 'max_position: 999\n' }),
      'U0ALICE',
      'no longer holds the configuration',
    ],
    ['staging ConfigMap gone', deps(stagingRun(), null), 'U0ALICE', 'no longer holds the configuration'],
  ])('refuses %s', async (_, given, requester, message) => {
    await expect(stagingEvidence(given, ref, requester)).rejects.toMatchObject({
      code: 'config_staging_not_passed',
      message: expect.stringContaining(message),
    });
  });

  it('a failed staging run says production was untouched, and what staging holds', () => {
    const failure = (completed: string[]) =>
      describeStagingFailure({
        runId: ref.stagingRun,
        requestId: 'req-staging',
        requestedBy: 'U_ALICE',
        input: ref,
        deps: { topology } as ActionDeps,
        completedSteps: new Set(completed),
        signal: new AbortController().signal,
        logger: undefined as never,
      });
    expect(failure(['diff', 'validate'])).toBe(
      'Nothing reached production: its eafix-risk-manager-config is unchanged and no production approval was asked for. staging was not touched either.',
    );
    expect(failure(['diff', 'validate', 'stage'])).toContain(
      "staging's eafix-risk-manager-config holds risk-manager-config-next, which did not pass there",
    );
  });
});
