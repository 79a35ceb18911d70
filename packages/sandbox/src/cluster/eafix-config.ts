/**
 * The services' configuration as ConfigMaps, for the Standard Configuration Change Process: risk-manager's
 * live `eafix-risk-manager-config` in production and staging, and a proposed `risk-manager-config-next`
 * beside production's (its position limit raised), so `/eafix config change risk-manager
 * --from-configmap=risk-manager-config-next` has a real diff to show.
 */
import type { Topology } from '../bot.ts';
import type { ClusterSimulator } from './cluster-simulator.ts';

const limits = (maxPosition: number) => ({
  'limits.yaml': `max_position: ${maxPosition}\nmax_order: 10\nmax_daily_loss: 25000\nvenue: lmax\n`,
});

export function seedEafixConfig(cluster: ClusterSimulator, topology: Topology): void {
  const production = topology.environments['production']?.namespace;
  const staging = topology.environments['staging']?.namespace;
  const risk = topology.services.find((s) => s.name === 'risk-manager');
  if (!production || !risk) return;
  const live = `${risk.deployment}-config`;
  cluster.putConfigMap(production, live, limits(100));
  if (staging) cluster.putConfigMap(staging, live, limits(100));
  cluster.putConfigMap(production, 'risk-manager-config-next', limits(150));
}
