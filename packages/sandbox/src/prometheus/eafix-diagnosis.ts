import type { PrometheusEmulator } from './prometheus-emulator.ts';
import { latencyQueries, serviceResourceQueries, type Topology } from '../bot.ts';

/**
 * The PromQL the diagnosis playbooks and the runbook's `up` check ask, answered for a healthy platform in
 * every environment and for every service: built with the bot's own query builders, so the emulator
 * answers exactly what the bot asks. Tests override single expressions with `setResult`.
 */
export function seedEafixDiagnosis(emu: PrometheusEmulator, topology: Topology): void {
  const up: Array<{ metric: Record<string, string>; value: number }> = [];
  for (const { namespace } of Object.values(topology.environments)) {
    const all = `namespace="${namespace}"`;
    emu.setResult(latencyQueries.p95(all), 0.042);
    emu.setResult(
      latencyQueries.slowest(all),
      topology.services.slice(0, 3).map((s, i) => ({ metric: { service: s.name }, value: 0.035 - i * 0.005 })),
    );
    emu.setResult(latencyQueries.cacheHitRate(namespace), 0.96);
    for (const service of topology.services) {
      const one = `${all},service="${service.name}"`;
      emu.setResult(latencyQueries.p95(one), 0.04);
      emu.setResult(latencyQueries.slowest(one), [{ metric: { service: service.name }, value: 0.03 }]);
      const pods = `${all},pod=~"${service.deployment}-.*"`;
      emu.setResult(serviceResourceQueries.cpu(pods), 38);
      emu.setResult(serviceResourceQueries.memory(pods), 56);
      up.push({ metric: { __name__: 'up', job: 'eafix-services', namespace, service: service.name }, value: 1 });
    }
  }
  emu.setResult('up', up);
}
