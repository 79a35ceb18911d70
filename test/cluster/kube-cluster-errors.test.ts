import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/cluster/index.ts';
import { createLogger } from '../../src/logger.ts';
import { buildKubeConfig, defaultTopology } from '@eafix/sandbox/cluster';
import { change, ENV, failure, NS, startHarness, type Harness } from './cluster-support.ts';

let h: Harness | undefined;
let server: Server | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

describe('KubeCluster: an unreachable cluster', () => {
  it('fails with cluster_unreachable when connections are refused', async () => {
    h = await startHarness();
    await h.sim.goDown('refuse');
    const err = await failure(h.cluster.status(ENV));
    expect(err).toMatchObject({ code: 'cluster_unreachable', kind: 'upstream' });
    expect(err.userMessage).toMatch(
      /^The Kubernetes API at 127\.0\.0\.1:\d+ refused the connection \(list (deployments|pods) in eafix-production\)\.$/,
    );
  });

  it('fails with cluster_unreachable when connections are dropped', async () => {
    h = await startHarness();
    await h.sim.goDown('drop');
    const err = await failure(h.cluster.liveColour(ENV));
    expect(err).toMatchObject({ code: 'cluster_unreachable', kind: 'upstream' });
    expect(err.userMessage).toMatch(/dropped the connection \(get services eafix-gateway in eafix-production\)/);
  });

  it('bounds a request that never answers with the request timeout', async () => {
    h = await startHarness({ requestTimeoutMs: 300 });
    h.sim.setLatency(60_000);
    const err = await failure(h.cluster.switchTraffic(ENV, 'blue', change()));
    expect(err).toMatchObject({ code: 'cluster_unreachable', kind: 'upstream' });
    expect(err.userMessage).toMatch(/did not answer within 0\.3 s \(get services eafix-gateway in eafix-production\)/);
    expect(h.sim.writes).toHaveLength(0);
  });

  it('keeps waiting for a rollout through a short outage, then reports the outage at the deadline', async () => {
    h = await startHarness();
    await h.sim.goDown('refuse');
    const err = await failure(h.cluster.waitForRollout(ENV, 'green', { timeoutMs: 200 }));
    expect(err).toMatchObject({ code: 'cluster_unreachable', kind: 'upstream' });
    await h.sim.comeUp();
    await expect(h.cluster.waitForRollout(ENV, 'green', { timeoutMs: 5_000 })).resolves.toMatchObject({
      state: 'complete',
    });
  });
});

describe('KubeCluster: API errors', () => {
  it('maps 403 for the bot’s own account to cluster_forbidden', async () => {
    h = await startHarness();
    h.sim.denyAccess({ verb: 'list', resource: 'pods', namespace: NS });
    const err = await failure(h.cluster.listPods(ENV, 'risk-manager'));
    expect(err).toMatchObject({ code: 'cluster_forbidden', kind: 'domain' });
    expect(err.userMessage).toMatch(
      /^The bot's Kubernetes account \(system:serviceaccount:eafix-system:eafix-chatops\) may not list pods in eafix-production: pods is forbidden: User "system:serviceaccount:/,
    );
  });

  it('maps 404 to cluster_not_found naming the object', async () => {
    h = await startHarness({ environments: ['production'] });
    const err = await failure(h.cluster.liveColour('staging'));
    expect(err).toMatchObject({
      code: 'cluster_not_found',
      kind: 'domain',
      userMessage: 'Kubernetes has no services eafix-gateway in eafix-staging.',
    });
  });

  it('maps 5xx and 429 to upstream cluster_error with the server’s message', async () => {
    h = await startHarness();
    h.sim.injectApiError({
      method: 'GET',
      pathIncludes: '/services/eafix-gateway',
      status: 503,
      message: 'etcd leader changed',
      times: 2,
    });
    const err = await failure(h.cluster.liveColour(ENV));
    expect(err).toMatchObject({ code: 'cluster_error', kind: 'upstream' });
    expect(err.userMessage).toContain(
      'failed (HTTP 503) on get services eafix-gateway in eafix-production: etcd leader changed',
    );
    h.sim.injectApiError({ pathIncludes: '/deployments', status: 429, times: 2 });
    await expect(h.cluster.status(ENV)).rejects.toMatchObject({
      code: 'cluster_error',
      kind: 'upstream',
      userMessage: expect.stringContaining('rate limiting'),
    });
  });

  it('gives up after repeated conflicts with an upstream cluster_conflict', async () => {
    h = await startHarness();
    h.sim.injectApiError({ method: 'PATCH', pathIncludes: '/deployments/eafix-blue', status: 409, times: Infinity });
    const err = await failure(h.cluster.scale(ENV, 'blue', 2, change()));
    expect(err).toMatchObject({ code: 'cluster_conflict', kind: 'upstream' });
    expect(h.sim.writes.filter((w) => w.path.endsWith('/deployments/eafix-blue'))).toHaveLength(4);
  });
});

describe('KubeCluster: transient errors and lost answers', () => {
  it('retries a read once after a transient error, honouring Retry-After', async () => {
    h = await startHarness();
    h.sim.injectApiError({ method: 'GET', pathIncludes: '/services/eafix-gateway', status: 429, retryAfterSeconds: 1 });
    await expect(h.cluster.liveColour(ENV)).resolves.toMatchObject({ colour: 'green' });
    const calls = h.sim.requests.filter((r) => r.path.endsWith('/services/eafix-gateway'));
    expect(calls.map((r) => r.status)).toEqual([429, 200]);
    // The retry waited for the server's Retry-After (simulator clock = wall clock here).
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('does not wait for a Retry-After longer than an interactive read can afford', async () => {
    h = await startHarness();
    h.sim.injectApiError({
      method: 'GET',
      pathIncludes: '/services/eafix-gateway',
      status: 429,
      retryAfterSeconds: 60,
    });
    await expect(h.cluster.liveColour(ENV)).rejects.toMatchObject({
      code: 'cluster_error',
      userMessage: expect.stringContaining('rate limiting'),
    });
    expect(h.sim.requests.filter((r) => r.path.endsWith('/services/eafix-gateway'))).toHaveLength(1);
  });

  it('a write whose answer is lost is re-read: it had landed, so it is reported as this change and not sent again', async () => {
    h = await startHarness();
    h.sim.loseAnswer({ method: 'PATCH', pathIncludes: '/services/eafix-gateway' });
    await expect(h.cluster.switchTraffic(ENV, 'blue', change())).resolves.toEqual({
      changed: true,
      from: 'green',
      to: 'blue',
    });
    const calls = h.sim.requests.filter((r) => r.path.endsWith('/services/eafix-gateway')).map((r) => r.method);
    expect(calls).toEqual(['GET', 'PATCH', 'GET']);
    expect(h.sim.getService(NS, 'eafix-gateway')?.spec.selector?.version).toBe('blue');
  });

  it('an unknown outcome that stays unknown says the change may have been applied, after re-reading before the retry', async () => {
    const calls: string[] = [];
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'eafix-data-ingestor', namespace: NS, resourceVersion: '7' },
      spec: { replicas: 2, selector: {}, template: { metadata: {} } },
    };
    server = createServer((req, res) => {
      calls.push(req.method ?? '');
      if (req.method === 'PATCH') {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(deployment));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cluster = new KubeCluster({
      kubeConfig: buildKubeConfig({ server: url }),
      topology: defaultTopology(),
      logger: createLogger({ level: 'silent' }),
    });
    const err = await failure(
      cluster.restart(ENV, 'data-ingestor', change(), { restartedAt: '2025-03-01T10:00:00.000Z' }),
    );
    expect(err).toMatchObject({ code: 'cluster_write_unknown', kind: 'upstream' });
    expect(err.userMessage).toMatch(
      /dropped the connection on patch deployments eafix-data-ingestor in eafix-production, so the change may or may not have been applied; the bot re-reads/,
    );
    expect(calls).toEqual(['GET', 'PATCH', 'GET', 'PATCH']);
  });
});

describe('KubeCluster: impersonation on the wire', () => {
  it('sends one Impersonate-Group header line per group, as the API server reads them', async () => {
    const seen: IncomingMessage['headersDistinct'][] = [];
    server = createServer((req, res) => {
      seen.push(req.headersDistinct);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'eafix-gateway', resourceVersion: '1' },
          spec: { selector: { version: 'green' } },
        }),
      );
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cluster = new KubeCluster({
      kubeConfig: buildKubeConfig({ server: url }),
      topology: defaultTopology(),
      logger: createLogger({ level: 'silent' }),
    });
    await cluster.switchTraffic(
      ENV,
      'blue',
      change({ impersonate: { user: 'alice@eafix.io', groups: ['eafix-sre', 'system:authenticated'] } }),
    );
    const [read] = seen;
    const write = seen.at(-1);
    expect(read?.['impersonate-user']).toBeUndefined();
    expect(write?.['impersonate-user']).toEqual(['alice@eafix.io']);
    expect(write?.['impersonate-group']).toEqual(['eafix-sre', 'system:authenticated']);
    expect(write?.['content-type']).toEqual(['application/strategic-merge-patch+json']);
  });
});
