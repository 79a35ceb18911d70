import { loadPolicy, type Policy } from '../../src/config/policy.ts';
import type { IncidentPolicy } from '../../src/config/incident-policy.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import type { Incident } from '../../src/handlers/incidents/incident-types.ts';
import type { IncidentService } from '../../src/handlers/incidents/incident-service.ts';
import { eventually } from './eventually.ts';
import type { TestWorld } from './world.ts';

const minutes = (n: number) => n * 60_000;

/** The example policy with the incident section changed (durations in ms, as parsed). */
export async function policyWith(incidents: Partial<IncidentPolicy>): Promise<Policy> {
  const base = await loadPolicy(examplePolicyPath);
  return {
    ...base,
    incidents: {
      ...base.incidents,
      // Nothing fires unless a test asks for it.
      escalation: { level2After: minutes(60), level3After: minutes(120), seniorEngineering: '@senior-eng' },
      updateInterval: { critical: minutes(30), high: minutes(30), medium: minutes(30), low: minutes(30) },
      ...incidents,
    },
  };
}

export function incidentsOf(world: TestWorld): IncidentService {
  const service = world.bot.deps.incidents;
  if (!service) throw new Error('incidents not wired');
  return service;
}

/** The incident with this title, once its war room is fully set up: announced, and the announcement in Slack. */
export async function incidentTitled(world: TestWorld, title: string): Promise<Incident> {
  const id = await eventually(async () => {
    const result = await world.bot.pool.query<{ id: string }>(
      `SELECT id FROM incidents WHERE title = $1 AND setup ? 'announced'`,
      [title],
    );
    return result.rows[0]?.id;
  }, `incident "${title}" set up`);
  // The set-up is a run on a worker and the announcement goes through the outbox: wait until it landed.
  await eventually(async () => {
    const result = await world.bot.pool.query<{ state: string }>(`SELECT state FROM slack_outbox WHERE key = $1`, [
      `incident:${id}:announce:incidents`,
    ]);
    return result.rows[0]?.state === 'delivered';
  }, `the announcement of ${id} delivered`);
  return (await incidentsOf(world).deps.store.get(id)) as Incident;
}

/** `/eafix incident create` as `user` in `channel`, then the incident once set up. */
export async function declare(
  world: TestWorld,
  options: {
    user?: string;
    channel?: string;
    title: string;
    severity?: string;
    type?: string;
    systems?: string;
    extra?: string;
  },
): Promise<Incident> {
  const text = [
    `incident create --title "${options.title}" --severity ${options.severity ?? 'high'} --type ${options.type ?? 'ops'}`,
    options.systems ? `--systems ${options.systems}` : '',
    options.extra ?? '',
  ].join(' ');
  await world.driver.command({ user: options.user ?? 'alice', channel: options.channel ?? 'eafix-ops', text });
  return incidentTitled(world, options.title);
}

/** Messages in a channel (by id) whose text contains `needle`. */
export function messagesWith(world: TestWorld, channelId: string, needle: string) {
  return world.slack.messages(channelId).filter((m) => `${m.text} ${JSON.stringify(m.blocks ?? [])}`.includes(needle));
}

/**
 * A critical security incident on auth-service, declared by dave in #security, with an operator
 * (alice) and a viewer (carol) joined to its war room (the security team alone was invited).
 */
export async function securityIncidentWithResponders(world: TestWorld, title: string): Promise<Incident> {
  const incident = await declare(world, {
    user: 'dave',
    channel: 'security',
    title,
    severity: 'critical',
    type: 'security',
    systems: 'auth-service',
  });
  world.slack.state.channels.get(incident.channelId!)!.members.push('U0ALICE', 'U0CAROL');
  return incident;
}

/** The incident's checklist message as Slack holds it now. */
export const checklistOf = (world: TestWorld, incident: Incident) =>
  world.slack.state.findMessage(incident.channelId!, incident.checklistTs!);

/** Bob presses Acknowledge on the incident's template message; resolves once it is recorded. */
export async function acknowledgeAsBob(world: TestWorld, incident: Incident): Promise<void> {
  await world.driver.clickButton({
    user: 'bob',
    channel: incident.channelId!,
    messageTs: incident.templateTs!,
    actionId: 'incident:ack',
  });
  await eventually(
    async () => (await incidentsOf(world).deps.store.get(incident.id))?.acknowledgedBy === 'U0BOB',
    'acknowledged',
  );
}

/** Both escalation levels announced in the war room (their jobs may run in either order). */
export function bothLevelsAnnounced(world: TestWorld, room: string): Promise<unknown> {
  return world.slack.waitFor(
    () =>
      messagesWith(world, room, 'Escalation level 2').length > 0 &&
      messagesWith(world, room, 'Escalation level 3').length > 0,
    { description: 'levels 2 and 3 announced', timeoutMs: 30_000 },
  );
}
