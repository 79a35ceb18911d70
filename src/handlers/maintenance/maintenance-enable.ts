import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { planPlatformSwitch, platformSwitchSteps, type SwitchSpec } from '../core/platform-switch.ts';

const input = z.object({
  environment: environmentInput,
  message: z.string().min(3).max(300).default('System maintenance in progress').describe('shown to users'),
  reason: reasonInput,
});

const spec: SwitchSpec<z.infer<typeof input>> = {
  what: 'maintenance',
  want: 'on',
  // One argv word however the message is written: no shell ever sees it.
  args: ({ message }) => ['maintenance', 'enable', `--message=${message}`],
  announce: ({ message, reason, environment }, by) =>
    `:construction: Maintenance mode ENABLED in ${environment} by <@${by}>: "${message}" (${reason})`,
};

export const maintenanceEnable = defineAction({
  id: 'maintenance enable',
  kind: 'planned',
  chapter: 'Maintenance',
  summary: 'Put the platform in maintenance mode with a message for users (`eafix-cli maintenance enable`)',
  input,
  risk: 'change',
  permission: 'maintenance.enable',
  approval: 'none',
  examples: ['maintenance enable --message="System maintenance in progress" --reason "weekly window"'],
  plan: (value, context) => planPlatformSwitch(spec, value, context),
  target: ({ environment }) => `maintenance:${environment}`,
  steps: platformSwitchSteps(spec),
});
