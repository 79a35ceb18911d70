import { AppError } from '../../app-error.ts';
import type { IncidentDeps } from './incident-deps.ts';
import { warRoomName } from './incident-naming.ts';
import { announcement, purposeText, templateMessage, topicText } from './incident-template.ts';
import { reminderIntervalMs, scheduleTimers } from './incident-timing.ts';
import type { Incident } from './incident-types.ts';
import { expandMembers, responseTeamRefs } from './response-team.ts';
import { checklistMessage, containmentOptions } from './security-checklist.ts';

const MAX_NAME_ATTEMPTS = 20;

const attemptOf = (name: string | undefined, base: string) => {
  if (!name || !name.startsWith(base)) return 1;
  const match = /-(\d+)$/.exec(name.slice(base.length));
  return match ? Number(match[1]) : 1;
};

/**
 * Gets the incident its channel, recording the name before creating it and the id right after, so a
 * crash or retry adopts the channel it made instead of creating a second one. A name someone else holds
 * moves on to the next suffix.
 */
async function acquireChannel(deps: IncidentDeps, incident: Incident): Promise<Incident> {
  const { store, notifier, policy } = deps;
  const base = warRoomName(policy.channelPrefix, incident.id);
  for (let attempt = attemptOf(incident.channelName, base); attempt < MAX_NAME_ATTEMPTS; attempt++) {
    const name = warRoomName(policy.channelPrefix, incident.id, attempt);
    await store.claimChannelName(incident.id, name);
    const created = await notifier.createChannel(name);
    let channelId: string | undefined;
    if ('id' in created) {
      channelId = created.id;
    } else {
      const existing = await notifier.findChannel(name);
      const owner = existing ? await store.byChannel(existing.id) : undefined;
      // Ours if the bot made it, no other incident holds it, and its purpose (when set) names this incident.
      const ours =
        existing?.createdByBot &&
        (!owner || owner.id === incident.id) &&
        (existing.purpose === '' || existing.purpose.includes(incident.id));
      if (existing && ours) channelId = existing.id;
    }
    if (channelId && (await store.attachChannel(incident.id, channelId, name))) {
      await store.addEvent({
        incidentId: incident.id,
        at: deps.now(),
        kind: 'war-room',
        actor: 'system',
        text: `war room <#${channelId}> opened`,
        onceKey: 'war-room',
      });
      return (await store.get(incident.id)) as Incident;
    }
  }
  throw new AppError(
    'war_room_name',
    `I could not find a free channel name for ${incident.id} after ${MAX_NAME_ATTEMPTS} tries.`,
    { kind: 'upstream' },
  );
}

/** Invites the requester and the response team; refusals are reported in the war room, never fatal. */
async function inviteTeam(deps: IncidentDeps, incident: Incident, channel: string): Promise<string[]> {
  const { users, problems } = await expandMembers(deps.directory, responseTeamRefs(deps.policy, incident));
  const wanted = [
    ...new Set([incident.requestedBy, ...(incident.commander ? [incident.commander] : []), ...users]),
  ].filter((u) => u !== 'system');
  const result = await deps.notifier.invite(channel, wanted);
  const all = [...problems, ...result.failed.map((f) => `could not invite <@${f.user}> (${f.error})`)];
  if (all.length > 0) {
    await deps.notifier.send({
      key: `incident:${incident.id}:invite-problems`,
      channel,
      text: `:warning: Some of the response team could not be added:\n${all.map((p) => `• ${p}`).join('\n')}`,
    });
    await deps.store.addEvent({
      incidentId: incident.id,
      at: deps.now(),
      kind: 'invite-failed',
      actor: 'system',
      text: all.join('; '),
      data: { failed: result.failed },
    });
  }
  await deps.store.markSetup(incident.id, 'invited', { invited: result.invited, failed: result.failed });
  return all;
}

/** Re-renders the pinned template (status, commander, acknowledgement changed). */
export async function refreshTemplate(deps: IncidentDeps, incident: Incident): Promise<void> {
  if (!incident.channelId || !incident.templateTs) return;
  const message = templateMessage(incident, {
    responseTeam: responseTeamRefs(deps.policy, incident),
    updateIntervalMs: reminderIntervalMs(deps.policy, incident),
  });
  await deps.notifier.update({ channel: incident.channelId, ts: incident.templateTs, ...message });
}

export async function refreshChecklist(deps: IncidentDeps, incident: Incident): Promise<void> {
  if (!incident.channelId || !incident.checklistTs) return;
  const message = checklistMessage(incident, deps.policy, containmentOptions(incident, deps.policy, deps.knowsCommand));
  await deps.notifier.update({ channel: incident.channelId, ts: incident.checklistTs, ...message });
}

/** One checkpointed part of a war room's set-up: idempotent, it re-reads the incident and skips what is done. */
export interface WarRoomStep {
  id: string;
  title: string;
  /** A line for the run's summary, when there is something to say. */
  run(deps: IncidentDeps, incidentId: string): Promise<string | undefined>;
}

const current = async (deps: IncidentDeps, incidentId: string): Promise<Incident> => {
  const incident = await deps.store.get(incidentId);
  if (!incident) throw new AppError('incident_not_found', `There is no incident \`${incidentId}\`.`);
  return incident;
};

const channelOf = (incident: Incident): string => {
  if (!incident.channelId) throw new AppError('war_room_missing', `${incident.id} has no war-room channel yet.`);
  return incident.channelId;
};

/**
 * The war room, in order: the channel, then the timers (so an escalation finds the room to post in;
 * escalation never waits on Slack for long: the reconciler schedules every open incident's timers
 * anyway), purpose, topic, invitations, pinned template, security checklist and the announcement. Each step records what
 * it did, so a step that runs again (a resumed run) skips it.
 */
export const warRoomSteps: readonly WarRoomStep[] = [
  {
    id: 'channel',
    title: 'Create the war-room channel',
    run: async (deps, id) => {
      let incident = await current(deps, id);
      if (!incident.channelId) incident = await acquireChannel(deps, incident);
      return `war room <#${channelOf(incident)}>`;
    },
  },
  {
    id: 'timers',
    title: 'Schedule reminders and escalation',
    run: async (deps, id) => {
      const incident = await current(deps, id);
      if (incident.setup.timers) return undefined;
      await scheduleTimers(deps, incident);
      await deps.store.markSetup(incident.id, 'timers');
      return undefined;
    },
  },
  {
    id: 'purpose',
    title: 'Set its purpose and topic',
    run: async (deps, id) => {
      const incident = await current(deps, id);
      const channel = channelOf(incident);
      if (!incident.setup.purpose) {
        await deps.notifier.setPurpose(channel, purposeText(incident));
        await deps.store.markSetup(incident.id, 'purpose');
      }
      if (!incident.setup.topic) {
        await deps.notifier.setTopic(channel, topicText(incident));
        await deps.store.markSetup(incident.id, 'topic');
      }
      return undefined;
    },
  },
  {
    id: 'invite',
    title: 'Invite the response team',
    run: async (deps, id) => {
      const incident = await current(deps, id);
      if (incident.setup.invited) return undefined;
      const problems = await inviteTeam(deps, incident, channelOf(incident));
      return problems.length ? `${problems.length} invitation problem(s), listed in the war room` : undefined;
    },
  },
  {
    id: 'template',
    title: 'Post and pin the status template',
    run: async (deps, id) => {
      let incident = await current(deps, id);
      const channel = channelOf(incident);
      if (!incident.templateTs) {
        const message = templateMessage(incident, {
          responseTeam: responseTeamRefs(deps.policy, incident),
          updateIntervalMs: reminderIntervalMs(deps.policy, incident),
        });
        const posted = await deps.notifier.post({ key: `incident:${incident.id}:template`, channel, ...message });
        await deps.store.setMessages(incident.id, { templateTs: posted.ts });
        incident = { ...incident, templateTs: posted.ts };
      }
      if (!incident.setup.pinned) {
        await deps.notifier.pin(channel, incident.templateTs as string);
        await deps.store.markSetup(incident.id, 'pinned');
      }
      return undefined;
    },
  },
  {
    id: 'checklist',
    title: 'Post the security checklist',
    run: async (deps, id) => {
      const incident = await current(deps, id);
      if (incident.type !== 'security' || incident.checklistTs) return undefined;
      const message = checklistMessage(
        incident,
        deps.policy,
        containmentOptions(incident, deps.policy, deps.knowsCommand),
      );
      const posted = await deps.notifier.post({
        key: `incident:${incident.id}:checklist`,
        channel: channelOf(incident),
        ...message,
      });
      await deps.store.setMessages(incident.id, { checklistTs: posted.ts });
      return undefined;
    },
  },
  {
    id: 'announce',
    title: 'Announce the incident',
    run: async (deps, id) => {
      const incident = await current(deps, id);
      if (incident.setup.announced) return undefined;
      const link = await deps.notifier.permalink(channelOf(incident), incident.templateTs as string);
      const message = announcement(incident, link);
      // Keyed: a retried set-up (or a lost answer) never announces twice.
      await deps.notifier.send({
        key: `incident:${incident.id}:announce:incidents`,
        channel: deps.channels.incidents,
        ...message,
      });
      if (incident.type === 'security')
        await deps.notifier.send({
          key: `incident:${incident.id}:announce:security`,
          channel: deps.channels.security,
          ...message,
        });
      await deps.store.markSetup(incident.id, 'announced');
      return `${incident.id} announced`;
    },
  },
];
