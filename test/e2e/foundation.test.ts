import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await startWorld('foundation');
});
afterAll(async () => {
  await world?.stop();
});

/** Every audit row, once what has been recorded so far is written (read-only commands are audited after their answer). */
const auditRows = async () => {
  await world.bot.deps.audit.drain();
  return (
    await world.bot.pool.query(
      'SELECT request_id, user_id, channel_id, team_id, action, arguments, outcome FROM audit_log ORDER BY id',
    )
  ).rows;
};

describe('/eafix through signed Slack requests', () => {
  it('answers help with the actions grouped by runbook chapter, ephemerally, and audits it', async () => {
    const before = (await auditRows()).length;
    const response = await world.driver.command({ user: 'carol', channel: 'eafix-ops', text: 'help' });
    expect(response.status).toBe(200);
    const body = response.body as { response_type: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    expect(textOf(body)).toContain('*Bot*');
    expect(textOf(body)).toContain('/eafix whoami');
    const rows = await auditRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({
      user_id: 'U0CAROL',
      action: 'help',
      outcome: 'ok',
      team_id: world.slack.teamId,
    });
    expect(rows.at(-1)?.request_id).toMatch(/^req_[0-9a-f]{12}$/);
  });

  it('answers a read-only command without waiting for its audit row, which follows', async () => {
    const before = (await auditRows()).length;
    // Hold the audit table: inserts wait, reads go on.
    const holder = await world.bot.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE audit_log IN EXCLUSIVE MODE');
      const response = await world.driver.command({ user: 'carol', channel: 'eafix-ops', text: 'help' });
      expect(response.status).toBe(200);
      expect(textOf(response.body)).toContain('/eafix whoami');
      const { rows } = await world.bot.pool.query('SELECT count(*)::int AS n FROM audit_log');
      expect(rows[0].n).toBe(before);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const rows = await auditRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ user_id: 'U0CAROL', action: 'help', outcome: 'ok' });
  });

  it('explains one action: usage, risk, permission and an example', async () => {
    const response = await world.driver.command({ user: 'alice', channel: 'eafix-ops', text: 'help trading stop' });
    const text = textOf(response.body);
    expect(text).toContain('/eafix trading stop [--environment=<environment>] [--graceful] --reason=<reason>');
    expect(text).toContain('destructive');
    expect(text).toContain('`trading.stop`');
    expect(text).toContain('/eafix trading stop --graceful --reason "DB migration 42"');
  });

  it('suggests the closest actions for a typo, and audits the rejection', async () => {
    const response = await world.driver.command({ user: 'alice', channel: 'eafix-ops', text: 'hepl' });
    const text = textOf(response.body);
    expect(text).toContain('`hepl` is not an EAFIX action');
    expect(text).toContain('/eafix help');
    expect((await auditRows()).at(-1)).toMatchObject({
      action: 'unknown',
      outcome: 'rejected:unknown_action',
      arguments: { text: 'hepl' },
    });
  });

  it('shows usage and an example for bad arguments', async () => {
    const response = await world.driver.command({
      user: 'alice',
      channel: 'eafix-ops',
      text: 'audit export --since=forever',
    });
    const text = textOf(response.body);
    expect(text).toContain('`forever` is not a duration');
  });

  it('refuses forged signatures and stale or future timestamps with 401, before any work (audited as refusals only)', async () => {
    const before = (await auditRows()).length;
    const body = 'command=%2Feafix&text=help&user_id=U0ALICE&team_id=T0EAFIX&channel_id=C1';
    // A minute past the 5-minute window either way: a busy machine's delay before sending cannot bring it back inside.
    const now = Math.floor(Date.now() / 1000);
    expect((await world.driver.rawPost({ body, signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await world.driver.rawPost({ body, timestamp: now - 360 })).status).toBe(401);
    expect((await world.driver.rawPost({ body, timestamp: now + 360 })).status).toBe(401);
    expect((await world.driver.rawPost({ body, signature: null })).status).toBe(401);
    const added = (await auditRows()).slice(before);
    expect(added.map((r) => `${r.action} ${r.outcome}`)).toEqual([
      'slack.signature-refused rejected:bad_signature',
      'slack.signature-refused rejected:stale_timestamp',
      'slack.signature-refused rejected:stale_timestamp',
      'slack.signature-refused rejected:missing_headers',
    ]);
  });

  it('processes an Events API retry of an event it already took only once', async () => {
    const publishesFor = (user: string) =>
      world.slack.calls.filter((c) => c.method === 'views.publish' && c.ok && c.args.user_id === user).length;
    const eventId = 'Ev0RETRY0001';
    const first = await world.driver.event({ type: 'app_home_opened', user: 'U0ALICE', tab: 'home' }, { eventId });
    expect(first.status).toBe(200);
    await world.slack.waitFor(() => publishesFor('U0ALICE') === 1, { description: "alice's App Home published" });
    const retry = await world.driver.event(
      { type: 'app_home_opened', user: 'U0ALICE', tab: 'home' },
      { eventId, retryNum: 1, retryReason: 'http_timeout' },
    );
    expect(retry.status).toBe(200);
    expect(retry.headers['x-slack-no-retry']).toBe('1');
    // An event sent after the retry is processed; by the time it lands, a processed retry would have too.
    await world.driver.event({ type: 'app_home_opened', user: 'U0BOB', tab: 'home' }, { eventId: 'Ev0RETRY0002' });
    await world.slack.waitFor(() => publishesFor('U0BOB') === 1, { description: "bob's App Home published" });
    expect(publishesFor('U0ALICE')).toBe(1);
  });

  it('serves health and readiness', async () => {
    const base = `http://127.0.0.1:${world.bot.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });
});
