import { argWord, platformRemedy } from './platform-remedy.ts';

export const brokerReconnect = platformRemedy({
  id: 'broker reconnect',
  summary: 'Reconnect to a broker (runbook: trading orders failing)',
  permission: 'trading.broker',
  risk: 'change',
  approval: 'none',
  options: { broker: argWord('broker name such as mt4_live').default('mt4_live') },
  examples: ['broker reconnect --broker=mt4_live --reason "bridge disconnected"'],
  args: (i) => ['broker', 'reconnect', `--broker=${String(i.broker)}`],
});
