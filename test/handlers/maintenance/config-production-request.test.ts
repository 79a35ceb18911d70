import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/config/policy.ts';
import { createLogger } from '../../../src/logger.ts';
import type { ActionDeps } from '../../../src/handlers/core/action-deps.ts';
import type { ConfigMapSnapshot } from '../../../src/cluster/configmap-types.ts';
import type { RunWithSteps } from '../../../src/jobs/index.ts';
import { requestProductionStep } from '../../../src/handlers/maintenance/config-production-request.ts';
import { dataDigest } from '../../../src/handlers/maintenance/config-versions.ts';
import { stagingRunRecord, stagingStep } from '../../support/config-staging-run.ts';
import { MemoryApprovalStore } from '../../support/memory-approval-store.ts';
import { MemoryAuditLog } from '../../support/memory-audit-log.ts';

const { topology, channels } = parsePolicy(await readFile('config/eafix-policy.example.yml', 'utf8'));
const proposed = { 'limits.yaml': 'max_position: 150\n' };
const input = { service: 'risk-manager', fromConfigmap: 'risk-manager-config-next', reason: 'raise position limits' };
const runId = 'run_0123456789ab';

const run: RunWithSteps = stagingRunRecord(
  runId,
  { ...input, approvedDigest: dataDigest(proposed) },
  ['diff', 'validate', 'stage', 'test-staging'].map((id) => stagingStep(runId, id, 'succeeded', 'ok')),
  { thread: { channel: 'C0OPS', ts: '1.0' } },
);
const configMap = (name: string, data: Record<string, string>): ConfigMapSnapshot => ({
  name,
  data,
  labels: {},
  annotations: {},
  immutable: false,
  createdAt: undefined,
});

function world() {
  const approvals = new MemoryApprovalStore();
  const posted: string[] = [];
  const maps: Record<string, ConfigMapSnapshot> = {
    'production/eafix-risk-manager-config': configMap('eafix-risk-manager-config', {
      'limits.yaml': 'max_position: 100\n',
    }),
    'production/risk-manager-config-next': configMap('risk-manager-config-next', proposed),
    'staging/eafix-risk-manager-config': configMap('eafix-risk-manager-config', proposed),
  };
  const deps = {
    topology,
    channels,
    approvals,
    audit: new MemoryAuditLog(),
    now: () => new Date(),
    authorizer: { requiredApprovers: () => 1, approvalTtlMs: 3_600_000 },
    notifier: {
      post: (message: { channel: string; text: string }) => {
        posted.push(message.channel);
        return Promise.resolve({ channel: message.channel, ts: `${posted.length}.0` });
      },
    },
    runs: { get: (id: string) => Promise.resolve(id === runId ? run : undefined) },
    cluster: { getConfigMap: (env: string, name: string) => Promise.resolve(maps[`${env}/${name}`]) },
  } as unknown as ActionDeps;
  return { deps, approvals, posted };
}

const context = (deps: ActionDeps) => ({
  runId,
  input,
  requestId: 'req',
  requestedBy: 'U0ALICE',
  deps,
  signal: new AbortController().signal,
  attempt: 1,
  logger: createLogger({ level: 'silent' }),
  outputs: {},
});

describe('asking for production once staging passed', () => {
  it('asks once, as the requester, in the run’s channel; a resumed step finds that request instead of asking again', async () => {
    const { deps, approvals, posted } = world();
    const first = await requestProductionStep().run(context(deps));
    // The worker died before the step's completion was recorded: the step runs again.
    const again = await requestProductionStep().run({ ...context(deps), attempt: 2 });
    const pending = await approvals.listPending();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      action: 'config promote',
      requester: 'U0ALICE',
      channelId: 'C0OPS',
      requestId: `${runId}:production`,
      arguments: { ...input, stagingRun: runId },
    });
    expect(posted).toEqual(['C0OPS']);
    expect(again).toEqual(first);
    expect(first?.summary).toContain(`change request \`${pending[0]!.id}\``);
  });
});
