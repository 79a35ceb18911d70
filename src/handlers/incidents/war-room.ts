import { AppError } from '../../app-error.ts';
import type { IncidentDeps } from './incident-deps.ts';
import { warRoomName } from './incident-naming.ts';
import { announcement, purposeText, templateMessage, topicText } from './incident-template.ts';
import { reminderIntervalMs, scheduleTimers } from './incident-timing.ts';
import type { Incident } from './incident-types.ts';
import { expandMembers, responseTeamRefs } from './response-team.ts';
import { checklistMessage, containmentOptions } from './security-checklist.ts';

const MAX_NAME_ATTEMPTS = 20;

export interface WarRoom {
  incident: Incident;
  /** Things that did not work but did not stop the war room (invite failures), already posted in it. */
  problems: string[];
}

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
      const ours = existing?.createdByBot && (!owner || owner.id === incident.id) && (existing.purpose === '' || existing.purpose.includes(incident.id));
      if (existing && ours) channelId = existing.id;
    }
    if (channelId && (await store.attachChannel(incident.id, channelId, name))) {
      await store.addEvent({ incidentId: incident.id, at: deps.now(), kind: 'war-room', actor: 'system', text: `war room <#${channelId}> opened`, onceKey: 'war-room' });
      return (await store.get(incident.id)) as Incident;
    }
  }
  throw new AppError('war_room_name', `I could not find a free channel name for ${incident.id} after ${MAX_NAME_ATTEMPTS} tries.`, { kind: 'upstream' });
}

/** Invites the requester and the response team; refusals are reported in the war room, never fatal. */
async function inviteTeam(deps: IncidentDeps, incident: Incident, channel: string): Promise<string[]> {
  const { users, problems } = await expandMembers(deps.directory, responseTeamRefs(deps.policy, incident));
  const wanted = [...new Set([incident.requestedBy, ...(incident.commander ? [incident.commander] : []), ...users])].filter((u) => u !== 'system');
  const result = await deps.notifier.invite(channel, wanted);
  const all = [...problems, ...result.failed.map((f) => `could not invite <@${f.user}> (${f.error})`)];
  if (all.length > 0) {
    await deps.notifier.send({ key: `incident:${incident.id}:invite-problems`, channel, text: `:warning: Some of the response team could not be added:\n${all.map((p) => `• ${p}`).join('\n')}` });
    await deps.store.addEvent({ incidentId: incident.id, at: deps.now(), kind: 'invite-failed', actor: 'system', text: all.join('; '), data: { failed: result.failed } });
  }
  await deps.store.markSetup(incident.id, 'invited', { invited: result.invited, failed: result.failed });
  return all;
}

/** Re-renders the pinned template (status, commander, acknowledgement changed). */
export async function refreshTemplate(deps: IncidentDeps, incident: Incident): Promise<void> {
  if (!incident.channelId || !incident.templateTs) return;
  const message = templateMessage(incident, { responseTeam: responseTeamRefs(deps.policy, incident), updateIntervalMs: reminderIntervalMs(deps.policy, incident) });
  await deps.notifier.update({ channel: incident.channelId, ts: incident.templateTs, ...message });
}

export async function refreshChecklist(deps: IncidentDeps, incident: Incident): Promise<void> {
  if (!incident.channelId || !incident.checklistTs) return;
  const message = checklistMessage(incident, deps.policy, containmentOptions(incident, deps.policy, deps.knowsCommand));
  await deps.notifier.update({ channel: incident.channelId, ts: incident.checklistTs, ...message });
}

/**
 * Brings the war room up to date, skipping every step already recorded: channel, purpose, topic,
 * invitations, pinned template, security checklist, timers, announcement. Safe to run again at any point.
 */
export async function ensureWarRoom(deps: IncidentDeps, incidentId: string): Promise<WarRoom> {
  return deps.store.exclusive(incidentId, async () => {
    const { store, notifier } = deps;
    let incident = (await store.get(incidentId)) as Incident;
    const problems: string[] = [];
    if (!incident.setup.timers) {
      // Escalation must not depend on Slack: timers first.
      await scheduleTimers(deps, incident);
      await store.markSetup(incident.id, 'timers');
    }
    if (!incident.channelId) incident = await acquireChannel(deps, incident);
    const channel = incident.channelId as string;
    if (!incident.setup.purpose) {
      await notifier.setPurpose(channel, purposeText(incident));
      await store.markSetup(incident.id, 'purpose');
    }
    if (!incident.setup.topic) {
      await notifier.setTopic(channel, topicText(incident));
      await store.markSetup(incident.id, 'topic');
    }
    if (!incident.setup.invited) problems.push(...(await inviteTeam(deps, incident, channel)));
    if (!incident.templateTs) {
      const message = templateMessage(incident, { responseTeam: responseTeamRefs(deps.policy, incident), updateIntervalMs: reminderIntervalMs(deps.policy, incident) });
      const posted = await notifier.post({ key: `incident:${incident.id}:template`, channel, ...message });
      await store.setMessages(incident.id, { templateTs: posted.ts });
      incident = { ...incident, templateTs: posted.ts };
    }
    if (!incident.setup.pinned) {
      await notifier.pin(channel, incident.templateTs as string);
      await store.markSetup(incident.id, 'pinned');
    }
    if (incident.type === 'security' && !incident.checklistTs) {
      const posted = await notifier.post({ key: `incident:${incident.id}:checklist`, channel, ...checklistMessage(incident, deps.policy, containmentOptions(incident, deps.policy, deps.knowsCommand)) });
      await store.setMessages(incident.id, { checklistTs: posted.ts });
    }
    if (!incident.setup.announced) {
      const link = await notifier.permalink(channel, incident.templateTs as string);
      const message = announcement(incident, link);
      // Keyed: a retried set-up (or a lost answer) never announces twice.
      await notifier.send({ key: `incident:${incident.id}:announce:incidents`, channel: deps.channels.incidents, ...message });
      if (incident.type === 'security') await notifier.send({ key: `incident:${incident.id}:announce:security`, channel: deps.channels.security, ...message });
      await store.markSetup(incident.id, 'announced');
    }
    return { incident: (await store.get(incident.id)) as Incident, problems };
  });
}
