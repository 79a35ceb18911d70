import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';
import { backupAgeMs, describeBackup, ENVIRONMENT_LABEL, formatDuration, isGoodBackup } from './backup-naming.ts';

const icon = (ok: boolean, terminal: boolean) =>
  !terminal ? ':hourglass_flowing_sand:' : ok ? ':large_green_circle:' : ':red_circle:';

export const backupList = defineAction({
  id: 'backup list',
  kind: 'query',
  chapter: 'Disaster Recovery',
  summary: 'Velero backups, newest first: age, phase, items, errors and warnings, expiry',
  input: z.object({
    environment: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'must be an environment name such as production')
      .optional()
      .describe('only backups of this environment'),
    limit: z.coerce.number().int().min(1).max(50).default(15).describe('how many to show'),
  }),
  risk: 'read',
  permission: 'backup.read',
  examples: ['backup list', 'backup list --environment=staging --limit=5'],
  run: async ({ environment, limit }, { deps }) => {
    const all = await deps.cluster.listBackups(environment ? `${ENVIRONMENT_LABEL}=${environment}` : undefined);
    if (all.length === 0)
      return {
        text: `No Velero backups${environment ? ` of ${environment}` : ''}. Take one with \`/eafix backup create --reason "…"\`.`,
      };
    const now = deps.now();
    const lines = all.slice(0, limit).map((b) => {
      const age = backupAgeMs(b, now);
      const items = b.itemsDone ?? b.totalItems;
      const env = b.labels[ENVIRONMENT_LABEL];
      return `${icon(isGoodBackup(b), b.terminal)} \`${b.name}\`${env ? ` ${env}` : ''} — ${describeBackup(b)}${age !== undefined ? `, ${formatDuration(age)} old` : ''}${items !== undefined ? `, ${items} item(s)` : ''}${b.expiresAt ? `, expires ${b.expiresAt.slice(0, 10)}` : ''}`;
    });
    const good = all.find(isGoodBackup);
    const newest = good ? backupAgeMs(good, now) : undefined;
    const head = `*Backups*${environment ? ` of ${environment}` : ''}: ${all.length}, newest good one ${newest !== undefined ? `${formatDuration(newest)} old` : 'none'}`;
    const more = all.length > limit ? `\n…and ${all.length - limit} more (\`--limit\`)` : '';
    const text = `${head}\n${lines.join('\n')}${more}`;
    return { text, blocks: sections(text) };
  },
});
