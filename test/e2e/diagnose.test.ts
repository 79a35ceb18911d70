/**
 * The diagnosis playbooks through the invocation path, against the simulated cluster (pods, logs,
 * platform commands as real Jobs) and the Prometheus emulator: each check's ok, warn and fail verdicts
 * with their evidence, and the remedies offered (each a command run as the clicker).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../src/handlers/core/invoke.ts';
import { createLogger } from '../../src/logger.ts';
import { latencyQueries } from '../../src/handlers/troubleshooting/latency-checks.ts';
import { logErrors, serviceResourceQueries } from '../../src/handlers/troubleshooting/service-checks.ts';
import { answerCommand, diagnoser, verdicts } from '../support/diagnose.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';

let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('diagnose', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

const NS = 'eafix-production';

const diagnose = diagnoser(() => world, 'U0CAROL', 'req_diagnose');
const register = (argv: string[], stdout: unknown, exitCode = 0) => answerCommand(world, argv, stdout, exitCode);

describe('diagnose latency', () => {
  const labels = `namespace="${NS}",service="risk-manager"`;
  const set = (p95: number, slowest: number, cache: number) => {
    world.prometheus.setResult(latencyQueries.p95(labels), p95);
    world.prometheus.setResult(latencyQueries.slowest(labels), [
      { metric: { service: 'risk-manager' }, value: slowest },
    ]);
    world.prometheus.setResult(latencyQueries.cacheHitRate(NS), cache);
  };

  it('is ok on every check when the platform is fast', async () => {
    set(0.08, 0.05, 0.97);
    const reply = await diagnose('diagnose latency --service=risk-manager');
    expect(verdicts(reply.text)).toEqual({
      'p95 latency': 'OK',
      'Slowest endpoints': 'OK',
      'Database performance': 'OK',
      'Cache hit rate': 'OK',
    });
    expect(reply.text).toContain('80 ms');
    expect(reply.text).toContain('0 slow queries');
    expect(reply.visibility).toBe('in_channel');
    expect(textOf(reply.blocks)).not.toContain('diagnose:remedy');
  });

  it('warns between the runbook thresholds and offers to scale the slow service', async () => {
    set(0.3, 0.25, 0.85);
    const undo = register(['eafix-cli', 'database', 'performance'], { slowQueries: 3, p95Ms: 250 });
    const reply = await diagnose('diagnose latency --service=risk-manager');
    undo();
    expect(verdicts(reply.text)).toEqual({
      'p95 latency': 'WARN',
      'Slowest endpoints': 'WARN',
      'Database performance': 'WARN',
      'Cache hit rate': 'WARN',
    });
    expect(reply.text).toContain('3 slow queries');
    expect(reply.text).toContain('remedy: /eafix database optimize --environment=production');
    expect(reply.text).toContain('remedy: /eafix cache clear --pattern=slow_query_* --environment=production');
    expect(reply.text).toContain('remedy: /eafix scale risk-manager 5 --environment=production');
  });

  it('fails over the critical thresholds, and when the database command fails', async () => {
    set(0.9, 1.2, 0.5);
    const undo = register(['eafix-cli', 'database', 'performance'], { ok: false }, 1);
    const reply = await diagnose('diagnose latency --service=risk-manager');
    undo();
    expect(verdicts(reply.text)).toEqual({
      'p95 latency': 'FAIL',
      'Slowest endpoints': 'FAIL',
      'Database performance': 'FAIL',
      'Cache hit rate': 'FAIL',
    });
    expect(reply.text).toContain('900 ms');
    expect(reply.text).toContain('`eafix-cli database performance` failed (exit 1)');
    expect(textOf(reply.blocks)).toContain('diagnose:remedy:0');
  });
});

describe('diagnose service', () => {
  const matcher = `namespace="${NS}",pod=~"eafix-risk-manager-.*"`;
  const resources = (cpu: number, memory: number) => {
    world.prometheus.setResult(serviceResourceQueries.cpu(matcher), cpu);
    world.prometheus.setResult(serviceResourceQueries.memory(matcher), memory);
  };

  it('is ok on every check for a healthy service', async () => {
    resources(40, 60);
    const reply = await diagnose('diagnose service risk-manager');
    expect(verdicts(reply.text)).toEqual({
      Pods: 'OK',
      'Recent logs': 'OK',
      'Resource usage': 'OK',
      Dependencies: 'OK',
    });
    expect(reply.text).toContain('3/3 ready');
    expect(reply.text).toContain('all dependencies answer');
  });

  it('warns on high usage and degraded dependencies, offering to scale', async () => {
    resources(85, 70);
    const undo = register(['eafix-cli', 'dependencies', 'check'], { ok: true, degraded: ['redis'] });
    const reply = await diagnose('diagnose service risk-manager');
    undo();
    expect(verdicts(reply.text)).toMatchObject({ 'Resource usage': 'WARN', Dependencies: 'WARN' });
    expect(reply.text).toContain('CPU 85% of its limit');
    expect(reply.text).toContain('degraded: redis');
    expect(reply.text).toContain('remedy: /eafix scale risk-manager 4 --environment=production');
  });

  it('fails on crash-looping pods, their errors, exhausted resources and a failed dependency check', async () => {
    resources(97, 50);
    const undo = register(['eafix-cli', 'dependencies', 'check'], { ok: false }, 1);
    world.cluster.injectCrashLoop(NS, 'eafix-risk-manager');
    await world.cluster.waitFor(
      () =>
        world.cluster
          .listPods(NS, 'app=eafix-risk-manager')
          .every((p) => JSON.stringify(p.status).includes('CrashLoopBackOff')),
      { description: 'crash loop' },
    );
    const reply = await diagnose('diagnose service risk-manager');
    undo();
    world.cluster.clearFailures();
    expect(verdicts(reply.text)).toEqual({
      Pods: 'FAIL',
      'Recent logs': 'FAIL',
      'Resource usage': 'FAIL',
      Dependencies: 'FAIL',
    });
    expect(reply.text).toContain('0/3 ready');
    expect(reply.text).toContain('failed to load configuration');
    expect(reply.text).toContain('remedy: /eafix restart risk-manager --environment=production');
    expect(reply.text).toContain('kubectl edit configmap eafix-risk-manager-config');
  });

  it('warns when only some pods log errors, fails when all do (kubectl logs output)', () => {
    const some = '==> a <==\nINFO ok\n==> b <==\nERROR boom\n';
    expect(logErrors(some)).toEqual({ pods: 2, podsWithErrors: 1, errors: ['ERROR boom'] });
    expect(logErrors('==> a <==\nERROR x\n==> b <==\nFATAL y\n').podsWithErrors).toBe(2);
    expect(logErrors('==> a <==\nINFO fine\n').podsWithErrors).toBe(0);
  });

  it('refuses an unknown service with one clear answer', async () => {
    const outcome = await invoke(
      {
        command: { text: 'diagnose service nope' },
        invoker: { userId: 'U0CAROL', teamId: world.slack.teamId, channelId: world.slack.channelId('eafix-ops') },
        requestId: 'req_diagnose_unknown',
        logger: createLogger({ level: 'silent' }),
      },
      { deps: world.bot.deps, approvals: world.bot.approvalService },
    );
    expect(outcome.outcome).not.toBe('ok');
    expect(outcome.reply.text).toContain('nope');
  });
});
