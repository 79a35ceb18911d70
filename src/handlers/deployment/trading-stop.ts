import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { applySwitch, planSwitch } from '../core/platform-switch.ts';
import { tradingSwitch } from './trading-switch.ts';

export const tradingStop = defineAction({
  id: 'trading stop',
  kind: 'planned',
  chapter: 'Deployment',
  summary: 'Stop trading activity (runbook: before database migrations and in emergencies)',
  input: z.object({
    graceful: z.boolean().default(false).describe('let open orders complete first'),
    reason: z
      .string()
      .min(5, 'give a reason of at least 5 characters')
      .describe('why, for the approver and the audit log'),
  }),
  risk: 'destructive',
  permission: 'trading.stop',
  approval: 'two-person',
  examples: ['trading stop --graceful --reason "DB migration 42"'],
  plan: (input, context) => planSwitch(tradingSwitch, { state: 'stopped', graceful: input.graceful }, context),
  execute: (input, context) =>
    applySwitch(
      tradingSwitch,
      context,
      `:octagonal_sign: Trading STOPPED${input.graceful ? ' (graceful)' : ''} by <@${context.invoker.userId}>: ${input.reason}`,
    ),
});
