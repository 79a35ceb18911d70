import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { applySwitch, planSwitch } from '../core/platform-switch.ts';
import { maintenanceSwitch } from './maintenance-switch.ts';

export const maintenanceEnable = defineAction({
  id: 'maintenance enable',
  kind: 'planned',
  chapter: 'Maintenance',
  summary: 'Put the platform in maintenance mode with a message for users',
  input: z.object({
    message: z.string().min(3).default('System maintenance in progress').describe('shown to users'),
    reason: z.string().min(5, 'give a reason of at least 5 characters').describe('why, for the audit log'),
  }),
  risk: 'change',
  permission: 'maintenance.enable',
  approval: 'none',
  examples: ['maintenance enable --message="System maintenance in progress" --reason "weekly window"'],
  plan: (input, context) => planSwitch(maintenanceSwitch, { enabled: true, message: input.message }, context),
  execute: (input, context) =>
    applySwitch(
      maintenanceSwitch,
      context,
      `:construction: Maintenance mode ENABLED by <@${context.invoker.userId}>: "${input.message}" (${input.reason})`,
    ),
});
