/**
 * Platform commands as Jobs, through the real adapter against the simulator: the Job's spec (argv
 * array, backoffLimit 0, deadline, TTL, labels), exit codes, log tails and structured results, the
 * platform state the commands change, a deadline exceeded, and a resumed step re-attaching.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { platformJobName } from '../../src/cluster/kube-jobs.ts';
import type { JobRequest } from '../../src/cluster/index.ts';
import { change, ENV, failure, NS, startHarness, type Harness } from './cluster-support.ts';

const TOOLBOX = 'registry.eafix.local/eafix/eafix-toolbox:2.4.0';
let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

const job = (name: string, command: string[], over: Partial<JobRequest> = {}): JobRequest => ({
  name,
  image: TOOLBOX,
  command,
  activeDeadlineSeconds: 300,
  labels: { 'eafix.io/run': 'run-1', 'eafix.io/step': name },
  change: change(),
  ...over,
});

const jobCreates = () => h!.sim.writes.filter((w) => w.method === 'POST' && w.path.endsWith('/jobs'));

describe('KubeCluster.runJob', () => {
  it('runs `eafix-cli trading stop --graceful` as a Job with the argv as an array, and trading really stops', async () => {
    h = await startHarness();
    const outcome = await h.cluster.runJob(
      ENV,
      job('run-1-trading-stop', ['eafix-cli', 'trading', 'stop', '--graceful'], { ttlSecondsAfterFinished: 900 }),
    );
    expect(outcome).toMatchObject({
      succeeded: true,
      exitCode: 0,
      attached: false,
      namespace: NS,
      result: { trading: 'stopped', graceful: true },
    });
    expect(outcome.log).toContain('Trading STOPPED');
    const [created] = jobCreates();
    expect(created?.body).toMatchObject({
      metadata: {
        name: 'run-1-trading-stop',
        labels: { 'eafix.io/run': 'run-1' },
        annotations: { 'eafix.io/request-id': 'req-123' },
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 300,
        ttlSecondsAfterFinished: 900,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ image: TOOLBOX, command: ['eafix-cli', 'trading', 'stop', '--graceful'] }],
          },
        },
      },
    });
    expect(h.sim.workloads.platform.state(NS).tradingEnabled).toBe(false);
    const status = await h.cluster.runJob(ENV, job('run-1-status', ['eafix-cli', 'status']));
    expect(status.result).toMatchObject({ trading: 'stopped', maintenance: false });
  });

  it('a non-zero exit is a failed outcome with its exit code, reason and stderr in the log', async () => {
    h = await startHarness();
    h.sim.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'smoke'],
      behaviour: { stdout: ['3 passed, 1 failed'], stderr: ['FAILED test_order_roundtrip'], exitCode: 1 },
      times: 1,
    });
    const outcome = await h.cluster.runJob(
      ENV,
      job('run-1-smoke', ['eafix-cli', 'test', 'smoke', '--environment=green']),
    );
    expect(outcome).toMatchObject({ succeeded: false, exitCode: 1, reason: 'BackoffLimitExceeded', result: undefined });
    expect(outcome.log).toBe('3 passed, 1 failed\nFAILED test_order_roundtrip\n');
  });

  it('an unknown command exits 127 with "command not found", like a shell', async () => {
    h = await startHarness();
    const outcome = await h.cluster.runJob(ENV, job('run-1-bogus', ['eafix-cli', 'frobnicate']));
    expect(outcome).toMatchObject({ succeeded: false, exitCode: 127 });
    expect(outcome.log).toContain('command not found');
  });

  it('activeDeadlineSeconds exceeded: failed with DeadlineExceeded and no exit code (the pod was removed)', async () => {
    h = await startHarness();
    const sim = h.sim;
    sim.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'integration'],
      behaviour: { durationMs: 3_600_000 },
    });
    const outcome = await h.cluster.runJob(
      ENV,
      job('run-1-integration', ['eafix-cli', 'test', 'integration'], { activeDeadlineSeconds: 30 }),
      {
        onStarted: ({ name }) => {
          // Simulated time: once the Job has started, jump past its deadline.
          void sim.waitFor(() => jobStarted(name), { timeoutMs: 10_000 }).then(() => sim.advance(31_000));
        },
      },
    );
    expect(outcome).toMatchObject({ succeeded: false, reason: 'DeadlineExceeded', exitCode: undefined });
    expect(outcome.message).toBe('Job was active longer than specified deadline');
  });

  it('a resumed step re-attaches to its Job: one Job, the command run once', async () => {
    h = await startHarness();
    let runs = 0;
    h.sim.workloads.behaviours.register({
      argv: ['eafix-cli', 'database', 'verify'],
      behaviour: () => (runs++, { stdout: ['{"ok":true}'], durationMs: 2000 }),
    });
    const request = job('run-7-database-verify', ['eafix-cli', 'database', 'verify']);
    // The worker dies while waiting: its wait is aborted after the Job was created.
    const first = new AbortController();
    const killed = await failure(
      h.cluster.runJob(ENV, request, {
        signal: first.signal,
        onStarted: () => first.abort(new Error('worker killed')),
      }),
    );
    expect(String((killed as Error).message)).toContain('worker killed');
    const resumed = await h.cluster.runJob(ENV, request);
    expect(resumed).toMatchObject({ succeeded: true, attached: true, result: { ok: true } });
    expect(jobCreates()).toHaveLength(1);
    expect(runs).toBe(1);
  });

  it('refuses to re-attach to a same-named Job that runs another command', async () => {
    h = await startHarness();
    await h.cluster.runJob(ENV, job('run-8-step', ['eafix-cli', 'maintenance', 'status']));
    const err = await failure(h.cluster.runJob(ENV, job('run-8-step', ['eafix-cli', 'maintenance', 'enable'])));
    expect(err).toMatchObject({ code: 'job_name_taken' });
  });

  it('rejects a name that is not a DNS label before any request', async () => {
    h = await startHarness();
    const before = h.sim.requests.length;
    expect(await failure(h.cluster.runJob(ENV, job('Run_1', ['eafix-cli', 'status'])))).toMatchObject({
      code: 'invalid_job',
    });
    expect(h.sim.requests.length).toBe(before);
  });

  it('the finished Job and its pod are deleted after ttlSecondsAfterFinished', async () => {
    h = await startHarness();
    await h.cluster.runJob(ENV, job('run-9-status', ['eafix-cli', 'status'], { ttlSecondsAfterFinished: 60 }));
    expect(await h.cluster.listJobs(ENV, 'eafix.io/step=run-9-status')).toMatchObject([
      { name: 'run-9-status', state: 'succeeded' },
    ]);
    h.sim.advance(61_000);
    await h.sim.waitFor(() => h!.sim.listPods(NS, 'job-name=run-9-status').length === 0, {
      description: 'job pods collected',
    });
    expect(await h.cluster.listJobs(ENV, 'eafix.io/step=run-9-status')).toEqual([]);
  });
});

describe('platformJobName', () => {
  it('is deterministic, a DNS label, and at most 63 characters', () => {
    expect(platformJobName('run-42', 'trading-stop')).toBe('run-42-trading-stop');
    const long = platformJobName('deploy', 'A'.repeat(80), 'Smoke Tests');
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(platformJobName('deploy', 'A'.repeat(80), 'Smoke Tests')).toBe(long);
    expect(platformJobName('deploy', 'A'.repeat(81), 'Smoke Tests')).not.toBe(long);
  });
});

function jobStarted(name: string): boolean {
  const events = h!.sim.listEvents(NS);
  return events.some(
    (e) => e.involvedObject.kind === 'Job' && e.involvedObject.name === name && e.reason === 'SuccessfulCreate',
  );
}
