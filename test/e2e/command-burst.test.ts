import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/policy.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { ephemeralText } from '../support/approvals.ts';

const COMMANDS = 30;
const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  const policy = await loadPolicy(examplePolicyPath);
  policy.topology.services = Array.from({ length: COMMANDS }, (_, i) => {
    const name = `svc-${String(i + 1).padStart(2, '0')}`;
    return {
      name,
      deployment: `eafix-${name}`,
      appLabel: `eafix-${name}`,
      replicas: { min: 1, max: 4, default: 1 },
      image: 'registry.eafix.local/eafix/service:1.0.0',
    };
  });
  // The emulator's real limits: chat.postMessage ~1/s per channel with a short burst, chat.update Tier 3.
  world = await startWorld('command_burst', { policy, clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 20 } });
});
afterAll(async () => {
  await world?.stop();
});

describe('a burst of 30 commands in one channel under Slack’s per-channel limit', () => {
  it('answers every command, runs every restart, and reports each exactly once', async () => {
    const seen = world.slack.ephemerals('alice').length;
    const acks = await Promise.all(
      Array.from({ length: COMMANDS }, (_, i) =>
        world.driver.command({
          user: 'alice',
          channel: ops,
          text: `restart svc-${String(i + 1).padStart(2, '0')} --environment=staging --reason "burst ${i + 1}"`,
        }),
      ),
    );
    // (How fast each ack was depends on the machine; that belongs in bench/, not here.)
    expect(acks.map((a) => a.status)).toEqual(Array(COMMANDS).fill(200));

    const runs = await eventually(
      async () => {
        const rows = (await world.bot.pool.query(`SELECT id, status, error FROM runs WHERE kind = 'restart'`))
          .rows as Array<{ id: string; status: string; error: string | null }>;
        return rows.length === COMMANDS && rows.every((r) => r.status !== 'queued' && r.status !== 'running')
          ? rows
          : undefined;
      },
      'all 30 runs to finish',
      90_000,
    );
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);

    // Every command got its answer (in the ack, or through response_url when slower), none "Something went wrong".
    const answers = () => [...acks.map((a) => textOf(a.body)), ephemeralText(world, 'alice', seen)].join('\n');
    await eventually(
      async () => new Set(answers().match(/Run `run_[0-9a-f]+` started/g)).size === COMMANDS,
      'an answer to every command',
      30_000,
    );
    expect(answers()).not.toMatch(/went wrong|unexpected/i);

    // Every report lands, once: 30 "started by" posts, 30 status messages and 30 final replies at ~1/s.
    await eventually(
      async () => (await world.bot.pool.query(`SELECT 1 FROM slack_outbox WHERE state <> 'delivered'`)).rowCount === 0,
      'the outbox drained',
      150_000,
    );
    const everything = world.slack.messages(ops).flatMap((m) => (m.reply_count ? world.slack.thread(ops, m.ts) : [m]));
    for (const run of runs) {
      expect(
        everything.filter((m) => m.text === `restart ${run.id}: succeeded (3/3 steps done)`),
        run.id,
      ).toHaveLength(1);
      expect(
        everything.filter((m) => m.text.includes(`\`${run.id}\` finished.`)),
        run.id,
      ).toHaveLength(1);
    }
    expect(everything.filter((m) => m.text.includes('started by <@U0ALICE>'))).toHaveLength(COMMANDS);
  }, 240_000);
});
