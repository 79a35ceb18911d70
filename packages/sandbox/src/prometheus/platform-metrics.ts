import type { Platform, PlatformState } from '../cluster/platform-state.ts';
import type { PrometheusEmulator } from './prometheus-emulator.ts';

export interface PlatformMetricQueries {
  /** As the bot's policy writes them, with `{namespace}` / `{environment}` placeholders. */
  tradingEnabled: string;
  maintenanceMode: string;
}

/**
 * The simulated platform's exporter: `eafix_trading_enabled` and `eafix_maintenance_mode` per namespace,
 * kept equal to the platform state the toolbox Jobs change, under the exact expressions the bot asks
 * (the emulator answers registered expressions; it does not evaluate PromQL). Returns the unsubscribe.
 */
export function exportPlatformState(
  prometheus: PrometheusEmulator,
  platform: Platform,
  environments: Readonly<Record<string, { namespace: string }>>,
  queries: PlatformMetricQueries,
): () => void {
  const fill = (query: string, environment: string, namespace: string) =>
    query.replaceAll('{environment}', environment).replaceAll('{namespace}', namespace);
  const publish = (namespace: string, state: PlatformState) => {
    for (const [environment, env] of Object.entries(environments)) {
      if (env.namespace !== namespace) continue;
      const metric = { namespace, environment };
      prometheus.setResult(fill(queries.tradingEnabled, environment, namespace), [
        { metric, value: state.tradingEnabled ? 1 : 0 },
      ]);
      prometheus.setResult(fill(queries.maintenanceMode, environment, namespace), [
        { metric, value: state.maintenance ? 1 : 0 },
      ]);
    }
  };
  for (const env of Object.values(environments)) publish(env.namespace, platform.state(env.namespace));
  platform.on('change', publish);
  return () => platform.off('change', publish);
}
