import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { defaultKpiQueries } from '@eafix/sandbox/prometheus';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('digest');
});
afterAll(async () => {
  await world?.stop();
});

const digestsIn = (channel: string) =>
  world.slack.messages(channel).filter((m) => textOf(m.blocks).includes('digest —'));

async function postDigest(text: string, channel = ops, user = 'alice') {
  const before = digestsIn(channel).length;
  const ack = await world.driver.command({ user, channel, text });
  expect(ack.status).toBe(200);
  const message = await world.slack.waitFor(
    () => (digestsIn(channel).length > before ? digestsIn(channel).at(-1) : undefined),
    { description: `a digest in #${channel}` },
  );
  return textOf(message.blocks);
}

/**
 * The answer to a command: inline in the ack, or, when the work outlasts the ack's budget (a busy machine),
 * through response_url after a "Working on…" ack, which is not the answer.
 */
async function reply(text: string, user = 'alice') {
  const seen = world.slack.ephemerals(user).length;
  await world.driver.command({ user, channel: ops, text });
  const answers = () =>
    world.slack
      .ephemerals(user)
      .slice(seen)
      .filter((e) => !e.text.startsWith(':hourglass_flowing_sand: Working on'));
  await world.slack.waitFor(() => answers().length > 0, { description: `the reply to ${text}` });
  return answers()
    .map((e) => `${e.text} ${JSON.stringify(e.blocks ?? [])}`)
    .join('\n');
}

describe('/eafix digest', () => {
  it('posts the digest now to its channel, with every section from the live world', async () => {
    world.prometheus
      .setResult(defaultKpiQueries.cpu_usage_percent, 85)
      .setResult(defaultKpiQueries.error_rate_percent, 6);
    onTestFinished(
      () =>
        void world.prometheus
          .setResult(defaultKpiQueries.cpu_usage_percent, 38)
          .setResult(defaultKpiQueries.error_rate_percent, 0.02),
    );
    const text = await postDigest('digest daily');
    expect(text).toContain('EAFIX daily digest — production');
    expect(text).toContain('Requested by <@U0ALICE>');
    expect(text).toContain('*Service health* — 10/10 deployments healthy, 21/21 pods ready');
    expect(text).toContain('*risk-manager* 3/3 ready');
    expect(text).toContain('*Live colour:* green');
    expect(text).toContain('*Trading:* :large_green_circle: running');
    expect(text).toContain(':large_yellow_circle: *CPU usage* 85% — warning');
    expect(text).toContain(':red_circle: *Error rate* 6% — critical');
    expect(text).toContain(':large_green_circle: *API response time* 42 ms (target < 100 ms)');
    expect(text).toContain('*Open incidents* — none');
    expect(text).toContain('*Pending approvals* — none');
    expect(text).toContain('*Runs in the last 24 hours*');
    expect(text).toContain('newest backup is 5h old');
    // The post is recorded against its request (marked just after Slack accepted it).
    const posted = await eventually(async () => {
      const rows = (
        await world.bot.pool.query(`SELECT tick_key FROM digest_posts WHERE digest = 'daily' AND posted_at IS NOT NULL`)
      ).rows;
      return rows.length ? rows : undefined;
    }, 'the post to be recorded');
    expect(posted).toHaveLength(1);
    expect(posted[0].tick_key).toMatch(/^request:/);
  });

  it('posts to the invoking channel with --here', async () => {
    const text = await postDigest('digest pulse --here', 'security');
    expect(text).toContain('EAFIX pulse digest');
    expect(text).not.toContain('Open incidents');
  });

  it('still posts when Prometheus is down, naming the unavailable KPIs', async () => {
    await world.prometheus.goDown();
    try {
      const text = await postDigest('digest daily');
      expect(text).toContain('0 ok, 0 warning, 0 critical, 9 unavailable');
      expect(text).toContain(
        '*Unavailable:* API response time, Error rate, CPU usage, Memory usage, Disk usage, Signal generation latency, Order execution time, Data feed latency, Risk check time',
      );
      expect(text).toContain('could not be reached');
      expect(text).toContain('*Backups* — :white_circle: unavailable');
      expect(text).toContain('*Service health* — 10/10');
    } finally {
      await world.prometheus.comeUp();
    }
  });

  it('refuses an unknown digest and people without monitoring.digest', async () => {
    expect(await reply('digest weekly')).toContain('There is no digest called \\"weekly\\"');
    expect(await reply('digest daily', 'carol')).toContain('monitoring.digest');
  });
});

describe('/eafix kpis', () => {
  it('shows the traffic light on demand', async () => {
    world.prometheus.setResult(defaultKpiQueries.order_execution_time_ms, 2500);
    onTestFinished(() => void world.prometheus.setResult(defaultKpiQueries.order_execution_time_ms, 180));
    const text = await reply('kpis --environment=production', 'carol');
    expect(text).toContain('EAFIX KPIs — production');
    expect(text).toContain(':red_circle: *Order execution time* 2.5 s — critical (> 2 s)');
    expect(text).toContain('8 ok, 0 warning, 1 critical, 0 unavailable');
  });
});

describe('/eafix doctor', () => {
  it('passes everything on a healthy sandbox', async () => {
    const text = await reply('doctor');
    for (const name of [
      'Slack',
      'PostgreSQL',
      'Redis',
      'Kubernetes API',
      'Kubernetes permissions',
      "Platform Jobs' service account",
      'Deployment health',
      'Prometheus',
      'Digest schedule: daily',
    ]) {
      expect(text).toContain(`:white_check_mark: *${name}*`);
    }
    // The example policy keeps the runbook's example Route 53 zone: doctor says so until it is set.
    expect(text).toContain(
      ":warning: *DR site failover* — `dr activate-site` would update Route 53 zone Z123456789, the runbook's example, not yours",
    );
    expect(text).toContain('1 warn, 0 fail');
  });

  it('fails a denied verb with the rule to add, and Prometheus down with what to do', async () => {
    world.cluster.denyAccess({ verb: 'get', resource: 'deployments' });
    await world.prometheus.goDown();
    try {
      const text = await reply('doctor --environment=production');
      expect(text).toContain(
        ':x: *Kubernetes permission: get deployments* — denied to the bot in eafix-production (no RBAC rule allows it); needed by deploymentSpec, switchTraffic, setColourImage, scale, restart, waitForRollout',
      );
      expect(text).toContain('apiGroups [\\"apps\\"], resources [\\"deployments\\"], verbs [\\"get\\"]');
      expect(text).toMatch(/:warning: \*Kubernetes permissions\* — \d+ of \d+ allowed/);
      expect(text).toContain(':x: *Prometheus*');
      expect(text).toContain('digests post with the KPIs marked unavailable');
      expect(text).toMatch(/\d+ pass, 2 warn, 2 fail/);
    } finally {
      world.cluster.clearAccessRules();
      await world.prometheus.comeUp();
    }
  });

  it('fails the cluster when it cannot be reached', async () => {
    await world.cluster.goDown();
    try {
      const text = await reply('doctor');
      expect(text).toContain(':x: *Kubernetes API*');
      expect(text).toContain(':x: *Kubernetes permissions* — could not ask the cluster');
      expect(text).toContain(':white_check_mark: *PostgreSQL*');
    } finally {
      await world.cluster.comeUp();
    }
  });
});
