/**
 * A worker killed while a deploy watches its KPIs: the run resumes on another worker, the monitor keeps
 * the window that started when the gateway switched (the switch step's checkpoint) instead of starting a
 * new one, and no change is made twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvedRun } from '../support/approvals.ts';
import { policyFileWithMonitor, startDeployWorld, type PolicyFile } from '../support/deploy-flows.ts';
import { runEnded, runStep } from '../support/runs.ts';
import { workerHandover } from '../support/worker-handover.ts';
import { kill } from '../support/worker-process.ts';

const MONITOR_SECONDS = 30;
let world: TestWorld;
let policyFile: PolicyFile | undefined;
const workers = workerHandover(() => world);

beforeAll(async () => {
  // The worker processes read the policy from its file: the example with a 30-second monitor.
  policyFile = await policyFileWithMonitor('deploy-resume', {
    monitorSeconds: MONITOR_SECONDS,
    monitorIntervalSeconds: 0.5,
  });
  world = await startDeployWorld('deploy_resume', { role: 'web', policyPath: policyFile.path });
});
afterAll(async () => {
  await workers.stop();
  await world?.stop();
  await policyFile?.remove();
});

describe('a deploy whose worker dies during the KPI monitor', { timeout: 300_000 }, () => {
  it('resumes the monitor on another worker without restarting its clock', async () => {
    const first = await workers.startProcess();
    const { runId } = await approvedRun(world, 'deploy 2.5.0 --checklist=all --reason "release"');
    await eventually(
      async () => (await runStep(world, runId, 'monitor'))?.status === 'running',
      'the monitor to start',
      120_000,
    );
    await kill(first);
    const switchedAt = (await runStep(world, runId, 'switch'))?.output?.switchedAt;
    expect(switchedAt).toBeDefined();

    await workers.startSuccessor();
    const row = await runEnded(world, runId, 240_000);
    expect(row).toMatchObject({ status: 'succeeded', error: null });
    // Resumed at least once (a busy machine may stall the new worker's lock and resume it again).
    expect(row.resumed_count).toBeGreaterThanOrEqual(1);
    // The resumed monitor's window is the one that began at the switch, not at the resumption.
    const monitored = (await runStep(world, runId, 'monitor'))?.output;
    expect(monitored?.from).toBe(switchedAt);
    expect(Date.parse(monitored!.until!) - Date.parse(monitored!.from!)).toBe(MONITOR_SECONDS * 1000);
    // The gateway moved once.
    const gatewayPatches = world.cluster.writes.filter(
      (w) => w.method === 'PATCH' && w.path.endsWith('/namespaces/eafix-production/services/eafix-gateway'),
    );
    expect(gatewayPatches).toHaveLength(1);
    expect(world.cluster.getService('eafix-production', 'eafix-gateway')?.spec?.selector?.version).toBe('blue');
  }, 280_000);
});
