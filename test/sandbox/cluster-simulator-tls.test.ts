/** HTTPS with a generated CA in the kubeconfig, and bearer-token authentication. */
import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/cluster/index.ts';
import { createLogger } from '../../src/logger.ts';
import { ClusterSimulator, defaultTopology } from '@eafix/sandbox/cluster';
import { FAST } from './cluster-simulator-support.ts';

let sim: ClusterSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

function get(url: string, ca: string | undefined, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ClusterSimulator over HTTPS', () => {
  it('serves TLS signed by the CA in its kubeconfig, and requires the bearer token', async () => {
    const topology = defaultTopology();
    sim = new ClusterSimulator({
      topology,
      environments: ['production'],
      timing: FAST,
      token: 'sandbox-token',
      tls: true,
    });
    await sim.start();
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const yaml = sim.kubeconfigYaml();
    expect(yaml).toContain('certificate-authority-data:');
    expect(yaml).not.toContain('insecure-skip-tls-verify');

    const cluster = new KubeCluster({
      kubeConfig: sim.kubeConfig(),
      topology,
      logger: createLogger({ level: 'silent' }),
    });
    await expect(cluster.liveColour('production')).resolves.toMatchObject({ colour: 'green' });

    const pods = `${sim.url}/api/v1/namespaces/eafix-production/pods`;
    expect(await get(pods, sim.caPem, 'sandbox-token')).toBe(200);
    expect(await get(pods, sim.caPem)).toBe(401);
    // Without the CA the certificate is not trusted.
    await expect(get(pods, undefined, 'sandbox-token')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });
});
