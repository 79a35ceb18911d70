/**
 * `GET /metrics` on web and on worker after a real rollback (requested, approved, run by the worker):
 * the bot's series are there with the labels the dashboard and alert rules use, next to the process
 * metrics, the queue counts and the pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';
import { eventually } from '../support/eventually.ts';
import { startWorld, type TestWorld } from '../support/world.ts';
import { parsePrometheusText, valueOf, type Sample } from './prometheus-text.ts';

const ops = 'eafix-ops';
let world: TestWorld;
let worker: RunningBot;

beforeAll(async () => {
  world = await startWorld('metrics', { role: 'web', clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
  worker = await startBot({
    env: world.env,
    policy: world.policy,
    logger: createLogger({ level: 'silent' }),
    role: 'worker',
    host: '127.0.0.1',
    kubeConfig: world.cluster.kubeConfig(),
  });
});
afterAll(async () => {
  await worker?.stop();
  await world?.stop();
});

async function scrape(
  port: number | undefined,
): Promise<{ text: string; samples: Sample[]; contentType: string | null }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, samples: parsePrometheusText(text), contentType: response.headers.get('content-type') };
}

describe('/metrics', () => {
  it('reports the rollback on both roles: acks, commands, approvals, runs, steps, queues, pool, process', async () => {
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'rollback --reason "errors after the green deploy"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const id = requestIdOf(message);
    await eventually(
      async () => {
        const { rows } = await world.bot.pool.query<{ status: string }>(
          'SELECT status FROM runs WHERE approval_id = $1',
          [id],
        );
        return rows[0]?.status === 'succeeded' || undefined;
      },
      'the rollback run to succeed',
      60_000,
    );

    // The run's job completes (and is removed: PostgreSQL keeps the history) just after the run is recorded.
    const web = await eventually(async () => {
      const scraped = await scrape(world.bot.port);
      return valueOf(scraped.samples, 'eafix_chatops_queue_jobs', { queue: 'runs', state: 'active' }) === 0
        ? scraped
        : undefined;
    }, 'the run job to complete');
    expect(web.contentType).toContain('text/plain');
    expect(
      valueOf(web.samples, 'eafix_chatops_ack_seconds_count', { role: 'web', surface: 'command', action: 'rollback' }),
    ).toBe(1);
    expect(
      valueOf(web.samples, 'eafix_chatops_ack_seconds_count', { surface: 'click', action: 'approval:approve' }),
    ).toBe(1);
    expect(valueOf(web.samples, 'eafix_chatops_commands_total', { action: 'rollback' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(web.samples, 'eafix_chatops_approvals_total', { state: 'requested' })).toBe(1);
    expect(valueOf(web.samples, 'eafix_chatops_approvals_total', { state: 'approved' })).toBe(1);
    for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) {
      expect(valueOf(web.samples, 'eafix_chatops_queue_jobs', { queue: 'runs', state }), state).toBe(0);
    }
    expect(valueOf(web.samples, 'eafix_chatops_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(valueOf(web.samples, 'eafix_chatops_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(valueOf(web.samples, 'eafix_chatops_collector_up', { collector: 'postgres' })).toBe(1);
    expect(valueOf(web.samples, 'eafix_chatops_collector_up', { collector: 'queues' })).toBe(1);
    expect(valueOf(web.samples, 'eafix_chatops_outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(valueOf(web.samples, 'eafix_chatops_runs_active', { kind: 'rollback', status: 'running' })).toBeUndefined();
    expect(valueOf(web.samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(web.samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    const fromWorker = await scrape(worker.port);
    expect(
      valueOf(fromWorker.samples, 'eafix_chatops_runs_total', {
        role: 'worker',
        kind: 'rollback',
        outcome: 'succeeded',
      }),
    ).toBe(1);
    const steps = fromWorker.samples.filter(
      (s) => s.name === 'eafix_chatops_run_step_seconds_count' && s.labels.kind === 'rollback',
    );
    expect(steps.length).toBeGreaterThanOrEqual(4);
    expect(steps.every((s) => s.value >= 1)).toBe(true);
    expect(valueOf(fromWorker.samples, 'eafix_chatops_queue_jobs', { queue: 'incident-timers', state: 'failed' })).toBe(
      0,
    );
    expect(valueOf(fromWorker.samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // The worker takes no Slack traffic, so it has no acks.
    expect(valueOf(fromWorker.samples, 'eafix_chatops_ack_seconds_count')).toBeUndefined();
  });
});
