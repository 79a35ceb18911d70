import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import type { Cluster } from '../../src/cluster/index.ts';
import { lazyCluster } from '../../src/cluster/lazy-cluster.ts';
import { unconfiguredCluster } from '../../src/cluster/unconfigured-cluster.ts';

/** A cluster whose every operation answers with its name and arguments. */
function echoCluster(): Cluster {
  const template = unconfiguredCluster(new AppError('x', 'x'));
  return Object.fromEntries(
    Object.keys(template).map((name) => [name, async (...args: unknown[]) => ({ name, args })]),
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
