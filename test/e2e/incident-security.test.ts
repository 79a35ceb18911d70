import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, approvalStatus, ephemeralText, requestIdOf, tradingState } from '../support/approvals.ts';
import {
  checklistOf,
  incidentsOf,
  messagesWith,
  policyWith,
  securityIncidentWithResponders,
} from '../support/incidents.ts';
import type { Incident } from '../../src/handlers/incidents/incident-types.ts';

let world: TestWorld;
let incident: Incident;

beforeAll(async () => {
  const policy = await policyWith({
    responseTeams: [
      {
        types: ['security'],
        severities: ['critical', 'high', 'medium', 'low'],
        users: ['U0DAVE'],
        usergroups: ['@oncall'],
      },
    ],
    containmentIn: 'ops',
    containmentActions: [
      { label: 'Stop trading', command: 'trading stop --reason "Containment for {incident}"', perSystem: false },
      {
        label: 'Isolate {system}',
        command: 'isolate {system} --environment production --reason "Containment for {incident}: isolate {system}"',
        perSystem: true,
      },
      { label: 'Unknown action', command: 'nonsense here', perSystem: false },
    ],
  });
  world = await startWorld('incident_security', { policy });
  incident = await securityIncidentWithResponders(world, 'Suspicious admin logins');
});
afterAll(async () => {
  await world?.stop();
});

const checklist = () => checklistOf(world, incident);
const ops = 'eafix-ops';

describe('a security incident', () => {
  it('is reminded as the runbook’s template says ("Next Update: In 30 minutes"), announced in #security', async () => {
    expect(incident.nextUpdateDue!.getTime() - incident.createdAt.getTime()).toBe(30 * 60_000);
    // Announcements go through the outbox: they land shortly after the incident is set up.
    const security = world.slack.channelId('security');
    await world.slack.waitFor(() => messagesWith(world, security, `${incident.id} declared`).length > 0, {
      description: 'the announcement in #security',
    });
    expect(messagesWith(world, security, `${incident.id} declared`)).toHaveLength(1);
    expect(world.slack.state.channels.get(incident.channelId!)?.members).toEqual(
      expect.arrayContaining(['U0DAVE', 'U0BOB']),
    );
  });

  it('posts the five phases as a checklist with deadlines, ticked with buttons', async () => {
    const text = textOf(checklist()?.blocks);
    const phases = ['Detection and analysis', 'Containment', 'Eradication', 'Recovery', 'Lessons learned'];
    for (const phase of phases) expect(text).toContain(phase);
    expect(text.match(/due by <!date\^/g)).toHaveLength(5);
    expect(JSON.stringify(checklist()?.blocks).match(/"action_id":"incident:phase:\d"/g)).toHaveLength(5);

    await world.driver.clickButton({
      user: 'alice',
      channel: incident.channelId!,
      messageTs: incident.checklistTs!,
      actionId: 'incident:phase:0',
    });
    await world.slack.waitFor(() => textOf(checklist()?.blocks).includes('done by <@U0ALICE>'), {
      description: 'phase 1 ticked',
    });
    expect(JSON.stringify(checklist()?.blocks)).not.toContain('incident:phase:0');
    expect(JSON.stringify(checklist()?.blocks)).toContain('incident:phase:1');
    const events = await incidentsOf(world).deps.store.events(incident.id);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'phase', actor: 'U0ALICE', text: 'phase 1 (Detection and analysis) done' }),
      ]),
    );
  });

  it('offers containment buttons from the policy, for known actions and each affected system', () => {
    const labels = (
      JSON.stringify(checklist()?.blocks).match(
        /"action_id":"incident:contain:\d+","text":\{"type":"plain_text","text":"[^"]+"/g,
      ) ?? []
    ).map((m) => m.replace(/.*"text":"/, '').replace(/"$/, ''));
    expect(labels).toEqual(['Stop trading', 'Isolate auth-service']);
  });

  it('runs a containment button through RBAC and two-person approval', async () => {
    const seen = world.slack.ephemerals('alice').length;
    await world.driver.clickButton({
      user: 'alice',
      channel: incident.channelId!,
      messageTs: incident.checklistTs!,
      actionId: 'incident:contain:0',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    const id = requestIdOf(message);
    expect(textOf(message.blocks)).toContain('set trading: running → stopped');
    expect(textOf(message.blocks)).toContain(`Containment for ${incident.id}`);
    expect(tradingState(world)).toEqual({ state: 'running' });
    // War-room notices go through the outbox: they land shortly after.
    await world.slack.waitFor(() => messagesWith(world, incident.channelId!, id).length === 1, {
      description: 'the containment notice in the war room',
    });

    // The person who pressed it cannot approve it; a second authorised person can.
    const before = world.slack.ephemerals('alice').length;
    await world.driver.clickButton({
      user: 'alice',
      channel: ops,
      messageTs: message.ts,
      actionId: 'approval:approve',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'alice', before).includes('cannot approve your own request'), {
      description: 'self-approval refused',
    });
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    await eventually(async () => (await approvalStatus(world, id)) === 'executed', 'containment executed');
    await eventually(async () => tradingState(world).state === 'stopped', 'trading stopped on the platform');

    const timeline = await world.driver.command({
      user: 'carol',
      channel: incident.channelId!,
      text: 'incident timeline',
    });
    expect(textOf(timeline.body)).toContain(`requested approval \`${id}\``);
    expect(textOf(timeline.body)).toContain(`approval \`${id}\`: executed`);
    expect(textOf(timeline.body)).toContain('Stop trading');
  });

  it('refuses containment to someone without the permission, and records the attempt', async () => {
    const pending = (await world.bot.pool.query(`SELECT count(*)::int AS n FROM approval_requests`)).rows[0].n;
    const seen = world.slack.ephemerals('carol').length;
    await world.driver.clickButton({
      user: 'carol',
      channel: incident.channelId!,
      messageTs: incident.checklistTs!,
      actionId: 'incident:contain:0',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'carol', seen).includes('trading.stop'), {
      description: 'refusal',
    });
    expect((await world.bot.pool.query(`SELECT count(*)::int AS n FROM approval_requests`)).rows[0].n).toBe(pending);
    const events = await incidentsOf(world).deps.store.events(incident.id);
    expect(events.filter((e) => e.kind === 'containment').map((e) => e.data?.outcome)).toEqual([
      'ok',
      'rejected:permission_denied',
    ]);
  });
});
