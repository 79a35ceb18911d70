import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSecurityPosture } from '@eafix/sandbox/prometheus';
import { digestsSchema } from '../../src/config/monitoring-policy.ts';
import { createLogger } from '../../src/logger.ts';
import { postDigest } from '../../src/handlers/monitoring/digest-post.ts';
import { PgDigestPosts } from '../../src/store/pg-digest-posts.ts';
import { ephemeralText } from '../support/approvals.ts';
import { eventually } from '../support/eventually.ts';
import { policyWith } from '../support/incidents.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';

const logger = createLogger({ level: 'silent' });
const DAY_MS = 86_400_000;
let world: TestWorld;

beforeAll(async () => {
  const policy = await policyWith({});
  // Posted on demand only: the test makes the ticks itself.
  policy.digests = digestsSchema.parse([
    { name: 'checklist', kind: 'security-checklist', cron: '0 7 * * *', channel: 'security', enabled: false },
  ]);
  world = await startWorld('security_checklist', { policy });
  // Three updates pending, backups unencrypted (critical), two suspicious accesses the platform flagged,
  // intrusion detection silent (no data), a certificate 10 days from expiry.
  setSecurityPosture(world.prometheus, { pendingUpdates: 3, backupEncrypted: 0, suspiciousAccess: 2, idsUp: null });
  world.cluster.setCertificate('eafix-production', 'eafix-api-tls', { notAfter: new Date(Date.now() + 10 * DAY_MS) });
});
afterAll(async () => {
  await world?.stop();
});

const incidentTitles = async () =>
  (await world.bot.pool.query<{ title: string; severity: string }>(`SELECT title, severity FROM incidents`)).rows;

describe('the daily security checklist with failing items', () => {
  let messageTs = '';

  it('marks each failing item, offers an incident for it, and opens one for the critical failure once', async () => {
    const tick = {
      digest: 'checklist',
      tickKey: '2026-11-30T07:00:00.000Z',
      claimer: 'job-a',
      scheduledAt: new Date('2026-11-30T07:00:00.000Z'),
    };
    const posts = new PgDigestPosts(world.bot.pool);
    const first = await postDigest(world.bot.deps, world.bot.deps.notifier, posts, tick, logger);
    expect(first.posted).toBe(true);
    // The same tick again (another worker, later): nothing is posted and no second incident is opened.
    const again = await postDigest(
      world.bot.deps,
      world.bot.deps.notifier,
      posts,
      { ...tick, claimer: 'job-b' },
      logger,
    );
    expect(again).toEqual({ posted: false, why: 'already-posted' });

    const messages = world.slack.messages('security').filter((m) => m.text.startsWith('Daily security checklist'));
    expect(messages).toHaveLength(1);
    const message = messages[0]!;
    messageTs = message.ts;
    expect(message.text).toContain('5 of 6 need attention');
    const text = textOf(message.blocks);
    expect(text).toContain(':x: *Pending security updates*\npending security update(s): 3 (fails above 0)');
    expect(text).toContain(':x: *Backup encryption* *(critical)*');
    expect(text).toContain(':x: *Suspicious access review*\nBot: nothing suspicious');
    expect(text).toContain('Platform: suspicious accesses the platform flagged in 24 h: 2 (fails above 0)');
    expect(text).toContain(':grey_question: *Intrusion detection*\nunknown (no data for `min(eafix_ids_up)`)');
    expect(text).toContain('`eafix-api-tls` expires in 9 d');
    expect(text).toContain(
      ':white_check_mark: *Failed logins in 24 h*\nPlatform: failed logins to the platform in 24 h: 3 (fails above 100)\nBot: ',
    );
    expect(JSON.stringify(message.blocks).match(/"action_id":"checklist:incident:\d"/g)).toHaveLength(5);

    const titles = await eventually(async () => {
      const rows = await incidentTitles();
      return rows.length > 0 ? rows : undefined;
    }, 'the automatic incident');
    expect(titles).toEqual([{ title: 'Daily security checklist: Backup encryption failed', severity: 'critical' }]);
    await world.slack.waitFor(
      () => world.slack.thread('security', message.ts).some((m) => m.text.includes('opened security incident')),
      { description: 'the note in the checklist thread' },
    );
  });

  it('"Open security incident" runs incident create as the person who clicks, refused without the permission', async () => {
    const seenCarol = world.slack.ephemerals('carol').length;
    await world.driver.clickButton({
      user: 'carol',
      channel: 'security',
      messageTs,
      actionId: 'checklist:incident:1',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'carol', seenCarol).includes('incident.create'), {
      description: 'the refusal',
    });
    expect(await incidentTitles()).toHaveLength(1);

    await world.driver.clickButton({ user: 'alice', channel: 'security', messageTs, actionId: 'checklist:incident:1' });
    const titles = await eventually(async () => {
      const rows = await incidentTitles();
      return rows.length === 2 ? rows : undefined;
    }, 'the incident alice opened');
    expect(titles).toContainEqual({
      title: 'Daily security checklist: Certificates expiring within 30 days failed',
      severity: 'high',
    });
    const audit = await eventually(async () => {
      const rows = (
        await world.bot.pool.query<{ user_id: string; outcome: string }>(
          `SELECT user_id, outcome FROM audit_log WHERE action = 'incident create' AND outcome <> 'started' ORDER BY id`,
        )
      ).rows;
      return rows.length >= 2 ? rows : undefined;
    }, 'both clicks audited');
    expect(audit).toEqual([
      { user_id: 'U0CAROL', outcome: 'rejected:permission_denied' },
      { user_id: 'U0ALICE', outcome: 'ok' },
    ]);
  });

  it('a second press while the item’s incident is open opens nothing new, nor does a press on the automatic one', async () => {
    const refusals = async () =>
      (
        await world.bot.pool.query<{ user_id: string; outcome: string }>(
          `SELECT user_id, outcome FROM audit_log WHERE action = 'button.click-refused' ORDER BY id`,
        )
      ).rows;
    // Item 1 (certificates) was opened by alice's press above; item 3 (backup encryption) automatically.
    for (const button of ['checklist:incident:1', 'checklist:incident:3']) {
      const seen = world.slack.ephemerals('bob').length;
      await world.driver.clickButton({ user: 'bob', channel: 'security', messageTs, actionId: button });
      await world.slack.waitFor(() => ephemeralText(world, 'bob', seen).includes('is already open for this'), {
        description: `the pointer to the open incident after ${button}`,
      });
    }
    expect(await incidentTitles()).toHaveLength(2);
    expect(await eventually(async () => ((await refusals()).length === 2 ? refusals() : undefined), 'audited')).toEqual(
      [
        { user_id: 'U0BOB', outcome: 'rejected:checklist_incident_open' },
        { user_id: 'U0BOB', outcome: 'rejected:checklist_incident_open' },
      ],
    );
  });
});
