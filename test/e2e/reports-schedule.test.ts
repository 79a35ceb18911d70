import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/policy.ts';
import { digestsSchema } from '../../src/config/monitoring-policy.ts';
import { createLogger } from '../../src/logger.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { decodePng, pixelsOf, seriesColours } from '../support/png.ts';

const ops = 'eafix-ops';
let world: TestWorld;
let replica: RunningBot;

beforeAll(async () => {
  const policy = await loadPolicy(examplePolicyPath);
  // Short schedules so a test sees several ticks of each report.
  policy.digests = digestsSchema.parse([
    { name: 'security-tick', kind: 'security-checklist', cron: '*/2 * * * * *', channel: 'security' },
    // Charts are uploads, paced at Slack's 20 a minute: six every 30 s stays well inside it.
    { name: 'performance-tick', kind: 'performance-review', cron: '*/30 * * * * *', channel: ops },
    { name: 'capacity-tick', kind: 'capacity-review', cron: '15/30 * * * * *', channel: ops },
  ]);
  world = await startWorld('report_ticks', { policy });
  // A second bot on the same database, Redis prefix, Slack and cluster: two report workers, two schedule syncs.
  replica = await startBot({
    env: world.env,
    policy: world.policy,
    logger: createLogger({ level: 'silent' }),
    role: 'all',
    host: '127.0.0.1',
    kubeConfig: world.cluster.kubeConfig(),
  });
});
afterAll(async () => {
  await replica?.stop();
  await world?.stop();
});

const TICK = /Scheduled for <!date\^\d+\^[^|]*\|([^>]+)>/;
const tickOfMessage = (blocks: unknown) => TICK.exec(textOf(blocks))?.[1];

async function postedTicks(digest: string, n: number): Promise<string[]> {
  return eventually(
    async () => {
      const rows = (
        await world.bot.pool.query<{ tick_key: string }>(
          `SELECT tick_key FROM digest_posts WHERE digest = $1 AND posted_at IS NOT NULL ORDER BY tick_key`,
          [digest],
        )
      ).rows;
      return rows.length >= n ? rows.map((r) => r.tick_key) : undefined;
    },
    `${n} ticks of ${digest} posted`,
    60_000,
  );
}

/** Each tick's report is in the channel once: counts the messages per tick whose text starts with `title`. */
function messagesPerTick(channel: string, title: string): Map<string, number> {
  const byTick = new Map<string, number>();
  for (const message of world.slack.messages(channel).filter((m) => m.text.startsWith(title))) {
    const tick = tickOfMessage(message.blocks);
    if (tick) byTick.set(tick, (byTick.get(tick) ?? 0) + 1);
  }
  return byTick;
}

/** Waits until the outbox delivered the first posted tick's charts: the uploads, not the clock. */
async function chartsDelivered(digest: string, n: number): Promise<void> {
  const [tick] = await postedTicks(digest, 1);
  await eventually(async () => {
    const rows = (
      await world.bot.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM slack_outbox WHERE key LIKE $1 AND state = 'delivered'`,
        [`digest:${digest}:${tick}:chart:%`],
      )
    ).rows;
    return rows[0]?.n === n;
  }, `${n} charts of ${digest} delivered`);
}

/** The PNG files uploaded in a message's thread, decoded. */
function threadCharts(channel: string, ts: string) {
  const files = world.slack
    .thread(channel, ts)
    .flatMap((m) => (m.files ?? []) as Array<{ id: string }>)
    .map((f) => world.slack.state.files.get(f.id)!);
  return files.map((f) => ({ name: f.name, mimetype: f.mimetype, png: decodePng(f.content!) }));
}

describe('the recurring reviews on their schedules, with two workers', () => {
  it('post the daily security checklist once per tick, every check passing in the sandbox', async () => {
    await postedTicks('security-tick', 3);
    const byTick = messagesPerTick('security', 'Daily security checklist');
    expect(byTick.size).toBeGreaterThanOrEqual(2);
    expect([...byTick.values()].every((n) => n === 1)).toBe(true);
    const message = world.slack.messages('security').find((m) => m.text.startsWith('Daily security checklist'))!;
    expect(message.text).toBe('Daily security checklist: all 6 checks pass');
    const text = textOf(message.blocks);
    for (const item of [
      'Failed logins',
      'Certificates expiring',
      'security updates',
      'Backup encryption',
      'Suspicious access',
      'Intrusion detection',
    ])
      expect(text).toContain(item);
    expect(text).toContain('1 certificate(s) in production, none expiring soon');
  });

  it('post the weekly performance review once per tick, with four real PNG charts in its thread, each once', async () => {
    await chartsDelivered('performance-tick', 4);
    const byTick = messagesPerTick(ops, 'Weekly performance review');
    expect(byTick.size).toBeGreaterThanOrEqual(1);
    expect([...byTick.values()].every((n) => n === 1)).toBe(true);
    const message = world.slack.messages(ops).find((m) => m.text.startsWith('Weekly performance review'))!;
    const text = textOf(message.blocks);
    for (const heading of [
      'API response time',
      'Database performance',
      'Resource utilisation',
      'Trading performance',
      'Recommendations',
    ])
      expect(text).toContain(heading);
    const charts = threadCharts(ops, message.ts);
    expect(charts.map((c) => c.name.replace(/^performance-\d{4}-\d{2}-\d{2}-/, '')).sort()).toEqual([
      'cpu.png',
      'error-rate.png',
      'latency.png',
      'memory.png',
    ]);
    for (const chart of charts) {
      expect(chart.mimetype).toBe('image/png');
      expect(chart.png.width).toBeGreaterThan(1000);
      expect(chart.png.height).toBeGreaterThan(400);
    }
    // Latency: p50, p95, p99 drawn; CPU: one line per service (eight in the sandbox).
    const latency = charts.find((c) => c.name.endsWith('latency.png'))!.png;
    for (const colour of seriesColours.slice(0, 3)) expect(pixelsOf(latency, colour), colour).toBeGreaterThan(300);
    const cpu = charts.find((c) => c.name.endsWith('cpu.png'))!.png;
    for (const colour of seriesColours) expect(pixelsOf(cpu, colour), colour).toBeGreaterThan(100);
  });

  it('post the monthly capacity review once per tick, with forecast charts', async () => {
    await chartsDelivered('capacity-tick', 2);
    const byTick = messagesPerTick(ops, 'Monthly capacity review');
    expect(byTick.size).toBeGreaterThanOrEqual(1);
    expect([...byTick.values()].every((n) => n === 1)).toBe(true);
    const message = world.slack.messages(ops).find((m) => m.text.startsWith('Monthly capacity review'))!;
    expect(textOf(message.blocks)).toContain('in 3 months');
    const charts = threadCharts(ops, message.ts);
    expect(charts).toHaveLength(2);
    for (const chart of charts) expect(pixelsOf(chart.png, seriesColours[0]!)).toBeGreaterThan(100);
    // Both replicas synced the same schedulers: BullMQ holds one each.
    const schedules = await world.bot.deps.monitoring!.publisher.schedules();
    expect(schedules.map((s) => s.id).sort()).toEqual(['capacity-tick', 'performance-tick', 'security-tick']);
  });
});
