import { z } from 'zod';

/** The runbook's Emergency Contacts → Security Incident Escalation list, in escalation order. */
export const runbookSecurityContacts = [
  { id: 'security-team-lead', role: 'Security Team Lead', phone: '+1-555-SEC-TEAM' },
  { id: 'ciso', role: 'CISO', phone: '+1-555-CISO-123' },
  { id: 'legal-counsel', role: 'Legal Counsel', phone: '+1-555-LEGAL-01' },
  { id: 'external-security-firm', role: 'External Security Firm', phone: '+1-555-EXT-SEC' },
];

const contactSchema = z.object({
  /** What people type: `/eafix contacts page ciso`. */
  id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a lowercase id like ciso or legal-counsel'),
  role: z.string().min(2).max(60),
  /** Shown as written: the runbook's numbers are letters-and-digits vanity numbers. */
  phone: z
    .string()
    .regex(/^\+?[0-9A-Z][0-9A-Z ()-]{3,30}$/, 'must be a phone number like +1-555-CISO-123')
    .optional(),
  /** Their Slack account, mentioned beside the number when set. */
  slackUser: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id like U0123ABCD')
    .optional(),
});

/**
 * The security escalation list (`incidents.securityContacts`): shown by `/eafix contacts` and on every
 * security incident's checklist with a *Page* button each. A page is a PagerDuty Events API trigger on the
 * incidents integration naming the contact; PagerDuty's escalation policy reaches the person.
 */
export const securityContactsSchema = z
  .array(contactSchema)
  .min(1)
  .max(10)
  .prefault(runbookSecurityContacts)
  .superRefine((contacts, ctx) => {
    const seen = new Set<string>();
    contacts.forEach((c, i) => {
      if (seen.has(c.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `contact "${c.id}" is declared twice` });
      seen.add(c.id);
    });
  });

export type SecurityContact = z.infer<typeof contactSchema>;
