/**
 * One platform command as a Job, the way steps run it, through the real KubeCluster against the
 * simulator: argv, deterministic name, labels, deadline, TTL, service account and resources from the
 * policy; the log in the run's thread (a file when long); exit code → success or a clear failure; the
 * structured result; a resumed step re-attaching; a retry generation naming a fresh Job; an image override.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { platformCliSchema } from '../../src/config/platform-policy.ts';
import type { Notifier, OutgoingMessage } from '../../src/handlers/core/notifier.ts';
import {
  platformCommandJobName,
  runPlatformCommand,
  validatedArgv,
  type PlatformCommandContext,
} from '../../src/handlers/core/platform-command.ts';
import { redactLog } from '../../src/handlers/core/platform-command-report.ts';
import type { Runs } from '../../src/handlers/core/runs.ts';
import type { RunWithSteps } from '../../src/jobs/index.ts';
import { ENV, failure, NS, startHarness, type Harness } from '../cluster/cluster-support.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

interface Sent {
  sends: OutgoingMessage[];
  uploads: Array<{ key?: string; filename: string; content: string; threadTs?: string; threadKey?: string }>;
}

function recordingNotifier(): Notifier & Sent {
  const sends: OutgoingMessage[] = [];
  const uploads: Sent['uploads'] = [];
  const unused = () => Promise.reject(new Error('not expected in this test'));
  return {
    sends,
    uploads,
    send: async (m) => void sends.push(m),
    upload: async (f) => void uploads.push(f),
    post: unused,
    update: unused,
    ephemeral: unused,
    openModal: unused,
    createChannel: unused,
    findChannel: unused,
    invite: unused,
    setTopic: unused,
    setPurpose: unused,
    pin: unused,
    permalink: unused,
  };
}

const runs = (thread: { channel: string; ts: string } | undefined): Pick<Runs, 'get'> & Runs =>
  ({
    get: async (runId: string) => ({ id: runId, requestId: 'req-42', thread }) as unknown as RunWithSteps,
  }) as unknown as Runs;

function context(
  harness: Harness,
  notifier: Notifier,
  over: Partial<PlatformCommandContext> = {},
  cli: Record<string, unknown> = {},
): PlatformCommandContext {
  return {
    runId: 'run_abc123',
    requestId: 'req-42',
    requestedBy: 'U0ALICE',
    approvalId: 'apr_7',
    deps: {
      cluster: harness.cluster,
      notifier,
      runs: runs({ channel: 'C0OPS', ts: '1700000000.000100' }),
      platformCli: platformCliSchema.parse({ serviceAccount: 'eafix-toolbox', timeoutSeconds: 120, ...cli }),
      authorizer: undefined as never,
    },
    ...over,
  };
}

const jobCreates = () => h!.sim.writes.filter((w) => w.method === 'POST' && w.path.endsWith('/jobs'));

describe('runPlatformCommand', () => {
  it('runs `eafix-cli trading stop --graceful` as the policy says, posts its log in the thread and returns its result', async () => {
    h = await startHarness();
    const notifier = recordingNotifier();
    const result = await runPlatformCommand(context(h, notifier), {
      environment: ENV,
      step: 'trading-stop',
      args: ['trading', 'stop', '--graceful'],
      reason: 'deploy v2',
    });
    const name = platformCommandJobName('run_abc123', 'trading-stop');
    expect(result).toMatchObject({
      job: name,
      namespace: NS,
      succeeded: true,
      exitCode: 0,
      attached: false,
      argv: ['eafix-cli', 'trading', 'stop', '--graceful'],
      result: { trading: 'stopped', graceful: true },
    });
    expect(jobCreates()).toHaveLength(1);
    expect(jobCreates()[0]?.body).toMatchObject({
      metadata: {
        name,
        labels: { 'eafix.io/run': 'run_abc123', 'eafix.io/step': 'trading-stop', 'eafix.io/requested-by': 'U0ALICE' },
        annotations: { 'eafix.io/request-id': 'req-42' },
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 120,
        ttlSecondsAfterFinished: 3600,
        template: {
          spec: {
            serviceAccountName: 'eafix-toolbox',
            containers: [
              {
                image: 'registry.eafix.local/eafix/eafix-toolbox:latest',
                command: ['eafix-cli', 'trading', 'stop', '--graceful'],
                resources: { limits: { memory: '512Mi' } },
              },
            ],
          },
        },
      },
    });
    expect(h.sim.workloads.platform.state(NS).tradingEnabled).toBe(false);
    // The finished message replaces the "running" one under the same key, in the approval thread.
    const keys = new Set(notifier.sends.map((m) => m.key));
    expect(keys).toEqual(new Set([`platform-job:${NS}:${name}`]));
    const last = notifier.sends.at(-1)!;
    expect(last).toMatchObject({ channel: 'C0OPS', threadTs: '1700000000.000100' });
    expect(JSON.stringify(last.blocks)).toContain('Trading STOPPED');
    expect(last.text).toContain(':white_check_mark:');
    expect(notifier.uploads).toEqual([]);
  });

  it('a resumed step re-attaches to its Job instead of running the command again; a retry generation runs a fresh one', async () => {
    h = await startHarness();
    const notifier = recordingNotifier();
    const command = { environment: ENV, step: 'smoke', args: ['test', 'smoke'], reason: 'deploy v2' };
    const first = await runPlatformCommand(context(h, notifier), command);
    const again = await runPlatformCommand(context(h, notifier), command);
    expect(first.attached).toBe(false);
    expect(again).toMatchObject({ attached: true, job: first.job, result: { suite: 'smoke', passed: 12 } });
    expect(jobCreates()).toHaveLength(1);
    const retried = await runPlatformCommand(context(h, notifier), { ...command, generation: 2 });
    expect(retried).toMatchObject({ attached: false, job: `${first.job}-r2` });
    expect(jobCreates()).toHaveLength(2);
  });

  it('a non-zero exit is a platform_command_failed error naming the command, exit code and Job; allowFailure returns it', async () => {
    h = await startHarness();
    h.sim.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'smoke'],
      behaviour: { stdout: ['11 passed, 1 failed'], stderr: ['FAILED test_order_roundtrip'], exitCode: 3 },
    });
    const notifier = recordingNotifier();
    const command = { environment: ENV, step: 'smoke', args: ['test', 'smoke', '--environment=green'], reason: 'r' };
    const error = await failure(runPlatformCommand(context(h, notifier), command));
    expect(error).toMatchObject({ code: 'platform_command_failed', kind: 'domain' });
    expect(error.userMessage).toContain('`eafix-cli test smoke --environment=green` exited with 3');
    expect(error.userMessage).toContain(platformCommandJobName('run_abc123', 'smoke'));
    expect(notifier.sends.at(-1)?.text).toContain(':x:');
    expect(JSON.stringify(notifier.sends.at(-1)?.blocks)).toContain('FAILED test_order_roundtrip');
    const allowed = await runPlatformCommand(context(h, notifier), { ...command, allowFailure: true });
    expect(allowed).toMatchObject({ succeeded: false, exitCode: 3, attached: true, result: undefined });
  });

  it('runs a whole argv in another image (migrations in the new version), and attaches a long log as a file', async () => {
    h = await startHarness();
    const lines = Array.from({ length: 60 }, (_, i) => `INFO migration step ${i + 1} password=hunter2`);
    h.sim.workloads.behaviours.register({
      argv: ['alembic', 'upgrade', 'head'],
      behaviour: { stdout: [...lines, JSON.stringify({ ok: true, revision: 'a1b2' })] },
    });
    const notifier = recordingNotifier();
    const image = 'registry.eafix.local/eafix/eafix-app:2.0.0';
    // A run hanging under its "started by" message: replies go under that message's outbox key.
    const ctx = context(h, notifier);
    ctx.deps = { ...ctx.deps, runs: runs({ channel: 'C0OPS', ts: '' }) };
    const result = await runPlatformCommand(ctx, {
      environment: ENV,
      step: 'migrate',
      argv: ['alembic', 'upgrade', 'head'],
      image,
      reason: 'deploy v2',
    });
    expect(result).toMatchObject({ image, result: { ok: true, revision: 'a1b2' } });
    expect(jobCreates()[0]?.body).toMatchObject({
      spec: { template: { spec: { containers: [{ image, command: ['alembic', 'upgrade', 'head'] }] } } },
    });
    expect(notifier.uploads).toHaveLength(1);
    const [upload] = notifier.uploads;
    expect(upload).toMatchObject({ channel: 'C0OPS', threadKey: 'run-start:req-42', filename: `${result.job}.log` });
    expect(upload?.content).toContain('INFO migration step 1 ');
    expect(upload?.content).not.toContain('hunter2');
    expect(notifier.sends.at(-1)?.threadKey).toBe('run-start:req-42');
  });

  it('refuses an empty word or one with control characters before anything is created', async () => {
    h = await startHarness();
    const notifier = recordingNotifier();
    const error = await failure(
      runPlatformCommand(context(h, notifier), {
        environment: ENV,
        step: 'maintenance-on',
        args: ['maintenance', 'enable', '--message=line one\nline two'],
        reason: 'r',
      }),
    );
    expect(error).toMatchObject({ code: 'invalid_platform_command' });
    expect(jobCreates()).toEqual([]);
    expect(() => validatedArgv([])).toThrow(/empty/);
    expect(validatedArgv(['eafix-cli', 'maintenance', 'enable', '--message=Deploy; rm -rf /'])).toHaveLength(4);
  });

  it('without a run (a query) names the Job by the request and posts nothing', async () => {
    h = await startHarness();
    const notifier = recordingNotifier();
    const result = await runPlatformCommand(context(h, notifier, { runId: undefined }), {
      environment: ENV,
      step: 'status',
      args: ['status'],
      reason: 'trading status',
    });
    expect(result).toMatchObject({ job: platformCommandJobName('req-42', 'status'), result: { trading: 'enabled' } });
    expect(notifier.sends).toEqual([]);
  });

  it('masks secret-looking values in logs', () => {
    expect(redactLog('DATABASE_URL=postgres://eafix:s3cret@db:5432/x token: abc Authorization: Bearer xyz.123')).toBe(
      'DATABASE_URL=postgres://eafix:[redacted]@db:5432/x token: [redacted] Authorization: Bearer [redacted]',
    );
  });
});
