import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { section } from '../core/reply.ts';

const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  if (!match)
    throw new AppError('invalid_arguments', `\`${text}\` is not a duration.`, {
      hints: ['Use minutes, hours or days: `30m`, `24h`, `7d`.'],
    });
  return Number(match[1]) * (units[match[2] as string] as number);
}

export const auditExport = defineAction({
  id: 'audit export',
  kind: 'query',
  chapter: 'Security Incident Response',
  summary: 'Upload the audit trail as JSON (runbook: collect evidence)',
  input: z.object({ since: z.string().default('24h').describe('how far back: 30m, 24h, 7d') }),
  risk: 'read',
  permission: 'audit.export',
  examples: ['audit export --since=24h'],
  run: async ({ since }, { deps }) => {
    const from = new Date(deps.now().getTime() - parseDuration(since));
    const rows = await deps.audit.since(from);
    const text = `Audit trail since ${from.toISOString()}: ${rows.length} entries (hash-chained; verify with \`/eafix audit verify\`).`;
    return {
      text,
      blocks: [section(text)],
      file: {
        filename: `eafix-audit-${from.toISOString().slice(0, 16).replace(/[:T]/g, '')}.json`,
        content: JSON.stringify(rows, null, 2),
        title: 'EAFIX audit export',
      },
    };
  },
});
