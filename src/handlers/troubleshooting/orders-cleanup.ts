import { platformRemedy } from './platform-remedy.ts';

export const ordersCleanup = platformRemedy({
  id: 'orders cleanup',
  summary: 'Clear stuck orders (runbook: trading orders failing)',
  permission: 'trading.orders',
  risk: 'change',
  approval: 'none',
  options: {},
  examples: ['orders cleanup --reason "orders stuck after the bridge restart"'],
  args: () => ['orders', 'cleanup', '--stuck'],
});
