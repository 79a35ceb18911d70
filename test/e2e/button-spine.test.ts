/**
 * Buttons moved onto the spine (onButton → invoke()): for each, a viewer's click is refused with the
 * permission it needs and audited, the allowed click works once (a second press of the same button on
 * the message as the clicker's client shows it changes nothing more), and a button its message no
 * longer shows is refused and audited. Real PostgreSQL, Redis and the Slack emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmuMessage } from '@eafix/sandbox/slack';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { ephemeralText, reviewList } from '../support/approvals.ts';
import { auditRows, clickPayload, sendPayload } from '../support/slack-security.ts';
import { checklistOf, incidentsOf, policyWith, securityIncidentWithResponders } from '../support/incidents.ts';
import type { Incident } from '../../src/handlers/incidents/incident-types.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  world = await startWorld('button_spine', { policy: await policyWith({}) });
});
afterAll(async () => {
  await world?.stop();
});

/** `user` presses `actionId` on `message` as their client shows it; resolves with what they were told. */
async function press(
  user: string,
  channel: string,
  message: Pick<EmuMessage, 'ts' | 'blocks'>,
  actionId: string,
  told: string,
  ephemeral = false,
) {
  const seen = world.slack.ephemerals(user).length;
  const sent = await sendPayload(world, clickPayload(world, { user, channel, message, actionId, ephemeral }));
  expect(sent.status).toBe(200);
  await world.slack.waitFor(() => ephemeralText(world, user, seen).includes(told) || undefined, {
    description: `${user} told "${told}" after ${actionId}`,
  });
  return ephemeralText(world, user, seen);
}

/** The spine's rows for an action by one person, in order. */
const outcomesOf = async (action: string, user: string) =>
  (await auditRows(world, action)).filter((r) => r.user_id === user).map((r) => r.outcome);

describe('Sign off (break-glass review)', () => {
  it('refuses and audits a viewer; the reviewer signs off once', async () => {
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'trading stop --reason "emergency use for the button spine test" --break-glass',
    });
    const use = await eventually(async () => {
      const rows = await world.bot.pool.query<{ id: string }>(
        'SELECT id FROM break_glass_uses WHERE reviewed_by IS NULL',
      );
      return rows.rows[0]?.id;
    }, 'the break-glass use');
    const list = await reviewList(world, 'alice', ops, use);

    // Carol (a viewer) presses the button on a copy of the list: refused, audited, nothing signed off.
    await press('carol', ops, list, 'breakglass:signoff', 'approvals.review', true);
    await eventually(
      async () => (await outcomesOf('approvals signoff', 'U0CAROL')).includes('rejected:permission_denied'),
      "carol's refusal audited",
    );
    const reviewedBy = async () =>
      (await world.bot.pool.query('SELECT reviewed_by FROM break_glass_uses WHERE id = $1', [use])).rows[0]
        ?.reviewed_by;
    expect(await reviewedBy()).toBeNull();

    await press('alice', ops, list, 'breakglass:signoff', `Signed off break-glass use \`${use}\``, true);
    const again = await press('alice', ops, list, 'breakglass:signoff', 'Already reviewed', true);
    expect(again).toContain('<@U0ALICE>');
    expect(await reviewedBy()).toBe('U0ALICE');
    expect(await outcomesOf('approvals signoff', 'U0ALICE')).toEqual([
      'started',
      'ok',
      'started',
      'rejected:break_glass_reviewed',
    ]);
  });
});

describe('incident buttons', () => {
  let incident: Incident;
  let room: string;
  let template: EmuMessage;
  let checklist: EmuMessage;
  beforeAll(async () => {
    incident = await securityIncidentWithResponders(world, 'Button spine drill');
    room = world.slack.state.channels.get(incident.channelId!)!.name;
    // What the responders' clients show now, kept while the bot edits the messages.
    template = structuredClone(world.slack.state.findMessage(incident.channelId!, incident.templateTs!)!);
    checklist = structuredClone(checklistOf(world, incident)!);
  });
  const events = async (kind: string) =>
    (await incidentsOf(world).deps.store.events(incident.id)).filter((e) => e.kind === kind);

  it.each([
    ['incident:ack', 'incident ack', 'incident.ack', () => template],
    ['incident:commander', 'incident commander', 'incident.commander', () => template],
    ['incident:phase:0', 'incident phase', 'incident.update', () => checklist],
  ])('%s refuses and audits a viewer, and changes nothing', async (button, action, permission, message) => {
    await press('carol', room, message(), button, permission);
    await eventually(
      async () => (await outcomesOf(action, 'U0CAROL')).includes('rejected:permission_denied'),
      "carol's refusal audited",
    );
    const stored = await incidentsOf(world).deps.store.get(incident.id);
    expect(stored?.acknowledgedBy).toBeUndefined();
    expect(stored?.phasesDone['0']).toBeUndefined();
    expect((await events('commander')).filter((e) => e.actor === 'U0CAROL')).toEqual([]);
  });

  it('Acknowledge works once: the second press is told who acknowledged', async () => {
    await press('alice', room, template, 'incident:ack', `You acknowledged ${incident.id}`);
    await press('alice', room, template, 'incident:ack', `already acknowledged by <@U0ALICE>`);
    expect(await events('acknowledged')).toHaveLength(1);
    expect((await incidentsOf(world).deps.store.get(incident.id))?.acknowledgedBy).toBe('U0ALICE');
  });

  it("I'm commander works once: the second press changes nothing", async () => {
    await press('bob', room, template, 'incident:commander', `<@U0BOB> is now the commander of ${incident.id}`);
    await press('bob', room, template, 'incident:commander', `<@U0BOB> is already the commander`);
    expect((await events('commander')).filter((e) => e.actor === 'U0BOB')).toHaveLength(1);
  });

  it('Mark done works once, from the checklist as first shown', async () => {
    await press('alice', room, checklist, 'incident:phase:0', `Phase 1 of ${incident.id} marked done`);
    await press('alice', room, checklist, 'incident:phase:0', `Phase 1 of ${incident.id} was already done`);
    expect(await events('phase')).toHaveLength(1);
  });

  it('a containment button runs its command as a viewer, whose refusal by that command is audited', async () => {
    await press('carol', room, checklist, 'incident:contain:0', 'security.isolate');
    await eventually(
      async () => (await outcomesOf('isolate', 'U0CAROL')).includes('rejected:permission_denied'),
      "carol's refusal audited",
    );
    expect((await events('containment')).map((e) => e.data?.outcome)).toEqual(['rejected:permission_denied']);
  });

  it('a containment button asks for its change once: a second press points to the waiting request', async () => {
    const pending = async () =>
      (
        await world.bot.pool.query<{ id: string; requester: string }>(
          `SELECT id, requester FROM approval_requests WHERE action = 'isolate' AND status = 'pending'`,
        )
      ).rows;
    await press('alice', room, checklist, 'incident:contain:0', 'Approval requested');
    const [request] = await eventually(async () => ((await pending()).length ? pending() : undefined), 'the request');
    const again = await press('bob', room, checklist, 'incident:contain:0', 'was already requested by <@U0ALICE>');
    expect(again).toContain(request!.id);
    expect(await pending()).toEqual([{ id: request!.id, requester: 'U0ALICE' }]);
    expect(await outcomesOf('incident contain', 'U0BOB')).toEqual(['started', 'rejected:containment_pending']);
  });

  it('refuses and audits a button of a resolved incident (its messages no longer show buttons)', async () => {
    await world.driver.command({
      user: 'alice',
      channel: room,
      text: 'incident resolve --summary "drill over, nothing was lost"',
    });
    await eventually(
      async () => (await incidentsOf(world).deps.store.get(incident.id))?.status === 'resolved',
      'the incident resolved',
    );
    const refusals = (await auditRows(world, 'incident.click-refused')).length;
    await press('bob', room, checklist, 'incident:phase:1', `${incident.id} is resolved`);
    const rows = await eventually(async () => {
      const found = (await auditRows(world, 'incident.click-refused')).slice(refusals);
      return found.length ? found : undefined;
    }, 'the refusal row');
    expect(rows).toMatchObject([
      { user_id: 'U0BOB', arguments: { incident: incident.id }, outcome: 'rejected:not_bound' },
    ]);
    expect(String(rows[0]!.detail)).toContain('is resolved');
    expect(await events('phase')).toHaveLength(1);
  });
});

describe('remedy buttons', () => {
  it("run the runbook's command as the clicker: a viewer is refused by its permission and audited", async () => {
    // A diagnosis's findings as posted in a channel, with one remedy button.
    const diagnosis = {
      ts: '1700000000.000100',
      blocks: [
        {
          type: 'actions',
          block_id: 'remedies',
          elements: [
            {
              type: 'button',
              action_id: 'diagnose:remedy:0',
              text: { type: 'plain_text', text: 'Scale risk-manager to 5' },
              value: 'scale risk-manager 5 --reason "runbook remedy for the spine test"',
            },
          ],
        },
      ],
    };
    await press('carol', ops, diagnosis, 'diagnose:remedy:0', 'cluster.scale');
    await eventually(
      async () => (await outcomesOf('scale', 'U0CAROL')).includes('rejected:permission_denied'),
      "carol's refusal audited",
    );
    const requests = await world.bot.pool.query(`SELECT id FROM approval_requests WHERE action = 'scale'`);
    expect(requests.rows).toEqual([]);
  });
});
