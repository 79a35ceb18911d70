import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { contactLine, pageContact, securityContact } from '../incidents/contact-page.ts';
import { incidentFor, incidentIdOption } from '../incidents/incident-inputs.ts';

export const contactsPage = defineAction({
  id: 'contacts page',
  kind: 'change',
  chapter: 'Security Incident Response',
  summary: 'Page an emergency contact about an incident through PagerDuty (the Page buttons run this)',
  positional: ['contact'],
  input: z.object({
    contact: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a contact id from `/eafix contacts`, like ciso')
      .describe('who to page (`/eafix contacts` lists the ids)'),
    id: incidentIdOption,
  }),
  risk: 'change',
  permission: 'incident.page',
  examples: ['contacts page ciso', 'contacts page security-team-lead --id INC-20261123-003'],
  run: async (input, ctx) => {
    const service = ctx.deps.incidents;
    const contact = securityContact(service.deps, input.contact);
    const incident = await incidentFor(ctx, input.id);
    const { first } = await pageContact(service.deps, incident, contact, ctx.invoker.userId);
    return {
      text: first
        ? `:pager: Paged the ${contactLine(contact)} about ${incident.id}.`
        : `:pager: The ${contact.role} was already paged about ${incident.id}; PagerDuty was reminded (same alert).`,
    };
  },
});
