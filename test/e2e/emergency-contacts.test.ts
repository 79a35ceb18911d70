import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactPageKey } from '../../src/handlers/incidents/contact-page.ts';
import type { Incident } from '../../src/handlers/incidents/incident-types.ts';
import { eventually } from '../support/eventually.ts';
import { ephemeralText } from '../support/approvals.ts';
import {
  checklistOf,
  incidentsOf,
  messagesWith,
  policyWith,
  securityIncidentWithResponders,
} from '../support/incidents.ts';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';

let world: TestWorld;
let incident: Incident;

beforeAll(async () => {
  world = await startWorld('emergency_contacts', { policy: await policyWith({}) });
  incident = await securityIncidentWithResponders(world, 'Exfiltration suspected');
});
afterAll(async () => {
  await world?.stop();
});

const checklist = () => checklistOf(world, incident);
const runbookRoles = ['Security Team Lead', 'CISO', 'Legal Counsel', 'External Security Firm'];
const auditRows = async (outcome: string) =>
  (
    await world.bot.pool.query<{ user_id: string; arguments: Record<string, unknown> }>(
      `SELECT user_id, arguments FROM audit_log WHERE action = 'contacts page' AND outcome = $1`,
      [outcome],
    )
  ).rows;

describe("the runbook's emergency contacts", () => {
  it('are listed by `/eafix contacts` in escalation order, with their numbers', async () => {
    const reply = await world.driver.command({ user: 'carol', channel: 'eafix-ops', text: 'contacts' });
    const text = textOf(reply.body);
    const positions = runbookRoles.map((role) => text.indexOf(`*${role}*`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain('+1-555-CISO-123');
    expect(text).toContain('+1-555-EXT-SEC');
  });

  it('are on the security checklist with a Page button each', () => {
    const json = JSON.stringify(checklist()?.blocks);
    expect(json.match(/"action_id":"incident:page:\d"/g)).toHaveLength(4);
    for (const role of runbookRoles) expect(json).toContain(`Page ${role}`);
  });

  it('Page pages the contact through PagerDuty once, tells the war room and audits the click', async () => {
    for (let i = 0; i < 2; i++) {
      const seen = world.slack.ephemerals('alice').length;
      await world.driver.clickButton({
        user: 'alice',
        channel: incident.channelId!,
        messageTs: incident.checklistTs!,
        actionId: 'incident:page:1',
      });
      await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('CISO'), {
        description: `the answer to click ${i + 1}`,
      });
    }
    const key = contactPageKey(incident.id, 'ciso');
    const triggers = world.pagerduty.events.filter((e) => e.dedup_key === key && e.event_action === 'trigger');
    // PagerDuty dedups on the key: the second click re-sends the same alert rather than a second one.
    expect(triggers.length).toBe(2);
    expect(JSON.stringify(triggers[0])).toContain('CISO');
    await world.slack.waitFor(() => messagesWith(world, incident.channelId!, 'paged the *CISO*').length > 0, {
      description: 'the war-room notice',
    });
    expect(messagesWith(world, incident.channelId!, 'paged the *CISO*')).toHaveLength(1);
    const events = await incidentsOf(world).deps.store.events(incident.id);
    expect(events.filter((e) => e.kind === 'paged')).toEqual([
      expect.objectContaining({ actor: 'U0ALICE', data: { contact: 'ciso' } }),
    ]);
    const ok = await eventually(async () => {
      const rows = await auditRows('ok');
      return rows.length === 2 ? rows : undefined;
    }, 'two audit rows for the clicks');
    expect(ok[0]).toMatchObject({ user_id: 'U0ALICE', arguments: { contact: 'ciso', id: incident.id } });
  });

  it('refuses someone without incident.page, pages nobody, and records the refusal', async () => {
    const before = world.pagerduty.events.length;
    const seen = world.slack.ephemerals('carol').length;
    await world.driver.clickButton({
      user: 'carol',
      channel: incident.channelId!,
      messageTs: incident.checklistTs!,
      actionId: 'incident:page:2',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'carol', seen).includes('incident.page'), {
      description: 'the refusal',
    });
    expect(world.pagerduty.events.length).toBe(before);
    await eventually(
      async () => (await auditRows('rejected:permission_denied')).length === 1,
      'the refusal in the audit log',
    );
  });

  it('resolving the incident resolves the contact pages', async () => {
    await world.driver.command({
      user: 'alice',
      channel: incident.channelId!,
      text: 'incident resolve --summary "Contained and verified"',
    });
    await world.pagerduty.waitFor(
      (e) => e.dedup_key === contactPageKey(incident.id, 'ciso') && e.event_action === 'resolve',
      { timeoutMs: 10_000 },
    );
    await world.slack.waitFor(() => !JSON.stringify(checklist()?.blocks).includes('incident:page:'), {
      description: 'the Page buttons gone from the resolved checklist',
    });
  });
});
