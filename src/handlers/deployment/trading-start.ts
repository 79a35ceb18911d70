import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { applySwitch, planSwitch } from '../core/platform-switch.ts';
import { tradingSwitch } from './trading-switch.ts';

export const tradingStart = defineAction({
  id: 'trading start',
  kind: 'planned',
  chapter: 'Deployment',
  summary: 'Re-enable trading (runbook: post-deployment verification)',
  input: z.object({
    reason: z
      .string()
      .min(5, 'give a reason of at least 5 characters')
      .describe('why, for the approver and the audit log'),
  }),
  risk: 'destructive',
  permission: 'trading.start',
  approval: 'two-person',
  examples: ['trading start --reason "smoke tests green"'],
  plan: (_input, context) => planSwitch(tradingSwitch, { state: 'running' }, context),
  execute: (input, context) =>
    applySwitch(
      tradingSwitch,
      context,
      `:large_green_circle: Trading STARTED by <@${context.invoker.userId}>: ${input.reason}`,
    ),
});
