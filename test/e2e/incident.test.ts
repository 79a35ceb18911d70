import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { ephemeralText } from '../support/approvals.ts';
import { declare, incidentTitled, incidentsOf, messagesWith, policyWith } from '../support/incidents.ts';
import { warRoomName } from '../../src/handlers/incidents/incident-naming.ts';
import { formatIncidentId } from '../../src/store/pg-incident-store.ts';
import { pageKey } from '../../src/handlers/incidents/incident-timing.ts';
import { timerJobId } from '../../src/jobs/incident-timers.ts';
import { IncidentTimerQueue } from '../../src/jobs/incident-timers.ts';
import { createLogger } from '../../src/logger.ts';

let world: TestWorld;
let timers: IncidentTimerQueue;

beforeAll(async () => {
  const policy = await policyWith({
    responseTeams: [
      { types: ['ops'], severities: ['critical', 'high', 'medium'], users: ['U0ALICE'], usergroups: ['@oncall'] },
      // A user who does not exist: every low-severity war room has one failed invite.
      { types: ['ops'], severities: ['low'], users: ['U0ALICE', 'U0GHOST'], usergroups: [] },
    ],
    updateInterval: { critical: 1_800_000, high: 1_800_000, medium: 300, low: 1_800_000 },
  });
  world = await startWorld('incident', { policy });
  // A second handle on the bot's timer queue, to look at scheduled jobs.
  timers = new IncidentTimerQueue({
    connection: world.bot.redis,
    prefix: world.env.REDIS_PREFIX,
    logger: createLogger({ level: 'silent' }),
  });
});
afterAll(async () => {
  await timers?.close();
  await world?.stop();
});

const channelOf = (id: string) => world.slack.state.channels.get(id)!;
const jobState = async (incidentId: string, kind: 'reminder' | 'escalate' | 'phase', n: number) =>
  (await (await timers.queue.open()).getJob(timerJobId({ incidentId, kind, n })))?.getState() ?? 'absent';

describe('declaring an incident', () => {
  it('opens a war room named from the id, with topic, purpose, team, pinned template and an announcement', async () => {
    const incident = await declare(world, {
      title: 'Broker rejects orders',
      systems: 'execution-engine,risk-manager',
      extra: '--description "Rejections since 14:02"',
    });
    expect(incident.id).toMatch(/^INC-\d{8}-\d{3}$/);
    const channel = channelOf(incident.channelId!);
    expect(channel.name).toBe(warRoomName('inc', incident.id));
    expect(channel.topic.value).toContain('HIGH');
    expect(channel.topic.value).toContain('Investigating');
    expect(channel.topic.value).toContain('Commander: unassigned');
    expect(channel.purpose.value).toContain(incident.id);
    // The requester, the policy's user and the @oncall group's members (looked up in Slack).
    expect(channel.members).toEqual(expect.arrayContaining(['U0ALICE', 'U0BOB']));
    expect(channel.members).not.toContain('U0CAROL');
    expect(world.slack.callsTo('usergroups.users.list').length).toBeGreaterThan(0);

    const pins = world.slack.state.pins.get(channel.id) ?? [];
    expect(pins.map((p) => p.ts)).toEqual([incident.templateTs]);
    const template = textOf(world.slack.state.findMessage(channel.id, incident.templateTs!)?.blocks);
    for (const field of [
      'Incident ID',
      'Severity',
      'Type',
      'Time',
      'Affected Systems',
      'Current Status',
      'Response Team',
      'Next Update',
    ]) {
      expect(template).toContain(`*${field}:*`);
    }
    expect(template).toContain(incident.id);
    expect(template).toContain('execution-engine, risk-manager');
    expect(template).toContain('<@U0ALICE>, @oncall');
    expect(template).toContain('In 30 minutes');

    const announcement = messagesWith(world, world.slack.channelId('eafix-incidents'), incident.id).at(-1);
    expect(announcement?.text).toContain(`<#${channel.id}>`);
    expect(textOf(announcement?.blocks)).toContain('https://eafix.slack.com/archives/');
    // The person who declared it is told where to go, in the channel they typed in.
    expect(messagesWith(world, world.slack.channelId('eafix-ops'), `declared *${incident.id}*`)).toHaveLength(1);
  });

  it('takes the next name when someone else holds the channel name (name_taken)', async () => {
    const today = new Date();
    const day = today.toISOString().slice(0, 10);
    const seq =
      (await world.bot.pool.query<{ last_seq: number }>('SELECT last_seq FROM incident_days WHERE day = $1', [day]))
        .rows[0]?.last_seq ?? 0;
    const expectedId = formatIncidentId(today, seq + 1);
    const squatter = world.slack.addChannel({ name: warRoomName('inc', expectedId), members: ['U0CAROL'] });

    const incident = await declare(world, { title: 'Name collision', severity: 'medium' });
    expect(incident.id).toBe(expectedId);
    expect(incident.channelId).not.toBe(squatter.id);
    expect(channelOf(incident.channelId!).name).toBe(warRoomName('inc', expectedId, 2));
    expect(world.slack.messages(squatter.id)).toHaveLength(0);
    await incidentsOf(world).resolve(incident, 'test over', 'U0ALICE');
  });

  it('never creates a second channel on retry: adopts the one a crashed attempt made, and races settle on one', async () => {
    const service = incidentsOf(world);
    const request = {
      title: 'Crashed half-way',
      severity: 'high' as const,
      type: 'ops' as const,
      systems: ['gateway'],
      requestedBy: 'U0ALICE',
      requestId: 'req_crash_test',
    };
    // The crash: the record exists and the bot created the channel, but died before recording its id.
    const { incident } = await service.deps.store.create(
      { ...request, description: '', teamId: world.slack.teamId },
      new Date(),
      new Date(Date.now() + 60_000),
    );
    const name = warRoomName('inc', incident.id);
    await service.deps.store.claimChannelName(incident.id, name);
    const orphan = await world.bot.deps.notifier.createChannel(name);
    if (!('id' in orphan)) throw new Error('channel not created');

    const [first, second] = await Promise.all([service.open(request), service.open(request)]);
    expect(first.id).toBe(incident.id);
    expect(second.id).toBe(incident.id);
    // Both opens start the same set-up run, which adopts the orphan channel.
    expect(first.setupRunId).toBeDefined();
    expect(second.setupRunId).toBe(first.setupRunId);
    const setUp = await incidentTitled(world, 'Crashed half-way');
    expect(setUp.channelId).toBe(orphan.id);
    const warRooms = [...world.slack.state.channels.values()].filter((c) => c.name.startsWith(name));
    expect(warRooms).toHaveLength(1);
    expect(world.slack.state.pins.get(orphan.id)).toHaveLength(1);
    await service.resolve((await service.deps.store.get(incident.id))!, 'test over', 'U0ALICE');
  });

  it('reports a failed invite in the war room and carries on', async () => {
    const incident = await declare(world, { title: 'Ghost on the team', severity: 'low' });
    const channel = channelOf(incident.channelId!);
    expect(channel.members).toContain('U0ALICE');
    const warning = messagesWith(world, channel.id, 'could not be added');
    expect(warning).toHaveLength(1);
    expect(warning[0]!.text).toContain('<@U0GHOST> (user_not_found)');
    expect(world.slack.state.pins.get(channel.id)).toHaveLength(1);
    expect(await incidentsOf(world).deps.store.events(incident.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'invite-failed' })]),
    );
  });

  it('opens a form when given no options, and declares from it', async () => {
    await world.driver.command({ user: 'alice', channel: 'eafix-ops', text: 'incident create' });
    const modal = await world.slack.waitFor((emu) => emu.openModals('U0ALICE').at(-1), {
      description: 'incident form',
    });
    expect(textOf(modal.view.blocks)).toContain('execution-engine');
    const empty = await world.driver.submitView({ user: 'alice', viewId: modal.id, values: { title: '' } });
    expect(empty.outcome).toBe('errors');
    await world.driver.submitView({
      user: 'alice',
      viewId: modal.id,
      values: {
        title: 'Declared from the form',
        severity: 'critical',
        type: 'ops',
        systems: ['market-data'],
        description: 'stale prices',
      },
    });
    const incident = await incidentTitled(world, 'Declared from the form');
    expect(incident).toMatchObject({
      severity: 'critical',
      type: 'ops',
      systems: ['market-data'],
      description: 'stale prices',
      requestedBy: 'U0ALICE',
    });
  });
});

describe('declaring as the runbook writes it', () => {
  it('takes `--type --severity --description` without a title: the description is the title', async () => {
    await world.driver.command({
      user: 'alice',
      channel: 'eafix-ops',
      text: 'incident create --type=security --severity=high --description="Repeated failed admin logins from one ASN"',
    });
    const incident = await incidentTitled(world, 'Repeated failed admin logins from one ASN');
    expect(incident).toMatchObject({ severity: 'high', type: 'security', requestedBy: 'U0ALICE' });
  });
});

describe('running an incident', () => {
  it('assigns a commander from the button and posts updates that reset the reminder', async () => {
    const incident = await declare(world, { title: 'Latency above one second' });
    const room = incident.channelId!;
    await world.driver.clickButton({
      user: 'bob',
      channel: room,
      messageTs: incident.templateTs!,
      actionId: 'incident:commander',
    });
    await world.slack.waitFor(() => channelOf(room).topic.value.includes('<@U0BOB>'), {
      description: 'commander in topic',
    });
    expect(channelOf(room).members).toContain('U0BOB');

    const before = await jobState(incident.id, 'reminder', 0);
    expect(before).toBe('delayed');
    await world.driver.command({
      user: 'bob',
      channel: room,
      text: 'incident update Cache stampede after deploy --status identified',
    });
    await world.slack.waitFor(() => messagesWith(world, room, 'Cache stampede after deploy').length === 1, {
      description: 'update posted',
    });
    await world.slack.waitFor(() => channelOf(room).topic.value.includes('Identified'), {
      description: 'status in topic',
    });
    // The pinned template is edited through the outbox: it follows shortly.
    await world.slack.waitFor(
      () => textOf(world.slack.state.findMessage(room, incident.templateTs!)?.blocks).includes('Identified'),
      { description: 'status in the template' },
    );
    // The reminder restarts: the old job is gone, a new one waits a full interval.
    expect(await jobState(incident.id, 'reminder', 0)).toBe('absent');
    expect(await jobState(incident.id, 'reminder', 1)).toBe('delayed');
  });

  it('reminds the war room when an update is due', async () => {
    const incident = await declare(world, { title: 'Reminder due', severity: 'medium' });
    await world.slack.waitFor(() => messagesWith(world, incident.channelId!, 'an update on').length > 0, {
      description: 'reminder',
      timeoutMs: 10_000,
    });
    expect(messagesWith(world, incident.channelId!, 'an update on')[0]!.text).toContain('<@U0ALICE>');
    await incidentsOf(world).resolve((await incidentsOf(world).deps.store.get(incident.id))!, 'test over', 'U0ALICE');
  });

  it('acknowledging stops escalation: no job left, and a late job pages nobody', async () => {
    const incident = await declare(world, { title: 'Acknowledged early' });
    expect(await jobState(incident.id, 'escalate', 2)).toBe('delayed');
    const seen = world.slack.ephemerals('bob').length;
    await world.driver.clickButton({
      user: 'bob',
      channel: incident.channelId!,
      messageTs: incident.templateTs!,
      actionId: 'incident:ack',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'bob', seen).includes('You acknowledged'), {
      description: 'ack',
    });
    expect(await jobState(incident.id, 'escalate', 2)).toBe('absent');
    expect(await jobState(incident.id, 'escalate', 3)).toBe('absent');
    await world.slack.waitFor(
      () =>
        !JSON.stringify(world.slack.state.findMessage(incident.channelId!, incident.templateTs!)?.blocks).includes(
          'incident:ack',
        ),
      { description: 'the ack button gone from the template' },
    );
    // A job that was already running when the ack landed stands down.
    await incidentsOf(world).onTimer({ incidentId: incident.id, kind: 'escalate', n: 2 });
    expect(world.pagerduty.events.filter((e) => e.dedup_key === pageKey(incident.id))).toHaveLength(0);
    expect((await incidentsOf(world).deps.store.get(incident.id))?.escalationLevel).toBe(1);
  });

  it('lists open incidents and shows timelines to viewers, who may not declare', async () => {
    const incident = await declare(world, { title: 'Visible to viewers' });
    const list = await world.driver.command({ user: 'carol', channel: 'eafix-ops', text: 'incidents' });
    expect(textOf(list.body)).toContain(incident.id);
    const timeline = await world.driver.command({
      user: 'carol',
      channel: 'eafix-ops',
      text: `incident timeline --id ${incident.id}`,
    });
    expect(textOf(timeline.body)).toContain('declared high ops incident');
    expect(textOf(timeline.body)).toContain('war room');
    const refused = await world.driver.command({
      user: 'carol',
      channel: 'eafix-ops',
      text: 'incident create --title "Not allowed" --severity low',
    });
    expect(textOf(refused.body)).toContain('incident.create');
    const outside = await world.driver.command({ user: 'alice', channel: 'eafix-ops', text: 'incident ack' });
    expect(textOf(outside.body)).toContain('not an incident war room');
  });
});

describe('resolving an incident', () => {
  it('posts the final update, sets the topic, cancels timers and uploads a postmortem draft', async () => {
    const incident = await declare(world, { title: 'Resolved with postmortem', systems: 'market-data' });
    const room = incident.channelId!;
    await world.driver.command({ user: 'alice', channel: room, text: 'incident update Feed reconnected, watching' });
    await world.slack.waitFor(() => messagesWith(world, room, 'Feed reconnected').length === 1, {
      description: 'update',
    });
    await world.driver.command({
      user: 'alice',
      channel: room,
      text: 'incident resolve --summary "Market data feed failed over to the backup"',
    });

    const file = await world.slack.waitFor(
      (emu) => [...emu.state.files.values()].find((f) => f.name === `postmortem-${incident.id}.md` && f.completed),
      { description: 'postmortem file' },
    );
    expect(Object.keys(file.shares.public)).toContain(room);
    const markdown = file.content!.toString('utf8');
    expect(markdown).toContain(`# Postmortem draft: ${incident.id}`);
    expect(markdown).toContain('Market data feed failed over to the backup');
    expect(markdown).toContain('## Timeline (UTC)');
    expect(markdown).toContain('Feed reconnected, watching');
    expect(markdown).toContain('## Lessons learned');
    expect(markdown).toContain('Action items');

    expect(messagesWith(world, room, `${incident.id} resolved`)).toHaveLength(1);
    expect(channelOf(room).topic.value).toContain('Resolved');
    const resolved = await incidentsOf(world).deps.store.get(incident.id);
    expect(resolved?.status).toBe('resolved');
    for (const [kind, n] of [
      ['reminder', resolved!.reminderSeq],
      ['escalate', 2],
      ['escalate', 3],
    ] as const) {
      expect(await jobState(incident.id, kind, n)).toBe('absent');
    }
    const list = await world.driver.command({ user: 'alice', channel: 'eafix-ops', text: 'incidents' });
    expect(textOf(list.body)).not.toContain(incident.id);
    await eventually(
      async () => messagesWith(world, world.slack.channelId('eafix-incidents'), `${incident.id} resolved`).length === 1,
      'resolution announced',
    );
  });
});
