import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { planPlatformSwitch, platformSwitchSteps, type SwitchSpec } from '../core/platform-switch.ts';

const input = z.object({ environment: environmentInput, reason: reasonInput.default('maintenance complete') });

const spec: SwitchSpec<z.infer<typeof input>> = {
  what: 'maintenance',
  want: 'off',
  args: () => ['maintenance', 'disable'],
  announce: ({ environment }, by) => `:white_check_mark: Maintenance mode DISABLED in ${environment} by <@${by}>`,
};

export const maintenanceDisable = defineAction({
  id: 'maintenance disable',
  kind: 'planned',
  chapter: 'Maintenance',
  summary: 'Leave maintenance mode (`eafix-cli maintenance disable`)',
  input,
  risk: 'change',
  permission: 'maintenance.disable',
  approval: 'none',
  examples: ['maintenance disable'],
  plan: (value, context) => planPlatformSwitch(spec, value, context),
  target: ({ environment }) => `maintenance:${environment}`,
  steps: platformSwitchSteps(spec),
});
