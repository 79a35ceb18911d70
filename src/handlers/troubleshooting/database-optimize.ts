import { platformRemedy } from './platform-remedy.ts';

export const databaseOptimize = platformRemedy({
  id: 'database optimize',
  summary: "Optimize the database's query plans (runbook: high latency, `database optimize --analyze`)",
  permission: 'maintenance.database',
  risk: 'change',
  approval: 'none',
  options: {},
  examples: ['database optimize --reason "slow queries in diagnose latency"'],
  args: () => ['database', 'optimize', '--analyze'],
});
