import { afterEach, describe, expect, it } from 'vitest';
import { CHANGE_ANNOTATIONS, RESTARTED_AT_ANNOTATION } from '../../src/cluster/index.ts';
import { change, ENV, failure, NS, startHarness, type Harness } from './cluster-support.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

const writesTo = (suffix: string) => h!.sim.writes.filter((w) => w.path.endsWith(suffix));

describe('KubeCluster.switchTraffic', () => {
  it('patches the gateway selector by strategic merge, annotates the service, and is idempotent', async () => {
    h = await startHarness();
    const result = await h.cluster.switchTraffic(ENV, 'blue', change({ approvalId: 'apr-9' }));
    expect(result).toEqual({ changed: true, from: 'green', to: 'blue' });

    const svc = h.sim.getService(NS, 'eafix-gateway')!;
    expect(svc.spec.selector).toEqual({ app: 'eafix-gateway', version: 'blue' });
    expect(svc.metadata.annotations).toMatchObject({
      [CHANGE_ANNOTATIONS.changedBy]: 'U_ALICE',
      [CHANGE_ANNOTATIONS.reason]: 'runbook: immediate rollback',
      [CHANGE_ANNOTATIONS.requestId]: 'req-123',
      [CHANGE_ANNOTATIONS.approvalId]: 'apr-9',
    });
    expect(Date.parse(svc.metadata.annotations?.[CHANGE_ANNOTATIONS.changedAt] ?? '')).not.toBeNaN();
    const [write] = writesTo('/services/eafix-gateway');
    expect(write).toMatchObject({
      method: 'PATCH',
      contentType: 'application/strategic-merge-patch+json',
      status: 200,
    });

    const again = await h.cluster.switchTraffic(ENV, 'blue', change({ requestId: 'req-124' }));
    expect(again).toEqual({ changed: false, from: 'blue', to: 'blue' });
    expect(writesTo('/services/eafix-gateway')).toHaveLength(1);
    await expect(h.cluster.liveColour(ENV)).resolves.toMatchObject({ colour: 'blue' });
  });

  it('drops a stale approval id when the new change has none', async () => {
    h = await startHarness();
    await h.cluster.switchTraffic(ENV, 'blue', change({ approvalId: 'apr-1' }));
    await h.cluster.switchTraffic(ENV, 'green', change({ requestId: 'req-2' }));
    const annotations = h.sim.getService(NS, 'eafix-gateway')?.metadata.annotations ?? {};
    expect(annotations[CHANGE_ANNOTATIONS.requestId]).toBe('req-2');
    expect(annotations).not.toHaveProperty(CHANGE_ANNOTATIONS.approvalId);
  });

  it('retries on a 409 by re-reading the service', async () => {
    h = await startHarness();
    h.sim.injectApiError({ method: 'PATCH', pathIncludes: '/services/eafix-gateway', status: 409, times: 2 });
    await expect(h.cluster.switchTraffic(ENV, 'blue', change())).resolves.toMatchObject({ changed: true });
    const calls = h.sim.requests
      .filter((r) => r.path.endsWith('/services/eafix-gateway'))
      .map((r) => `${r.method} ${r.status}`);
    expect(calls).toEqual(['GET 200', 'PATCH 409', 'GET 200', 'PATCH 409', 'GET 200', 'PATCH 200']);
  });

  it('sends impersonation headers on the write only, one group per header', async () => {
    h = await startHarness();
    await h.cluster.switchTraffic(
      ENV,
      'blue',
      change({ impersonate: { user: 'alice@eafix.io', groups: ['eafix-sre', 'eafix-oncall'] } }),
    );
    const [write] = writesTo('/services/eafix-gateway');
    expect(write?.headers).toMatchObject({
      impersonateUser: 'alice@eafix.io',
      impersonateGroups: ['eafix-sre', 'eafix-oncall'],
    });
    expect(write?.user).toBe('alice@eafix.io');
    const read = h.sim.requests.find((r) => r.method === 'GET' && r.path.endsWith('/services/eafix-gateway'));
    expect(read?.headers.impersonateUser).toBeUndefined();
  });

  it('maps a 403 for the impersonated user to cluster_forbidden naming them, and writes nothing', async () => {
    h = await startHarness();
    h.sim.denyAccess({ verb: 'patch', resource: 'services', user: 'bob@eafix.io' });
    const err = await failure(
      h.cluster.switchTraffic(ENV, 'blue', change({ impersonate: { user: 'bob@eafix.io', groups: [] } })),
    );
    expect(err).toMatchObject({ code: 'cluster_forbidden', kind: 'domain' });
    expect(err.userMessage).toMatch(
      /^bob@eafix\.io \(impersonated by the bot\) may not patch services in eafix-production: /,
    );
    expect(h.sim.getService(NS, 'eafix-gateway')?.spec.selector?.version).toBe('green');
  });
});

describe('KubeCluster.scale', () => {
  it('scales and annotates in ONE conditional patch of the deployment, and waits for the rollout', async () => {
    h = await startHarness();
    const progress: string[] = [];
    const before = h.sim.getDeployment(NS, 'eafix-blue')!.metadata.resourceVersion;
    const result = await h.cluster.scale(ENV, 'blue', 3, change());
    expect(result).toEqual({ deployment: 'eafix-blue', from: 0, to: 3, changed: true });
    expect(h.sim.writes.filter((w) => w.path.includes('/deployments/eafix-blue'))).toHaveLength(1);
    const [write] = writesTo('/deployments/eafix-blue');
    expect(write).toMatchObject({
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      status: 200,
      body: {
        metadata: {
          resourceVersion: before,
          annotations: { [CHANGE_ANNOTATIONS.requestId]: 'req-123', [CHANGE_ANNOTATIONS.changedBy]: 'U_ALICE' },
        },
        spec: { replicas: 3 },
      },
    });
    expect(h.sim.requests.some((r) => r.path.endsWith('/scale'))).toBe(false);
    expect(h.sim.getDeployment(NS, 'eafix-blue')?.metadata.annotations?.[CHANGE_ANNOTATIONS.requestId]).toBe('req-123');

    const done = await h.cluster.waitForRollout(ENV, 'blue', {
      timeoutMs: 10_000,
      onProgress: (p) => progress.push(p.state),
    });
    expect(done).toMatchObject({ deployment: 'eafix-blue', state: 'complete', desired: 3, available: 3 });
    expect(progress.at(-1)).toBe('complete');
    expect(h.sim.getDeployment(NS, 'eafix-blue')?.status?.availableReplicas).toBe(3);

    const writes = h.sim.writes.length;
    await expect(h.cluster.scale(ENV, 'eafix-blue', 3, change())).resolves.toEqual({
      deployment: 'eafix-blue',
      from: 3,
      to: 3,
      changed: false,
    });
    expect(h.sim.writes.length).toBe(writes);
  });

  it('refuses replicas outside the topology bounds without any request', async () => {
    h = await startHarness();
    const before = h.sim.requests.length;
    const err = await failure(h.cluster.scale(ENV, 'risk-manager', 11, change()));
    expect(err).toMatchObject({
      code: 'replicas_out_of_bounds',
      kind: 'domain',
      userMessage: 'risk-manager takes 2–10 replicas in production',
    });
    await expect(h.cluster.scale(ENV, 'risk-manager', 1, change())).rejects.toMatchObject({
      code: 'replicas_out_of_bounds',
    });
    await expect(h.cluster.scale(ENV, 'risk-manager', 2.5, change())).rejects.toMatchObject({
      code: 'replicas_out_of_bounds',
    });
    await expect(h.cluster.scale(ENV, 'nope', 2, change())).rejects.toMatchObject({ code: 'unknown_service' });
    expect(h.sim.requests.length).toBe(before);
  });

  it('sends the one write as the impersonated identity', async () => {
    h = await startHarness();
    await h.cluster.scale(
      ENV,
      'market-data',
      4,
      change({ impersonate: { user: 'carol@eafix.io', groups: ['eafix-sre'] } }),
    );
    const writes = h.sim.writes.filter((w) => w.path.includes('/deployments/eafix-market-data'));
    expect(
      writes.map(
        (w) =>
          `${w.method} ${w.path.split('/').at(-1)} ${w.headers.impersonateUser} ${w.headers.impersonateGroups?.join('|')}`,
      ),
    ).toEqual(['PATCH eafix-market-data carol@eafix.io eafix-sre']);
  });

  it('a refused write leaves neither replicas nor annotations changed (no half-done scale)', async () => {
    h = await startHarness();
    h.sim.denyAccess({ verb: 'patch', resource: 'deployments', user: 'carol@eafix.io' });
    const err = await failure(
      h.cluster.scale(ENV, 'blue', 3, change({ impersonate: { user: 'carol@eafix.io', groups: [] } })),
    );
    expect(err).toMatchObject({
      code: 'cluster_forbidden',
      userMessage: expect.stringMatching(
        /^carol@eafix\.io \(impersonated by the bot\) may not patch deployments in eafix-production/,
      ),
    });
    const d = h.sim.getDeployment(NS, 'eafix-blue')!;
    expect(d.spec.replicas).toBe(0);
    expect(d.metadata.annotations?.[CHANGE_ANNOTATIONS.requestId]).toBeUndefined();
  });

  it('a lost answer: the write landed with its annotation, and the re-read reports it as this change', async () => {
    h = await startHarness();
    h.sim.loseAnswer({ method: 'PATCH', pathIncludes: '/deployments/eafix-blue' });
    const result = await h.cluster.scale(ENV, 'blue', 3, change());
    expect(result).toEqual({ deployment: 'eafix-blue', from: 0, to: 3, changed: true });
    const d = h.sim.getDeployment(NS, 'eafix-blue')!;
    expect(d.spec.replicas).toBe(3);
    expect(d.metadata.annotations).toMatchObject({
      [CHANGE_ANNOTATIONS.requestId]: 'req-123',
      [CHANGE_ANNOTATIONS.changedBy]: 'U_ALICE',
    });
    // Re-read after the lost answer, and no second write.
    const calls = h.sim.requests.filter((r) => r.path.endsWith('/deployments/eafix-blue')).map((r) => r.method);
    expect(calls).toEqual(['GET', 'PATCH', 'GET']);
  });

  it('a real stale-resourceVersion conflict (another writer in between) is re-read and retried', async () => {
    h = await startHarness();
    h.sim.beforeNextRequest({ method: 'PATCH', pathIncludes: '/deployments/eafix-blue' }, () =>
      h!.sim.editDeployment(NS, 'eafix-blue', (d) => {
        d.metadata.annotations = { ...d.metadata.annotations, 'example.com/other-writer': 'yes' };
      }),
    );
    await expect(h.cluster.scale(ENV, 'blue', 2, change())).resolves.toMatchObject({ changed: true, from: 0, to: 2 });
    const calls = h.sim.requests
      .filter((r) => r.path.endsWith('/deployments/eafix-blue'))
      .map((r) => `${r.method} ${r.status}`);
    expect(calls).toEqual(['GET 200', 'PATCH 409', 'GET 200', 'PATCH 200']);
    const d = h.sim.getDeployment(NS, 'eafix-blue')!;
    expect(d.spec.replicas).toBe(2);
    expect(d.metadata.annotations).toMatchObject({
      'example.com/other-writer': 'yes',
      [CHANGE_ANNOTATIONS.requestId]: 'req-123',
    });
  });
});

describe('KubeCluster.restart', () => {
  it('rolls out new pods, and the same restartedAt does not restart twice', async () => {
    h = await startHarness();
    const oldPods = (await h.cluster.listPods(ENV, 'execution-engine')).map((p) => p.name);
    const restartedAt = '2025-03-01T10:00:00.000Z';
    const result = await h.cluster.restart(ENV, 'execution-engine', change(), { restartedAt });
    expect(result).toEqual({ deployment: 'eafix-execution-engine', restartedAt, changed: true });
    const [write] = writesTo('/deployments/eafix-execution-engine');
    expect(write).toMatchObject({ contentType: 'application/strategic-merge-patch+json' });
    const d = h.sim.getDeployment(NS, 'eafix-execution-engine')!;
    expect(d.spec.template.metadata?.annotations?.[RESTARTED_AT_ANNOTATION]).toBe(restartedAt);
    expect(d.metadata.annotations?.[CHANGE_ANNOTATIONS.changedBy]).toBe('U_ALICE');

    await h.cluster.waitForRollout(ENV, 'execution-engine', { timeoutMs: 10_000 });
    await h.sim.settle();
    const newPods = (await h.cluster.listPods(ENV, 'execution-engine')).map((p) => p.name);
    expect(newPods).toHaveLength(3);
    expect(newPods.filter((n) => oldPods.includes(n))).toEqual([]);

    const generation = h.sim.getDeployment(NS, 'eafix-execution-engine')?.metadata.generation;
    await expect(h.cluster.restart(ENV, 'execution-engine', change(), { restartedAt })).resolves.toMatchObject({
      changed: false,
    });
    expect(writesTo('/deployments/eafix-execution-engine')).toHaveLength(1);
    expect(h.sim.getDeployment(NS, 'eafix-execution-engine')?.metadata.generation).toBe(generation);
  });

  it('defaults restartedAt to now and refuses a value that is not a time', async () => {
    h = await startHarness();
    const result = await h.cluster.restart(ENV, 'data-ingestor', change());
    expect(Math.abs(Date.parse(result.restartedAt) - h.sim.now())).toBeLessThan(60_000);
    await expect(h.cluster.restart(ENV, 'data-ingestor', change(), { restartedAt: 'yesterday' })).rejects.toMatchObject(
      { code: 'invalid_restarted_at' },
    );
  });
});
