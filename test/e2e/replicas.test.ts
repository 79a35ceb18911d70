import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { SlackDriver } from '@eafix/sandbox/slack';
import { SANDBOX_SIGNING_SECRET } from '@eafix/sandbox/sandbox-world';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';

const ops = 'eafix-ops';
let world: TestWorld;
let replica: RunningBot;
let replicaDriver: SlackDriver;

beforeAll(async () => {
  world = await startWorld('replicas');
  replica = await startBot({
    env: world.env,
    policy: world.policy,
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    role: 'all',
    host: '127.0.0.1',
    // Trading switches run as toolbox Jobs: the replica reaches the same simulated cluster.
    kubeConfig: world.cluster.kubeConfig(),
  });
  replicaDriver = new SlackDriver({
    emulator: world.slack,
    requestUrl: `http://127.0.0.1:${replica.port}/slack/events`,
    signingSecret: SANDBOX_SIGNING_SECRET,
  });
});
afterAll(async () => {
  await replica?.stop();
  await world?.stop();
});

const statusOf = async (id: string) =>
  (await replica.pool.query<{ status: string }>('SELECT status FROM approval_requests WHERE id = $1', [id])).rows[0]
    ?.status;
const executionsOf = async (id: string) =>
  (
    await replica.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'execute' AND arguments->>'approval' = $1`,
      [id],
    )
  ).rows[0].n;

async function request(text: string) {
  const seen = world.slack.ephemerals('dave').length;
  await world.driver.command({ user: 'dave', channel: ops, text });
  await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
    description: 'requested',
  });
  const message = await approvalMessageIn(world, ops);
  return { message, id: requestIdOf(message) };
}

const click = (driver: SlackDriver, user: string, messageTs: string) =>
  driver.clickButton({ user, channel: ops, messageTs, actionId: 'approval:approve' });

describe('two bot replicas on one database', () => {
  it('give exactly one execution when approvers click on different replicas at once', async () => {
    const { message, id } = await request('trading stop --reason "replica test"');
    await Promise.all([click(world.driver, 'alice', message.ts), click(replicaDriver, 'bob', message.ts)]);
    await eventually(async () => (await statusOf(id)) === 'executed', 'execution');
    expect(await executionsOf(id)).toBe(1);
    // The stop runs as a platform Job; the next test plans a start from the state the platform reports.
    await world.slack.waitFor(
      (emu) => emu.messages(ops).some((m) => m.text.includes('Trading STOPPED in production')),
      {
        description: 'the trading stop run to finish',
      },
    );
  });

  it('keep approval buttons working after the replica that posted them is gone', async () => {
    const { message, id } = await request('trading start --reason "after restart"');
    await world.bot.stop();
    await click(replicaDriver, 'bob', message.ts);
    await eventually(async () => (await statusOf(id)) === 'executed', 'execution by the surviving replica');
    expect(await executionsOf(id)).toBe(1);
  });
});
