/**
 * diagnose orders and diagnose data-feed: their checks are the runbook's platform commands, run as real
 * Jobs in the simulated cluster (whose toolbox answers as a healthy platform unless a test says otherwise),
 * and the ingestor's logs; each check's ok, warn and fail verdicts, and the remedies offered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../src/handlers/core/invoke.ts';
import { createLogger } from '../../src/logger.ts';
import { answerCommand, diagnoser, verdicts } from '../support/diagnose.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';

let world: TestWorld;
let n = 0;
const NS = 'eafix-production';

beforeAll(async () => {
  world = await startWorld('diagnose-platform', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

/** As alice (an operator: orders and balances need trading.read). */
const diagnose = diagnoser(() => world, 'U0ALICE', 'req_platform');

/** Makes commands answer `result` (or fail) until the returned function undoes it. */
function answer(rules: Array<[argv: string[], result: unknown, exitCode?: number]>): () => void {
  const undo = rules.map(([argv, result, exitCode]) => answerCommand(world, argv, result, exitCode));
  return () => undo.forEach((u) => u());
}

describe('diagnose orders', () => {
  it('is ok on a healthy platform', async () => {
    const reply = await diagnose('diagnose orders');
    expect(verdicts(reply.text)).toEqual({
      'Broker connectivity': 'OK',
      'Risk manager': 'OK',
      'Recent failed orders': 'OK',
      'Account balances': 'OK',
    });
    expect(reply.text).toContain('mt4_live connected (18 ms)');
    expect(reply.text).toContain('0 failed order(s)');
  });

  it('warns on a slow broker, limits nearly used, a few failed orders and thin margin', async () => {
    const undo = answer([
      [['eafix-cli', 'broker', 'status'], { brokers: [{ name: 'mt4_live', connected: true, latencyMs: 450 }] }],
      [['eafix-cli', 'risk', 'status'], { healthy: true, limitsUsedPercent: 91, blocking: false }],
      [['eafix-cli', 'orders', 'list'], { orders: [{ id: 'o1', reason: 'price moved' }], count: 2 }],
      [['eafix-cli', 'account', 'balance'], { accounts: [{ name: 'mt4_live', marginLevelPercent: 150 }] }],
    ]);
    const reply = await diagnose('diagnose orders');
    undo();
    expect(verdicts(reply.text)).toEqual({
      'Broker connectivity': 'WARN',
      'Risk manager': 'WARN',
      'Recent failed orders': 'WARN',
      'Account balances': 'WARN',
    });
    expect(reply.text).toContain('remedy: /eafix broker reconnect --broker=mt4_live --environment=production');
    expect(reply.text).toContain('remedy: /eafix orders cleanup --environment=production');
  });

  it('fails on a lost broker, a blocking risk manager, many failed orders and a margin call, offering a restart', async () => {
    const undo = answer([
      [['eafix-cli', 'broker', 'status'], { brokers: [{ name: 'mt4_live', connected: false }] }],
      [['eafix-cli', 'risk', 'status'], { healthy: true, limitsUsedPercent: 100, blocking: true }],
      [['eafix-cli', 'orders', 'list'], { orders: [{ id: 'o1', reason: 'broker timeout' }], count: 20 }],
      [['eafix-cli', 'account', 'balance'], { accounts: [{ name: 'mt4_live', marginLevelPercent: 80 }] }],
    ]);
    const reply = await diagnose('diagnose orders');
    undo();
    expect(verdicts(reply.text)).toEqual({
      'Broker connectivity': 'FAIL',
      'Risk manager': 'FAIL',
      'Recent failed orders': 'FAIL',
      'Account balances': 'FAIL',
    });
    expect(reply.text).toContain('BLOCKING orders');
    expect(reply.text).toContain('remedy: /eafix risk limits reset --environment=production');
    expect(reply.text).toContain('remedy: /eafix restart execution-engine --environment=production');
    expect(textOf(reply.blocks)).toContain('diagnose:remedy:0');
  });

  it('is refused to a viewer (balances and orders need trading.read)', async () => {
    const outcome = await invoke(
      {
        command: { text: 'diagnose orders' },
        invoker: { userId: 'U0CAROL', teamId: world.slack.teamId, channelId: world.slack.channelId('eafix-ops') },
        requestId: 'req_platform_carol',
        logger: createLogger({ level: 'silent' }),
      },
      { deps: world.bot.deps, approvals: world.bot.approvalService },
    );
    expect(outcome.outcome).toBe('rejected:permission_denied');
  });
});

describe('diagnose data-feed', () => {
  it('is ok on a healthy feed', async () => {
    const reply = await diagnose('diagnose data-feed');
    expect(verdicts(reply.text)).toEqual({
      'Feed status': 'OK',
      'Latest tick (EURUSD)': 'OK',
      'Provider connection test': 'OK',
      'Ingestor logs (10 min)': 'OK',
    });
    expect(reply.text).toContain('0.4 s old');
  });

  it('warns when the primary is down but the backup serves, and ticks are stale', async () => {
    const undo = answer([
      [
        ['eafix-cli', 'data-feed', 'status'],
        {
          providers: [
            { name: 'primary', connected: false },
            { name: 'backup', connected: true },
          ],
        },
      ],
      [['eafix-cli', 'data', 'latest'], { symbol: 'EURUSD', ageSeconds: 25 }],
      [['eafix-cli', 'data-feed', 'test'], { ok: true, failed: ['primary'] }],
    ]);
    const reply = await diagnose('diagnose data-feed');
    undo();
    expect(verdicts(reply.text)).toMatchObject({
      'Feed status': 'WARN',
      'Latest tick (EURUSD)': 'WARN',
      'Provider connection test': 'WARN',
    });
    expect(reply.text).toContain('remedy: /eafix data-feed switch --to=backup --environment=production');
  });

  it('fails when every provider is down, data is over a minute old and the ingestor crashes, offering its restart', async () => {
    const undo = answer([
      [
        ['eafix-cli', 'data-feed', 'status'],
        {
          providers: [
            { name: 'primary', connected: false },
            { name: 'backup', connected: false },
          ],
        },
      ],
      [['eafix-cli', 'data', 'latest'], { symbol: 'EURUSD', ageSeconds: 95 }],
      [['eafix-cli', 'data-feed', 'test'], { ok: false, failed: ['primary', 'backup'] }, 1],
    ]);
    world.cluster.injectCrashLoop(NS, 'eafix-data-ingestor');
    await world.cluster.waitFor(
      () =>
        world.cluster
          .listPods(NS, 'app=eafix-data-ingestor')
          .every((p) => JSON.stringify(p.status).includes('CrashLoopBackOff')),
      { description: 'ingestor crash loop' },
    );
    const reply = await diagnose('diagnose data-feed');
    undo();
    world.cluster.clearFailures();
    expect(verdicts(reply.text)).toEqual({
      'Feed status': 'FAIL',
      'Latest tick (EURUSD)': 'FAIL',
      'Provider connection test': 'FAIL',
      'Ingestor logs (10 min)': 'FAIL',
    });
    expect(reply.text).toContain('95.0 s old');
    expect(reply.text).toContain('remedy: /eafix restart data-ingestor --environment=production');
    expect(reply.text).toContain('remedy: /eafix cache clear --pattern=market_data_* --environment=production');
  });
});

describe('the platform remedies', () => {
  const run = async (user: string, text: string) => {
    n += 1;
    return invoke(
      {
        command: { text },
        invoker: { userId: user, teamId: world.slack.teamId, channelId: world.slack.channelId('eafix-ops') },
        requestId: `req_remedy_${n}`,
        logger: createLogger({ level: 'silent' }),
      },
      { deps: world.bot.deps, approvals: world.bot.approvalService },
    );
  };

  it('run their platform command as a Job when no approval is needed', async () => {
    const outcome = await run('U0ALICE', 'cache clear --pattern=slow_query_* --reason "diagnose latency: cache cold"');
    expect(outcome.outcome, outcome.reply.text).toBe('ok');
    await world.cluster.waitFor(
      () =>
        world.cluster
          .listPods(NS, 'eafix.io/step=command')
          .some((p) => JSON.stringify(p.spec).includes('--pattern=slow_query_*') && p.status?.phase === 'Succeeded'),
      { description: 'cache clear Job', timeoutMs: 60_000 },
    );
  });

  it('ask a second person before resetting risk limits or switching the feed, and refuse a viewer', async () => {
    for (const text of [
      'risk limits reset --reason "blocking after the outage"',
      'data-feed switch --to=backup --reason "primary down"',
    ]) {
      const outcome = await run('U0ALICE', text);
      expect(outcome.outcome, outcome.reply.text).toBe('ok');
      expect(outcome.reply.text).toContain('Approval requested');
    }
    expect((await run('U0CAROL', 'orders cleanup --reason "stuck orders"')).outcome).toBe('rejected:permission_denied');
    expect((await run('U0ALICE', 'cache clear --pattern="a b" --reason "bad pattern"')).outcome).toBe(
      'rejected:invalid_arguments',
    );
  });
});
