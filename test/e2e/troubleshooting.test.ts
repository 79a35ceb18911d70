import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { ephemeralText } from '../support/approvals.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('troubleshooting', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

/** The reply a user sees: the inline ack, or (when slower) the response_url message. */
async function reply(user: string, text: string): Promise<string> {
  const seen = world.slack.ephemerals(user).length;
  await world.driver.command({ user, channel: ops, text });
  const eph = await world.slack.waitFor(
    (emu) =>
      emu
        .ephemerals(user)
        .slice(seen)
        .find((e) => !e.text.includes('Working on')),
    { description: `reply to ${text}` },
  );
  return `${eph.text}\n${textOf(eph.blocks)}`;
}

describe('troubleshooting from Slack', () => {
  it('status shows the live colour, every deployment and the platform switches', async () => {
    const text = await reply('carol', 'status');
    expect(text).toContain('*Live colour:* green');
    expect(text).toContain('*Trading:* running');
    expect(text).toContain('*execution-engine* 3/3 ready');
    expect(text).toContain('all deployments healthy');
  });

  it('pods and events name a crash-looping pod and its warnings', async () => {
    world.cluster.injectCrashLoop('eafix-production', 'eafix-risk-manager');
    await world.cluster.waitFor(
      () =>
        world.cluster
          .listPods('eafix-production', 'app=eafix-risk-manager')
          .some((p) => JSON.stringify(p.status).includes('CrashLoopBackOff')),
      { description: 'crash loop' },
    );
    const pods = await reply('alice', 'pods risk-manager');
    expect(pods).toContain('CrashLoopBackOff');
    const events = await reply('alice', 'events risk-manager');
    expect(events).toContain(':warning:');
    expect(events.indexOf(':warning:')).toBeLessThan(events.indexOf('*Recent events') + 200);
    world.cluster.clearFailures();
  });

  it('logs come inline when short and as a file in the channel when long', async () => {
    const short = await reply('alice', 'logs data-ingestor --tail=3');
    expect(short).toContain('Logs of data-ingestor in production');
    expect(short).toContain('```');
    const before = world.slack.messages(ops).length;
    const long = await reply('alice', 'logs execution-engine --tail=400');
    expect(long).toContain('attached as a file');
    const shared = await world.slack.waitFor(
      (emu) =>
        emu
          .messages(ops)
          .slice(before)
          .find((m) => (m.files ?? []).length > 0),
      { description: 'log file' },
    );
    expect(String(shared.files?.[0]?.name)).toBe('execution-engine-production.log');
  });

  it('runs a PromQL query with its series and labels, quotes intact', async () => {
    world.prometheus.setResult('sum by (status) (rate(http_requests_total{status=~"5.."}[5m]))', [
      { metric: { status: '500' }, value: 0.25 },
      { metric: { status: '503' }, value: 1.5 },
    ]);
    const text = await reply('carol', `metrics query 'sum by (status) (rate(http_requests_total{status=~"5.."}[5m]))'`);
    expect(text).toContain('(2 series)');
    expect(text).toContain('{status="503"}  1.50000');
    expect(await reply('carol', "metrics query 'nothing_here'")).toContain('returned no data');
  });

  it('answers a typo in a service with the known ones, and keeps logs from viewers', async () => {
    expect(await reply('alice', 'pods risk-manger')).toContain('Known services: blue, green, data-ingestor');
    const seen = world.slack.ephemerals('carol').length;
    await world.driver.command({ user: 'carol', channel: ops, text: 'logs data-ingestor' });
    await world.slack.waitFor(() => ephemeralText(world, 'carol', seen).includes('`cluster.logs` permission'), {
      description: 'denial',
    });
  });
});
