import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { applySwitch, planSwitch } from '../core/platform-switch.ts';
import { maintenanceSwitch } from './maintenance-switch.ts';

export const maintenanceDisable = defineAction({
  id: 'maintenance disable',
  kind: 'planned',
  chapter: 'Maintenance',
  summary: 'Leave maintenance mode',
  input: z.object({
    reason: z.string().min(5, 'give a reason of at least 5 characters').default('maintenance complete'),
  }),
  risk: 'change',
  permission: 'maintenance.disable',
  approval: 'none',
  examples: ['maintenance disable'],
  plan: (_input, context) => planSwitch(maintenanceSwitch, { enabled: false }, context),
  execute: (_input, context) =>
    applySwitch(
      maintenanceSwitch,
      context,
      `:white_check_mark: Maintenance mode DISABLED by <@${context.invoker.userId}>`,
    ),
});
