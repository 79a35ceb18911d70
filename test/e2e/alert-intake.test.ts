/**
 * Alert intake end to end: Alertmanager deliveries (v4 payloads, posted over HTTP with the bearer token)
 * to two web replicas on one database, the ops channel's message per group, incidents for critical
 * alerts, and the message's buttons going through the invocation path as the person who clicks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { alertGroupId } from '../../src/alerts/alert-log.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { ephemeralText } from '../support/approvals.ts';
import { alertmanagerPayload, type AlertInput } from '../alerts/alertmanager-payloads.ts';

const TOKEN = 'alert-intake-e2e-token-0123456789';
const ops = 'eafix-ops';
let world: TestWorld;
let replica: RunningBot;

beforeAll(async () => {
  world = await startWorld('alert-intake', { env: { ALERTMANAGER_TOKEN: TOKEN } });
  replica = await startBot({
    env: world.env,
    policy: world.policy,
    logger: createLogger({ level: 'silent' }),
    role: 'web',
    host: '127.0.0.1',
  });
});
afterAll(async () => {
  await replica?.stop();
  await world?.stop();
});

const deliver = async (port: number | undefined, payload: Record<string, unknown>) => {
  const response = await fetch(`http://127.0.0.1:${port}/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(payload),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { group: string; news: number; incident?: string };
};

const count = async (sql: string, params: unknown[]) =>
  (await world.bot.pool.query<{ n: number }>(sql, params)).rows[0]!.n;

/** The group's message in the ops channel, once the outbox has delivered its latest content. */
async function groupMessage(groupKey: string, episode = 1) {
  const key = `alert:${alertGroupId(groupKey)}:${episode}`;
  const ts = await eventually(async () => {
    const row = (
      await world.bot.pool.query<{ ts: string | null; pending: boolean }>(
        `SELECT ts, delivered_version < version AS pending FROM slack_outbox WHERE key = $1`,
        [key],
      )
    ).rows[0];
    return row && !row.pending ? row.ts : undefined;
  }, `alert message ${key} delivered`);
  return world.slack.messages(ops).find((m) => m.ts === ts)!;
}

const alertMessages = (needle: string) => world.slack.messages(ops).filter((m) => textOf(m).includes(needle));

describe('alert intake from Alertmanager', () => {
  it('posts a critical alert once and opens exactly one incident across two replicas and redeliveries', async () => {
    const alerts: AlertInput[] = [
      { name: 'high_error_rate', fingerprint: '0000000000000a01', labels: { service: 'risk-manager' } },
    ];
    const payload = alertmanagerPayload(alerts, '{}:{alertname="high_error_rate",case="once"}');
    // Both replicas at once, then Alertmanager's retries to each.
    const first = await Promise.all([deliver(world.bot.port, payload), deliver(replica.port, payload)]);
    expect(first.map((r) => r.news).sort()).toEqual([0, 1]);
    expect(first[0]!.incident).toBeDefined();
    expect(first[1]!.incident).toBe(first[0]!.incident);
    expect((await deliver(replica.port, payload)).news).toBe(0);
    expect((await deliver(world.bot.port, payload)).news).toBe(0);

    const message = await groupMessage(payload.groupKey as string);
    const text = textOf(message);
    expect(text).toContain('FIRING');
    expect(text).toContain('high_error_rate');
    expect(text).toContain('service=risk-manager');
    expect(text).toContain('value `12%`');
    expect(text).toContain('Troubleshooting Guide: High API Latency');
    expect(text).toContain(`Incident *${first[0]!.incident}* opened`);
    // An incident is open already: no "Open incident" button.
    expect(text).not.toContain('alert:incident');
    expect(alertMessages('service=risk-manager')).toHaveLength(1);
    expect(
      await count(`SELECT count(*)::int AS n FROM incidents WHERE request_id = $1`, [
        `alert-${alertGroupId(payload.groupKey as string)}-1`,
      ]),
    ).toBe(1);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'alert.incident' AND arguments->>'group' = $1`,
        [alertGroupId(payload.groupKey as string)],
      ),
    ).toBe(1);
    expect(
      await count(`SELECT count(*)::int AS n FROM slack_outbox WHERE key LIKE $1`, [`alert:${first[0]!.group}:%`]),
    ).toBe(1);
    // The incident's war room is set up, and its escalation scheduled, as for a declared one.
    await eventually(
      async () =>
        (
          await world.bot.pool.query(`SELECT 1 FROM incidents WHERE id = $1 AND setup ? 'announced'`, [
            first[0]!.incident,
          ])
        ).rowCount === 1,
      'war room announced',
    );
  });

  it('updates the same message when the alerts resolve, and starts a new one when the group fires again', async () => {
    const groupKey = '{}:{alertname="data_feed_failure",case="resolve"}';
    const firing: AlertInput = {
      name: 'data_feed_failure',
      fingerprint: '0000000000000b01',
      labels: { service: 'market-data' },
    };
    const opened = await deliver(world.bot.port, alertmanagerPayload([firing], groupKey));
    const before = await groupMessage(groupKey);
    expect(textOf(before)).toContain('FIRING');
    const resolved = await deliver(replica.port, alertmanagerPayload([{ ...firing, status: 'resolved' }], groupKey));
    expect(resolved.news).toBe(1);
    expect(resolved.incident).toBe(opened.incident);
    const after = await groupMessage(groupKey);
    expect(after.ts).toBe(before.ts);
    expect(textOf(after)).toContain('RESOLVED');
    expect(textOf(after)).not.toContain('"actions"');
    // A late copy of the firing notice changes nothing.
    expect((await deliver(world.bot.port, alertmanagerPayload([firing], groupKey))).news).toBe(0);
    expect(textOf(await groupMessage(groupKey))).toContain('RESOLVED');
    // Firing again (a new start) is a new episode: a new message and a new incident.
    const again = await deliver(
      world.bot.port,
      alertmanagerPayload([{ ...firing, startsAt: '2026-11-30T08:00:00.000Z' }], groupKey),
    );
    expect(again.incident).toBeDefined();
    expect(again.incident).not.toBe(opened.incident);
    const second = await groupMessage(groupKey, 2);
    expect(second.ts).not.toBe(before.ts);
    expect(textOf(second)).toContain('FIRING');
  });

  it('folds a noisy group into one message and opens no incident for warnings', async () => {
    const groupKey = '{}:{alertname="high_cpu_usage",case="noisy"}';
    const alerts: AlertInput[] = Array.from({ length: 14 }, (_, i) => ({
      name: 'high_cpu_usage',
      severity: 'warning' as const,
      fingerprint: `00000000000c${String(i).padStart(4, '0')}`,
      labels: { service: 'signal-generator', pod: `signal-generator-${i}` },
    }));
    const result = await deliver(world.bot.port, alertmanagerPayload(alerts, groupKey));
    expect(result.news).toBe(14);
    expect(result.incident).toBeUndefined();
    const message = await groupMessage(groupKey);
    expect(textOf(message)).toContain('FIRING* (14 of 14)');
    expect(textOf(message)).toContain('and 4 more alert(s)');
    expect(textOf(message)).toContain('alert:incident');
    expect(alertMessages('signal-generator-13')).toHaveLength(0);
    expect(alertMessages('pod=signal-generator-0')).toHaveLength(1);
    expect(
      await count(`SELECT count(*)::int AS n FROM slack_outbox WHERE key LIKE $1`, [`alert:${result.group}:%`]),
    ).toBe(1);
  });

  it('two presses of Open incident at the same instant open one incident; the other presser is pointed at it', async () => {
    const groupKey = '{}:{alertname="inodes_low",case="double-press"}';
    const alert: AlertInput = { name: 'inodes_low', severity: 'warning', fingerprint: '0000000000000d02' };
    await deliver(world.bot.port, alertmanagerPayload([alert], groupKey));
    const message = await groupMessage(groupKey);
    const seen = { alice: world.slack.ephemerals('alice').length, dave: world.slack.ephemerals('dave').length };
    const press = (user: 'alice' | 'dave') =>
      world.driver.clickButton({ user, channel: ops, messageTs: message.ts, actionId: 'alert:incident' });
    await Promise.all([press('alice'), press('dave')]);
    const declared = await world.slack.waitFor(
      (emu) => emu.thread(ops, message.ts).find((m) => m.text.includes('declared')),
      { description: 'one incident declared in the alert thread' },
    );
    const loser = declared.text.includes('<@U0ALICE>') ? 'dave' : 'alice';
    await world.slack.waitFor(() => ephemeralText(world, loser, seen[loser]).includes('is already open for this'), {
      description: `the pointer to the open incident for ${loser}`,
    });
    const opened = await world.bot.pool.query<{ id: string }>(
      `SELECT id FROM incidents WHERE title LIKE 'inodes_low:%'`,
    );
    expect(opened.rows).toHaveLength(1);
    expect(declared.text).toContain(opened.rows[0]!.id);
    expect(world.slack.thread(ops, message.ts).filter((m) => m.text.includes('declared'))).toHaveLength(1);
  });

  it("runs Open incident as the person who clicks: a viewer is refused, an operator's incident lands in the thread", async () => {
    const groupKey = '{}:{alertname="disk_space_low",case="button"}';
    const alert: AlertInput = { name: 'disk_space_low', severity: 'warning', fingerprint: '0000000000000d01' };
    await deliver(world.bot.port, alertmanagerPayload([alert], groupKey));
    const message = await groupMessage(groupKey);
    const seen = world.slack.ephemerals('carol').length;
    await world.driver.clickButton({ user: 'carol', channel: ops, messageTs: message.ts, actionId: 'alert:incident' });
    await world.slack.waitFor(() => ephemeralText(world, 'carol', seen).includes('incident.create'), {
      description: 'refusal for carol',
    });
    await world.driver.clickButton({ user: 'alice', channel: ops, messageTs: message.ts, actionId: 'alert:incident' });
    const reply = await world.slack.waitFor(
      (emu) => emu.thread(ops, message.ts).find((m) => m.text.includes('declared')),
      { description: 'incident declared in the alert thread' },
    );
    expect(reply.text).toContain('<@U0ALICE> declared');
    expect(reply.text).toContain('disk_space_low');
    // The button stays on the message: a second press while that incident is open opens nothing new.
    const seenBob = world.slack.ephemerals('bob').length;
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'alert:incident' });
    await world.slack.waitFor(() => ephemeralText(world, 'bob', seenBob).includes('is already open for this alert'), {
      description: 'the pointer to the open incident',
    });
    expect(
      await count(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'button.click-refused' AND user_id = 'U0BOB' AND outcome = 'rejected:alert_incident_open'`,
        [],
      ),
    ).toBe(1);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'incident create' AND user_id = 'U0ALICE' AND outcome = 'ok' AND arguments->>'title' LIKE 'disk_space_low:%'`,
        [],
      ),
    ).toBe(1);
  });

  it('refuses and audits a button its message no longer offers (the group resolved), and runs nothing', async () => {
    const groupKey = '{}:{alertname="disk_space_low",case="stale-button"}';
    const alert: AlertInput = { name: 'disk_space_low', severity: 'warning', fingerprint: '0000000000000e01' };
    await deliver(world.bot.port, alertmanagerPayload([alert], groupKey));
    // What alice's client still shows after the group resolves and the bot edits the message.
    const shown = structuredClone(await groupMessage(groupKey));
    await deliver(world.bot.port, alertmanagerPayload([{ ...alert, status: 'resolved' }], groupKey));
    await eventually(async () => !textOf(await groupMessage(groupKey)).includes('alert:incident'), 'buttons gone');
    const created = `SELECT count(*)::int AS n FROM audit_log WHERE action = 'incident create'`;
    const before = await count(created, []);
    const seen = world.slack.ephemerals('alice').length;
    await world.driver.clickButton({
      user: 'alice',
      channel: ops,
      messageTs: shown.ts,
      actionId: 'alert:incident',
      shownBlocks: shown.blocks,
    });
    await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('stale or altered'), {
      description: 'the refusal',
    });
    const refused = await eventually(async () => {
      const rows = await world.bot.pool.query(
        `SELECT user_id, arguments, outcome FROM audit_log WHERE action = 'button.click-refused' AND arguments->>'value' = $1`,
        [alertGroupId(groupKey)],
      );
      return rows.rows.length ? rows.rows : undefined;
    }, 'the refusal audited');
    expect(refused).toEqual([
      {
        user_id: 'U0ALICE',
        arguments: { button: 'alert:incident', value: alertGroupId(groupKey) },
        outcome: 'rejected:alert_button_stale',
      },
    ]);
    expect(await count(created, [])).toBe(before);
  });
});
