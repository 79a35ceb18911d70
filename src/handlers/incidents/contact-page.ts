import { AppError } from '../../app-error.ts';
import type { SecurityContact } from '../../config/contacts-policy.ts';
import type { IncidentDeps } from './incident-deps.ts';
import { subject } from './incident-template.ts';
import type { Incident } from './incident-types.ts';

const pagerSeverity = { critical: 'critical', high: 'error', medium: 'warning', low: 'info' } as const;

/** One PagerDuty alert per (incident, contact): a second click or a retried job re-sends the same one. */
export const contactPageKey = (incidentId: string, contactId: string) => `eafix-${incidentId}-contact-${contactId}`;

/** How a contact reads in Slack: role, number, and their Slack account when the policy names one. */
export function contactLine(contact: SecurityContact): string {
  const phone = contact.phone ? ` — ${contact.phone}` : '';
  const slack = contact.slackUser ? ` (<@${contact.slackUser}>)` : '';
  return `*${contact.role}*${phone}${slack}`;
}

export function securityContact(deps: Pick<IncidentDeps, 'policy'>, id: string): SecurityContact {
  const contacts = deps.policy.securityContacts;
  const found = contacts.find((c) => c.id === id);
  if (found) return found;
  throw new AppError('unknown_contact', `There is no emergency contact called \`${id}\`.`, {
    hints: [`Contacts: ${contacts.map((c) => c.id).join(', ')}`],
  });
}

/**
 * Pages an emergency contact about an incident through PagerDuty (Events API v2, the incidents
 * integration; the contact is named in the summary and details for the escalation policy to route). The
 * timeline and war room hear of it once per contact however often the button is pressed.
 */
export async function pageContact(
  deps: IncidentDeps,
  incident: Incident,
  contact: SecurityContact,
  by: string,
): Promise<{ first: boolean }> {
  if (incident.status === 'resolved') throw new AppError('incident_resolved', `${incident.id} is already resolved.`);
  if (!deps.pager.configured) {
    throw new AppError(
      'pagerduty_unconfigured',
      `PagerDuty is not configured, so I cannot page the ${contact.role}. Call them directly: ${contactLine(contact)}.`,
    );
  }
  await deps.pager.trigger({
    dedupKey: contactPageKey(incident.id, contact.id),
    summary: `${incident.id} ${subject(incident)} — paging ${contact.role}`.slice(0, 1024),
    severity: pagerSeverity[incident.severity],
    source: 'eafix-chatops',
    details: {
      incident: incident.id,
      type: incident.type,
      contact: contact.id,
      role: contact.role,
      pagedBy: by,
      channel: incident.channelName,
    },
  });
  const first = await deps.store.addEvent({
    incidentId: incident.id,
    at: deps.now(),
    kind: 'paged',
    actor: by,
    text: `paged the ${contact.role} (PagerDuty)`,
    data: { contact: contact.id },
    onceKey: `paged-${contact.id}`,
  });
  if (first && incident.channelId) {
    await deps.notifier.send({
      key: `incident:${incident.id}:paged:${contact.id}`,
      channel: incident.channelId,
      text: `:pager: <@${by}> paged the ${contactLine(contact)} through PagerDuty.`,
    });
  }
  return { first: Boolean(first) };
}

/** Resolving an incident resolves the contacts' pages too (PagerDuty would keep them open otherwise). */
export async function resolveContactPages(deps: IncidentDeps, incidentId: string): Promise<void> {
  if (!deps.pager.configured) return;
  const paged = (await deps.store.events(incidentId)).filter((e) => e.kind === 'paged');
  for (const event of paged) {
    const contact = event.data?.contact;
    if (typeof contact === 'string') await deps.pager.resolve(contactPageKey(incidentId, contact));
  }
}
