import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { section } from '../core/reply.ts';

export const auditVerify = defineAction({
  id: 'audit verify',
  kind: 'query',
  chapter: 'Security Incident Response',
  summary: "Check the audit log's hash chain: any edited or removed row is found",
  input: z.object({}),
  risk: 'read',
  permission: 'audit.read',
  examples: ['audit verify'],
  run: async (_input, { deps }) => {
    const result = await deps.audit.verify();
    const text = result.ok
      ? `:white_check_mark: Audit chain intact: ${result.checked} rows verified.`
      : `:rotating_light: Audit chain BROKEN at row ${result.brokenAt?.id}: ${result.brokenAt?.reason}. ${result.checked} rows before it verified. Treat this as a security incident.`;
    return { text, blocks: [section(text)] };
  },
});
