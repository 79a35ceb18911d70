import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { context, header, section } from '../core/reply.ts';
import { contactLine } from '../incidents/contact-page.ts';

export const contacts = defineAction({
  id: 'contacts',
  kind: 'query',
  chapter: 'Security Incident Response',
  summary: "The runbook's emergency contacts (security incident escalation), in escalation order",
  input: z.object({}),
  risk: 'read',
  permission: 'incident.contacts',
  examples: ['contacts'],
  run: async (_input, { deps }) => {
    const list = deps.incidents.deps.policy.securityContacts;
    const lines = list.map((c, i) => `${i + 1}. ${contactLine(c)} · \`${c.id}\``);
    return {
      text: `Security incident escalation: ${list.map((c) => `${c.role}${c.phone ? ` ${c.phone}` : ''}`).join('; ')}`,
      blocks: [
        header('Emergency contacts — security incident escalation'),
        section(lines.join('\n')),
        context(
          'Page one about an incident with its *Page* button on the security checklist in the war room, or `/eafix contacts page <id>` there.',
        ),
      ],
    };
  },
});
