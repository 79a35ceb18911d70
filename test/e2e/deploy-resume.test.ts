/**
 * A worker killed while a deploy watches its KPIs: the run resumes on another worker, the monitor keeps
 * the window that started when the gateway switched (the switch step's checkpoint) instead of starting a
 * new one, and no change is made twice.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';
import { kill, startWorkerProcess } from '../support/worker-process.ts';

const ops = 'eafix-ops';
const MONITOR_SECONDS = 30;
const policyPath = join(tmpdir(), `eafix-deploy-resume-${process.pid}.yml`);
let world: TestWorld;
const children: ChildProcess[] = [];
const bots: RunningBot[] = [];

beforeAll(async () => {
  // The worker processes read the policy from its file: the example with a 30-second monitor.
  const policy = parse(await readFile(examplePolicyPath, 'utf8')) as { platform: { deploy?: unknown } };
  policy.platform.deploy = { monitorSeconds: MONITOR_SECONDS, monitorIntervalSeconds: 0.5 };
  await writeFile(policyPath, stringify(policy));
  world = await startWorld('deploy_resume', {
    role: 'web',
    policyPath,
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10, commandScale: 0.05, veleroRunMs: 100 },
  });
});
afterAll(async () => {
  for (const child of children) await kill(child);
  for (const bot of bots) await bot.stop();
  await world?.stop();
  await rm(policyPath, { force: true });
});

const step = async (runId: string, stepId: string) =>
  (
    await world.bot.pool.query<{ status: string; output: Record<string, string> | null }>(
      `SELECT status, output FROM run_steps WHERE run_id = $1 AND step_id = $2`,
      [runId, stepId],
    )
  ).rows[0];

describe('a deploy whose worker dies during the KPI monitor', { timeout: 300_000 }, () => {
  it('resumes the monitor on another worker without restarting its clock', async () => {
    const first = await startWorkerProcess(world);
    children.push(first);
    const seen = world.slack.ephemerals('alice').length;
    await world.driver.command({
      user: 'alice',
      channel: ops,
      text: 'deploy 2.5.0 --checklist=all --reason "release"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    const approvalId = requestIdOf(message);
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const runId = await eventually(
      async () =>
        (await world.bot.pool.query(`SELECT id FROM runs WHERE approval_id = $1`, [approvalId])).rows[0]?.id as
          string | undefined,
      'the run',
    );
    await eventually(async () => (await step(runId, 'monitor'))?.status === 'running', 'the monitor to start', 120_000);
    await kill(first);
    const switchedAt = (await step(runId, 'switch'))?.output?.switchedAt;
    expect(switchedAt).toBeDefined();

    const second = await startBot({
      env: world.env,
      policy: world.policy,
      logger: createLogger({ level: 'silent' }),
      role: 'worker',
      host: '127.0.0.1',
      kubeConfig: world.cluster.kubeConfig(),
      jobs: { lockDurationMs: 1_000, stalledIntervalMs: 500 },
    });
    bots.push(second);
    const row = await eventually(
      async () => {
        const r = (
          await world.bot.pool.query<{ status: string; error: string | null; resumed_count: number }>(
            `SELECT status, error, resumed_count FROM runs WHERE id = $1`,
            [runId],
          )
        ).rows[0];
        return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      'the deploy to finish',
      240_000,
    );
    expect(row).toMatchObject({ status: 'succeeded', error: null });
    // Resumed at least once (a busy machine may stall the new worker's lock and resume it again).
    expect(row.resumed_count).toBeGreaterThanOrEqual(1);
    // The resumed monitor's window is the one that began at the switch, not at the resumption.
    const monitored = (await step(runId, 'monitor'))?.output;
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
