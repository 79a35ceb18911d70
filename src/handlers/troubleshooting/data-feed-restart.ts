import { z } from 'zod';
import { platformRemedy } from './platform-remedy.ts';

export const dataFeedRestart = platformRemedy({
  id: 'data-feed restart',
  summary: 'Restart data feed connections (runbook: data feed interruption)',
  permission: 'trading.feed',
  risk: 'change',
  approval: 'none',
  options: { provider: z.enum(['primary', 'backup', 'all']).default('primary').describe('primary, backup or all') },
  examples: ['data-feed restart --provider=primary --reason "no ticks for 2 minutes"'],
  args: (i) => ['data-feed', 'restart', `--provider=${String(i.provider)}`],
});
