import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { planPlatformSwitch, platformSwitchSteps, type SwitchSpec } from '../core/platform-switch.ts';

const input = z.object({
  environment: environmentInput,
  graceful: z.boolean().default(false).describe('let open orders complete first'),
  reason: reasonInput,
});

const spec: SwitchSpec<z.infer<typeof input>> = {
  what: 'trading',
  want: 'off',
  args: ({ graceful }) => ['trading', 'stop', ...(graceful ? ['--graceful'] : [])],
  announce: ({ graceful, reason, environment }, by) =>
    `:octagonal_sign: Trading STOPPED${graceful ? ' (graceful)' : ''} in ${environment} by <@${by}>: ${reason}`,
};

export const tradingStop = defineAction({
  id: 'trading stop',
  kind: 'planned',
  chapter: 'Deployment',
  summary: 'Stop trading on the platform with `eafix-cli trading stop` (runbook: before migrations, in emergencies)',
  input,
  risk: 'destructive',
  permission: 'trading.stop',
  approval: 'two-person',
  examples: [
    'trading stop --graceful --reason "DB migration 42"',
    'trading stop --environment=staging --reason "drill"',
  ],
  // Reads only: an approver's click may read it again while the click is audited.
  planReadsOnly: true,
  plan: (value, context) => planPlatformSwitch(spec, value, context),
  target: ({ environment }) => `trading:${environment}`,
  steps: platformSwitchSteps(spec),
});
