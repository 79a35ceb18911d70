/**
 * A deploy paused for a decision, end to end (Slack, Kubernetes and Prometheus emulators, real
 * PostgreSQL and Redis): a KPI warning during the monitor window pauses at its end with Continue / Roll
 * back, and each answer does what it says; an undecided pause past its expiry (the bot's clock moved)
 * opens one incident naming the run and its thread, and the run, still paused, takes a later decision.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunPauseSweeper } from '../../src/jobs/run-pause-sweeper.ts';
import { escalatePauseToIncident } from '../../src/handlers/core/run-pause-escalation.ts';
import { DEPLOY_PAUSE_EXPIRY_MS } from '../../src/handlers/deployment/deploy-pause.ts';
import { createLogger } from '../../src/logger.ts';
import { PgRunStore } from '../../src/store/pg-run-store.ts';
import { defaultKpiQueries, defaultKpiValues } from '@eafix/sandbox/prometheus';
import { textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import {
  approvedDeploy,
  decide,
  pauseQuestion,
  policyWithMonitor,
  readyForNextDeploy,
  startDeployWorld,
} from '../support/deploy-flows.ts';
import { runEnded } from '../support/runs.ts';

const ops = 'eafix-ops';
const ns = 'eafix-production';
let world: TestWorld;

// The bot's clock: real time shifted by `offset`; a test moves it past a pause's expiry.
let offset = 0;
const now = () => new Date(Date.now() + offset);

beforeAll(async () => {
  world = await startDeployWorld('deploy_pause', {
    policy: await policyWithMonitor(),
    now,
    // Reconcile rounds (the pause sweeper among them) often, so an expired pause is seen soon.
    jobs: { reconcileIntervalMs: 200 },
  });
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(() => readyForNextDeploy(world));

const selector = () => world.cluster.getService(ns, 'eafix-gateway')?.spec?.selector?.version;
const image = (d: string) => world.cluster.getDeployment(ns, d)?.spec?.template?.spec?.containers?.[0]?.image;
const deployment = (colour: string) => world.cluster.getDeployment(ns, `eafix-${colour}`);
const other = (colour: string | undefined) => (colour === 'blue' ? 'green' : 'blue');

/** A deploy whose monitor reads a warning-level error rate (warning > 1 %, critical > 5 %) throughout. */
async function deployWithKpiWarning(version: string) {
  const live = selector();
  world.prometheus.setResult(defaultKpiQueries.error_rate_percent, 2);
  const deploy = await approvedDeploy(world, `${version} --checklist=all --reason "release ${version}"`);
  expect(deploy.run.status).toBe('paused');
  const pause = (
    await world.bot.pool.query<{ step_id: string; options: Array<{ id: string }> }>(
      'SELECT step_id, options FROM run_pauses WHERE run_id = $1',
      [deploy.run.id],
    )
  ).rows;
  expect(pause.map((p) => [p.step_id, p.options.map((o) => o.id)])).toEqual([['monitor', ['continue', 'rollback']]]);
  const question = await pauseQuestion(world.slack, deploy.message.ts, 'continue');
  expect(textOf(question.blocks)).toContain(`KPI warnings on ${other(live)} ${version}`);
  expect(textOf(question.blocks)).toContain(`${live} still has its pods`);
  // Paused at the end of the window, traffic on the new colour, the old colour still scaled up and ready.
  expect(selector()).toBe(other(live));
  expect(deployment(live!)?.status?.readyReplicas).toBeGreaterThan(0);
  world.prometheus.setResult(defaultKpiQueries.error_rate_percent, defaultKpiValues.error_rate_percent);
  return { ...deploy, live: live!, question };
}

describe('a deploy paused for a decision', () => {
  it('KPI warnings during the monitor pause it at the end of the window; Continue finishes the deploy', async () => {
    const { run, live, question } = await deployWithKpiWarning('3.1.0');
    await decide(world, question, 'continue');
    const ended = await runEnded(world, run.id);
    expect(ended).toMatchObject({ status: 'succeeded', error: null });
    expect(selector()).toBe(other(live));
    expect(image(`eafix-${other(live)}`)).toBe('registry.eafix.local/eafix/gateway:3.1.0');
    expect(deployment(live)?.spec?.replicas).toBe(0);
    const monitor = (
      await world.bot.pool.query<{ summary: string }>(
        `SELECT summary FROM run_steps WHERE run_id = $1 AND step_id = 'monitor'`,
        [run.id],
      )
    ).rows[0];
    expect(monitor?.summary).toContain('<@U0ALICE> chose to continue');
  });

  it('KPI warnings during the monitor pause it; Roll back leaves the previous colour live with ready pods', async () => {
    const { run, live, question, message } = await deployWithKpiWarning('3.2.0');
    await decide(world, question, 'rollback');
    const ended = await runEnded(world, run.id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toContain('chose to roll back after KPI warnings');
    expect(selector()).toBe(live);
    expect(deployment(live)?.status?.readyReplicas).toBeGreaterThan(0);
    expect(deployment(live)?.spec?.replicas).toBeGreaterThan(0);
    expect(image(`eafix-${live}`)).not.toContain('3.2.0');
    await world.slack.waitFor((emu) => textOf(emu.thread(ops, message.ts)).includes('*Rolled back*'), {
      description: 'the rollback reported in the thread',
    });
  });

  // Last: it moves the bot's clock half an hour on and leaves an incident open.
  it('an undecided pause past its expiry opens one incident naming the run and its thread; a later decision still works', async () => {
    world.cluster.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'smoke'],
      behaviour: { stdout: ['0 passed'], stderr: ['smoke environment not ready'], exitCode: 1 },
      times: 1,
    });
    const { run, message } = await approvedDeploy(world, '3.3.0 --checklist=all --reason "release 3.3"');
    expect(run.status).toBe('paused');
    const question = await pauseQuestion(world.slack, message.ts, 'retry');
    const stored = (
      await world.bot.pool.query<{ id: string; thread_channel: string; thread_ts: string }>(
        `SELECT p.id, r.thread_channel, r.thread_ts FROM run_pauses p JOIN runs r ON r.id = p.run_id WHERE p.run_id = $1`,
        [run.id],
      )
    ).rows[0]!;
    const incidents = async () =>
      (
        await world.bot.pool.query<{ id: string; title: string; description: string }>(
          'SELECT id, title, description FROM incidents WHERE request_id = $1',
          [`run-pause:${stored.id}`],
        )
      ).rows;
    expect(await incidents()).toEqual([]);

    offset += DEPLOY_PAUSE_EXPIRY_MS + 60_000;
    const escalation = await eventually(
      async () =>
        (
          await world.bot.pool.query<{ escalation: string | null }>('SELECT escalation FROM run_pauses WHERE id = $1', [
            stored.id,
          ])
        ).rows[0]?.escalation,
      'the expired pause to escalate',
    );
    const opened = await incidents();
    expect(opened).toHaveLength(1);
    expect(escalation).toBe(`incident ${opened[0]!.id}`);
    expect(opened[0]!.title).toContain(run.id);
    expect(opened[0]!.description).toContain(`Thread: channel ${stored.thread_channel}, ts ${stored.thread_ts}`);
    await world.slack.waitFor(
      (emu) =>
        textOf(emu.thread(ops, message.ts).find((m) => m.ts === question.ts)?.blocks).includes(
          `escalated (incident ${opened[0]!.id})`,
        ) || undefined,
      { description: 'the question saying it escalated' },
    );
    // Escalated once: a further sweep (as another worker's) finds nothing to do, and the run stays paused.
    const sweeper = new RunPauseSweeper({
      store: new PgRunStore(world.bot.pool),
      escalate: escalatePauseToIncident(world.bot.deps),
      now,
      logger: createLogger({ level: 'silent' }),
    });
    expect(await sweeper.sweep()).toEqual([]);
    expect(await incidents()).toHaveLength(1);
    expect((await world.bot.pool.query('SELECT status FROM runs WHERE id = $1', [run.id])).rows[0]?.status).toBe(
      'paused',
    );

    // The injected failure happened once: the retried smoke Job passes and the deploy completes.
    await decide(world, question, 'retry');
    expect(await runEnded(world, run.id)).toMatchObject({ status: 'succeeded', error: null });
    expect(image(`eafix-${selector()}`)).toBe('registry.eafix.local/eafix/gateway:3.3.0');
    expect(await incidents()).toHaveLength(1);
  });
});
