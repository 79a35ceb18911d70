import type { SwitchSpec } from '../core/platform-switch.ts';

export type TradingState = { state: 'running' | 'stopped'; graceful?: boolean };

export const tradingSwitch: SwitchSpec<TradingState> = {
  key: 'trading',
  initial: { state: 'running' },
  describe: (v) => v.state,
};
