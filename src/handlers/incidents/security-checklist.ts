import type { IncidentPolicy } from '../../config/incident-policy.ts';
import { context, header, section, type Block } from '../core/reply.ts';
import { slackTime } from './incident-template.ts';
import { contactLine } from './contact-page.ts';
import type { Incident } from './incident-types.ts';

export interface ContainmentOption {
  label: string;
  /** The command run as the person who clicks, through RBAC and approval. */
  command: string;
}

/** Policy containment actions for this incident, expanded per affected system, skipping unknown actions. */
export function containmentOptions(
  incident: Incident,
  policy: IncidentPolicy,
  knowsCommand: (command: string) => boolean,
): ContainmentOption[] {
  const fill = (text: string, system = '') => text.replaceAll('{incident}', incident.id).replaceAll('{system}', system);
  const options = policy.containmentActions.flatMap((entry) =>
    entry.perSystem
      ? incident.systems.map((system) => ({ label: fill(entry.label, system), command: fill(entry.command, system) }))
      : [{ label: fill(entry.label), command: fill(entry.command) }],
  );
  return options.filter((o) => knowsCommand(o.command)).slice(0, 20);
}

export function phaseDeadline(incident: Incident, policy: IncidentPolicy, phase: number): Date | undefined {
  const entry = policy.securityPhases[phase];
  return entry ? new Date(incident.createdAt.getTime() + entry.deadline) : undefined;
}

/** The runbook's five phases as a checklist with deadlines and Done buttons, then the containment buttons. */
export function checklistMessage(
  incident: Incident,
  policy: IncidentPolicy,
  containment: ContainmentOption[],
): { text: string; blocks: Block[] } {
  const blocks: Block[] = [header(`Security incident response — ${incident.id}`)];
  policy.securityPhases.forEach((phase, i) => {
    const done = incident.phasesDone[String(i)];
    const due = phaseDeadline(incident, policy, i) as Date;
    const line = done
      ? `:white_check_mark: ~*${i + 1}. ${phase.name}*~ — done by <@${done.by}>`
      : `:white_large_square: *${i + 1}. ${phase.name}* — due by ${slackTime(due)}`;
    const block: Block = { type: 'section', block_id: `phase-${i}`, text: { type: 'mrkdwn', text: line } };
    if (!done && incident.status !== 'resolved') {
      // Slack wants action ids unique within a message; the listener matches the prefix.
      block.accessory = {
        type: 'button',
        action_id: `incident:phase:${i}`,
        text: { type: 'plain_text', text: 'Mark done' },
        value: `${incident.id}|${i}`,
      };
    }
    blocks.push(block);
  });
  if (containment.length > 0 && incident.status !== 'resolved') {
    blocks.push(section('*Containment* — each goes through permissions and approval like any destructive action:'));
    blocks.push({
      type: 'actions',
      block_id: 'containment',
      elements: containment.map((option, i) => ({
        type: 'button',
        action_id: `incident:contain:${i}`,
        text: { type: 'plain_text', text: option.label.slice(0, 75) },
        style: 'danger',
        value: `${incident.id}|${i}`,
      })),
    });
  }
  if (incident.status !== 'resolved') blocks.push(...contactBlocks(incident, policy));
  blocks.push(
    context(`Runbook: Security Incident Response. Tick a phase when it is complete; it is recorded on the timeline.`),
  );
  const text = `Security incident response checklist for ${incident.id}: ${policy.securityPhases.map((p) => p.name).join(', ')}`;
  return { text, blocks };
}

/** The runbook's emergency contacts with a Page button each (`contacts page`, through invoke like typing it). */
function contactBlocks(incident: Incident, policy: IncidentPolicy): Block[] {
  const contacts = policy.securityContacts;
  return [
    section(
      `*Emergency contacts* (escalation order):\n${contacts.map((c, i) => `${i + 1}. ${contactLine(c)}`).join('\n')}`,
    ),
    {
      type: 'actions',
      block_id: 'contacts',
      elements: contacts.map((contact, i) => ({
        type: 'button',
        action_id: `incident:page:${i}`,
        text: { type: 'plain_text', text: `Page ${contact.role}`.slice(0, 75) },
        value: `${incident.id}|${contact.id}`,
      })),
    },
  ];
}
