import { z } from 'zod';
import { platformRemedy } from './platform-remedy.ts';

export const dataFeedSwitch = platformRemedy({
  id: 'data-feed switch',
  summary: 'Switch market data to another provider (runbook: data feed interruption); a second person approves',
  permission: 'trading.feed',
  risk: 'destructive',
  approval: 'two-person',
  options: { to: z.enum(['backup', 'primary']).describe('the provider to switch to: backup or primary') },
  examples: ['data-feed switch --to=backup --reason "primary provider down"'],
  args: (i) => ['data-feed', 'switch', `--to=${String(i.to)}`],
});
