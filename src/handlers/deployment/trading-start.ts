import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { environmentInput, reasonInput } from '../core/cluster-inputs.ts';
import { planPlatformSwitch, platformSwitchSteps, type SwitchSpec } from '../core/platform-switch.ts';

const input = z.object({ environment: environmentInput, reason: reasonInput });

const spec: SwitchSpec<z.infer<typeof input>> = {
  what: 'trading',
  want: 'on',
  args: () => ['trading', 'start'],
  announce: ({ reason, environment }, by) =>
    `:large_green_circle: Trading STARTED in ${environment} by <@${by}>: ${reason}`,
};

export const tradingStart = defineAction({
  id: 'trading start',
  kind: 'planned',
  chapter: 'Deployment',
  summary: 'Re-enable trading on the platform with `eafix-cli trading start` (runbook: post-deployment verification)',
  input,
  risk: 'destructive',
  permission: 'trading.start',
  approval: 'two-person',
  examples: ['trading start --reason "smoke tests green"'],
  // Reads only: an approver's click may read it again while the click is audited.
  planReadsOnly: true,
  plan: (value, context) => planPlatformSwitch(spec, value, context),
  target: ({ environment }) => `trading:${environment}`,
  steps: platformSwitchSteps(spec),
});
