import { platformRemedy } from './platform-remedy.ts';

export const riskLimitsReset = platformRemedy({
  id: 'risk limits reset',
  summary: "Reset the risk manager's limits (runbook: trading orders failing); a second person approves",
  permission: 'trading.risk',
  risk: 'destructive',
  approval: 'two-person',
  options: {},
  examples: ['risk limits reset --reason "limits stuck at 100% after the broker outage"'],
  args: () => ['risk', 'limits', 'reset', '--confirm'],
});
