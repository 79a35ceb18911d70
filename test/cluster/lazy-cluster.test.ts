import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import type { Cluster } from '../../src/cluster/index.ts';
import { lazyCluster } from '../../src/cluster/lazy-cluster.ts';
import { routeByEnvironment } from '../../src/cluster/routed-cluster.ts';
import { unconfiguredCluster } from '../../src/cluster/unconfigured-cluster.ts';

/** A cluster whose every operation answers with its name and arguments (and `site`, when given). */
function echoCluster(site?: string): Cluster {
  const template = unconfiguredCluster(new AppError('x', 'x'));
  return Object.fromEntries(
    Object.keys(template).map((name) => [
      name,
      async (...args: unknown[]) => ({ name, args, ...(site ? { site } : {}) }),
    ]),
  ) as unknown as Cluster;
}

describe('lazyCluster', () => {
  it('loads the adapter on the first call only, and passes every operation through', async () => {
    let loads = 0;
    const { cluster, load } = lazyCluster(async () => {
      loads += 1;
      return echoCluster();
    });
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([cluster.status('production'), cluster.liveColour('staging')]);
    expect(a).toEqual({ name: 'status', args: ['production'] });
    expect(b).toEqual({ name: 'liveColour', args: ['staging'] });
    expect(loads).toBe(1);
    await load();
    expect(loads).toBe(1);
    // Every operation the unconfigured stand-in has (the whole Cluster port) is there.
    expect(Object.keys(cluster).sort()).toEqual(Object.keys(unconfiguredCluster(new AppError('x', 'x'))).sort());
  });

  it('tries the load again after it failed', async () => {
    let attempts = 0;
    const { cluster } = lazyCluster(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('module failed to load');
      return echoCluster();
    });
    await expect(cluster.listJobs('production', 'a=b')).rejects.toThrow('module failed to load');
    await expect(cluster.listJobs('production', 'a=b')).resolves.toEqual({
      name: 'listJobs',
      args: ['production', 'a=b'],
    });
  });
});

describe('unconfiguredCluster', () => {
  const cause = new AppError('cluster_not_configured', 'The kubeconfig file /nowhere does not exist.', {
    hints: ['Set KUBECONFIG.'],
  });

  it('rejects every operation with the cause, naming the operation and its environment', async () => {
    const cluster = unconfiguredCluster(cause);
    await expect(cluster.status('production')).rejects.toMatchObject({
      code: 'cluster_not_configured',
      userMessage: 'The kubeconfig file /nowhere does not exist.',
      hints: ['Set KUBECONFIG.', 'Not sent to Kubernetes: status for production.'],
    });
    await expect(cluster.listJobs('staging', 'a=b')).rejects.toMatchObject({
      hints: ['Set KUBECONFIG.', 'Not sent to Kubernetes: listJobs for staging.'],
    });
  });

  it('names a site-wide operation (Velero, scratch namespaces) without an environment', async () => {
    await expect(unconfiguredCluster(cause).getBackup('daily-1')).rejects.toMatchObject({
      hints: ['Set KUBECONFIG.', 'Not sent to Kubernetes: getBackup.'],
    });
  });
});

describe('routeByEnvironment', () => {
  it("sends an environment's operations to its site, and site-wide ones (Velero, namespaces) home", async () => {
    const cluster = routeByEnvironment(echoCluster('home'), new Map([['dr', echoCluster('dr')]]));
    await expect(cluster.status('dr', { fresh: true })).resolves.toEqual({
      name: 'status',
      args: ['dr', { fresh: true }],
      site: 'dr',
    });
    await expect(cluster.listCertificates('production')).resolves.toMatchObject({ site: 'home' });
    await expect(cluster.getBackup('dr')).resolves.toEqual({ name: 'getBackup', args: ['dr'], site: 'home' });
    await expect(cluster.namespacePhase('dr')).resolves.toMatchObject({ site: 'home' });
    expect(Object.keys(cluster).sort()).toEqual(Object.keys(unconfiguredCluster(new AppError('x', 'x'))).sort());
  });
});
