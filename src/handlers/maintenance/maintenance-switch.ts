import type { SwitchSpec } from '../core/platform-switch.ts';

export type MaintenanceState = { enabled: boolean; message?: string };

export const maintenanceSwitch: SwitchSpec<MaintenanceState> = {
  key: 'maintenance',
  initial: { enabled: false },
  describe: (v) => (v.enabled ? 'enabled' : 'disabled'),
};
