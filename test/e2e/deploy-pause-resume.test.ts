/**
 * A paused deploy outlives its worker: the worker process is killed while the run waits for a decision,
 * the decision is taken while no worker runs (the web bot records it and queues the run), and the
 * worker started afterwards resumes the run with that decision, once.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorld } from '../support/world.ts';
import { jobCommands } from '../support/approvals.ts';
import {
  approvedDeploy,
  decide,
  pauseQuestion,
  policyFileWithMonitor,
  type PolicyFile,
  QUICK_MONITOR,
  startDeployWorld,
} from '../support/deploy-flows.ts';
import { runEnded } from '../support/runs.ts';
import { workerHandover } from '../support/worker-handover.ts';
import { kill } from '../support/worker-process.ts';

const ops = 'eafix-ops';
const ns = 'eafix-production';
let world: TestWorld;
let policyFile: PolicyFile | undefined;
const workers = workerHandover(() => world);
let firstWorker: ChildProcess | undefined;

beforeAll(async () => {
  // The worker processes read the policy from its file: the example with a one-second monitor.
  policyFile = await policyFileWithMonitor('deploy-pause-resume', QUICK_MONITOR);
  // Slack traffic only: runs execute in the worker processes the test starts and kills.
  world = await startDeployWorld('deploy_pause_resume', { role: 'web', policyPath: policyFile.path });
  // The worker the test kills: its own process (starting one takes most of the hook's time).
  firstWorker = await workers.startProcess();
});
afterAll(async () => {
  await workers.stop();
  await world?.stop();
  await policyFile?.remove();
});

const smokeJobs = () => jobCommands(world).filter((argv) => argv.join(' ').startsWith('eafix-cli test smoke')).length;
const gatewayPatches = () =>
  world.cluster.writes.filter(
    (w) => w.method === 'PATCH' && w.path.endsWith(`/namespaces/${ns}/services/eafix-gateway`),
  ).length;
const query = async <T>(sql: string, args: unknown[]) => (await world.bot.pool.query(sql, args)).rows as T[];

describe('a paused deploy whose worker is killed', () => {
  it('resumes with the decision taken while no worker ran, once, when a worker starts', async () => {
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'smoke'],
      behaviour: { stdout: ['0 passed'], stderr: ['smoke environment not ready'], exitCode: 1 },
      times: 1,
    });
    const { run, message } = await approvedDeploy(world, '4.1.0 --checklist=all --reason "release 4.1"');
    expect(run.status).toBe('paused');
    const question = await pauseQuestion(world.slack, message.ts, 'retry');
    await kill(firstWorker!);
    expect(smokeJobs()).toBe(1);

    // No worker runs: the decision is recorded and the run queued, and nothing moves.
    await decide(world, question, 'retry');
    const [pause] = await query<{ option_id: string; decided_by: string }>(
      'SELECT option_id, decided_by FROM run_pauses WHERE run_id = $1',
      [run.id],
    );
    expect(pause).toEqual({ option_id: 'retry', decided_by: 'U0ALICE' });
    expect((await query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [run.id]))[0]?.status).toBe(
      'queued',
    );
    expect(smokeJobs()).toBe(1);
    expect(gatewayPatches()).toBe(0);

    // A worker starts (in this process: a second process start would only add time).
    await workers.startSuccessor();
    expect(await runEnded(world, run.id, 120_000)).toMatchObject({ status: 'succeeded', error: null });
    // The smoke step ran again once (the retry), and every later change was made once.
    expect(smokeJobs()).toBe(2);
    expect(gatewayPatches()).toBe(1);
    const steps = await query<{ step_id: string; status: string }>(
      'SELECT step_id, status FROM run_steps WHERE run_id = $1 ORDER BY step_index',
      [run.id],
    );
    expect(steps.every((s) => s.status === 'succeeded')).toBe(true);
    expect(
      (await query<{ n: number }>(`SELECT count(*)::int AS n FROM run_pauses WHERE run_id = $1`, [run.id]))[0]?.n,
    ).toBe(1);
    expect(world.cluster.getService(ns, 'eafix-gateway')?.spec?.selector?.version).toBe('blue');
    await world.slack.waitFor(
      (emu) =>
        emu.thread(ops, message.ts).filter((m) => JSON.stringify(m.metadata ?? {}).includes(`"run:${run.id}:finished"`))
          .length === 1 || undefined,
      { description: 'the run’s end posted once in its thread' },
    );
  });
});
