import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/cluster/index.ts';
import { reuseConnections } from '../../src/cluster/keep-alive.ts';
import { createLogger } from '../../src/logger.ts';
import { buildKubeConfig } from '@eafix/sandbox/cluster/kubeconfig';
import { ClusterSimulator, defaultTopology } from '@eafix/sandbox/cluster';
import { ENV, FAST } from './cluster-support.ts';

let sim: ClusterSimulator | undefined;
let proxy: Server | undefined;
afterEach(async () => {
  proxy?.close();
  await sim?.stop();
});

/** A TCP proxy in front of the simulator that counts the connections clients open. */
async function countingProxy(target: URL): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  proxy = createServer((client) => {
    connections += 1;
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, connections: () => connections };
}

async function clusterThroughProxy(keepAlive: boolean) {
  const topology = defaultTopology();
  sim = new ClusterSimulator({ topology, environments: ['production'], timing: FAST });
  await sim.start();
  const counted = await countingProxy(new URL(sim.url));
  const kubeConfig = buildKubeConfig({ server: counted.url });
  const cluster = new KubeCluster({
    kubeConfig: keepAlive ? reuseConnections(kubeConfig) : kubeConfig,
    topology,
    logger: createLogger({ level: 'silent' }),
  });
  return { cluster, connections: counted.connections };
}

describe('reuseConnections', () => {
  it('reuses its connections: status (two lists in parallel) five times opens at most two', async () => {
    const { cluster, connections } = await clusterThroughProxy(true);
    for (let i = 0; i < 5; i++) await cluster.status(ENV); // 10 requests
    expect(connections()).toBeLessThanOrEqual(2);
  });

  it('is needed: without it client-node opens a connection per request', async () => {
    const { cluster, connections } = await clusterThroughProxy(false);
    for (let i = 0; i < 5; i++) await cluster.status(ENV);
    expect(connections()).toBeGreaterThan(5);
  });
});
