import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubeCluster, loadKubeConfig } from '../../src/cluster/index.ts';
import { createLogger } from '../../src/logger.ts';
import { ClusterSimulator, defaultTopology, kubeconfigYaml } from '@eafix/sandbox/cluster';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eafix-kubeconfig-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function twoContexts(): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'prod', cluster: { server: 'https://prod.k8s.eafix.local:6443' } },
      { name: 'dr', cluster: { server: 'https://dr.k8s.eafix.local:6443' } },
    ],
    users: [{ name: 'bot', user: { token: 'abc' } }],
    contexts: [
      { name: 'prod', context: { cluster: 'prod', user: 'bot' } },
      { name: 'dr', context: { cluster: 'dr', user: 'bot' } },
    ],
    'current-context': 'prod',
  });
}

describe('loadKubeConfig', () => {
  it('refuses to guess when nothing is configured (no localhost:8080 fallback)', () => {
    let error: unknown;
    try {
      loadKubeConfig({ env: {}, serviceAccountDir: join(dir, 'none') });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'cluster_not_configured', kind: 'domain' });
    expect((error as { hints: string[] }).hints[0]).toMatch(/Set KUBECONFIG/);
  });

  it('says what is missing when KUBERNETES_SERVICE_HOST is set but there is no token', () => {
    expect(() => loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, serviceAccountDir: dir })).toThrow(
      /KUBERNETES_SERVICE_HOST is set but there is no service account token at .*token/,
    );
  });

  it('loads an explicit kubeconfig path and talks to the cluster through it', async () => {
    const sim = new ClusterSimulator({ topology: defaultTopology(), environments: ['production'], token: 's3cret' });
    await sim.start();
    try {
      const file = join(dir, 'config');
      await writeFile(file, kubeconfigYaml({ server: sim.url, token: 's3cret' }));
      const kc = loadKubeConfig({ kubeconfigPath: file, env: {} });
      expect(kc.getCurrentCluster()?.server).toBe(sim.url);
      const cluster = new KubeCluster({
        kubeConfig: kc,
        topology: defaultTopology(),
        logger: createLogger({ level: 'silent' }),
      });
      await expect(cluster.liveColour('production')).resolves.toMatchObject({ colour: 'green' });
      expect(sim.requests.at(-1)?.headers.authorization).toBe('Bearer <redacted>');
    } finally {
      await sim.stop();
    }
  });

  it('reads KUBECONFIG from the environment, merges several files, and switches to an explicit context', async () => {
    const main = join(dir, 'main');
    const extra = join(dir, 'extra');
    await writeFile(main, twoContexts());
    await writeFile(
      extra,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'lab', cluster: { server: 'https://lab.local:6443' } }],
        users: [{ name: 'lab', user: { token: 'x' } }],
        contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'lab' } }],
        'current-context': 'lab',
      }),
    );
    const env = { KUBECONFIG: [main, extra].join(delimiter) };
    expect(loadKubeConfig({ env }).getCurrentCluster()?.server).toBe('https://prod.k8s.eafix.local:6443');
    expect(loadKubeConfig({ env, context: 'dr' }).getCurrentCluster()?.server).toBe('https://dr.k8s.eafix.local:6443');
    expect(loadKubeConfig({ env, context: 'lab' }).getCurrentCluster()?.server).toBe('https://lab.local:6443');
    expect(() => loadKubeConfig({ env, context: 'staging' })).toThrow(/no context "staging" \(it has: prod, dr, lab\)/);
  });

  it('names a missing or broken kubeconfig file', async () => {
    expect(() => loadKubeConfig({ kubeconfigPath: join(dir, 'missing'), env: {} })).toThrow(
      /kubeconfig file .*missing does not exist/,
    );
    const broken = join(dir, 'broken');
    await writeFile(broken, 'clusters: [ {name: x} ]\ncontexts: []\nusers: []\n');
    expect(() => loadKubeConfig({ kubeconfigPath: broken, env: {} })).toThrow(/could not be read/);
    const noCurrent = join(dir, 'no-current');
    await writeFile(noCurrent, twoContexts().replace(/current-context: prod/, 'current-context: ""'));
    expect(() => loadKubeConfig({ kubeconfigPath: noCurrent, env: {} })).toThrow(
      /no current context; choose one of: prod, dr/,
    );
  });

  it('detects the in-cluster service account from the environment and its token directory', async () => {
    await writeFile(join(dir, 'token'), 'in-cluster-token');
    await writeFile(join(dir, 'namespace'), 'eafix-system\n');
    const kc = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: dir,
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('eafix-system');
    const opts: { headers?: Record<string, string> } = {};
    await kc.applyToHTTPSOptions(opts as never);
    expect(opts.headers?.Authorization).toBe('Bearer in-cluster-token');
    // An explicit kubeconfig still wins over the pod's own account, unless in-cluster is forced.
    const file = join(dir, 'config');
    await writeFile(file, twoContexts());
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBECONFIG: file };
    expect(loadKubeConfig({ env, serviceAccountDir: dir }).getCurrentCluster()?.server).toBe(
      'https://prod.k8s.eafix.local:6443',
    );
    expect(loadKubeConfig({ env, serviceAccountDir: dir, inCluster: true }).getCurrentCluster()?.server).toBe(
      'https://10.96.0.1:443',
    );
  });
});
