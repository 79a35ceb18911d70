import { describe, expect, it } from 'vitest';
import { clusterSites } from '../../src/handlers/core/cluster-sites.ts';

const environments = ['production', 'staging', 'dr'];

describe('clusterSites (policy kubernetes.sites)', () => {
  it('names nothing when every environment is in the bot’s own cluster', () => {
    const sites = clusterSites(undefined, environments);
    expect(sites.line('production')).toBeUndefined();
    expect(sites.otherClusters('production')).toEqual([]);
    expect(sites.nameOf('dr')).toBe("the bot's own cluster");
  });

  it('names each environment’s cluster and lists every other cluster once', () => {
    const sites = clusterSites({ dr: { context: 'dr-site' }, staging: { context: 'dr-site' } }, environments);
    expect(sites.line('dr')).toBe('*Cluster:* kube context dr-site');
    expect(sites.line('production')).toBe("*Cluster:* the bot's own cluster");
    expect(sites.otherClusters('production')).toEqual([{ environment: 'staging', name: 'kube context dr-site' }]);
    expect(sites.otherClusters('dr')).toEqual([{ environment: 'production', name: "the bot's own cluster" }]);
  });
});
