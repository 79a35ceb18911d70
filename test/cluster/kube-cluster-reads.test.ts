import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { topologySchema } from '../../src/config/topology.ts';
import { defaultTopology, SEEDED_POD_AGE_MS } from '@eafix/sandbox/cluster';
import { ENV, failure, NS, startHarness, type Harness } from './cluster-support.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

describe('KubeCluster.status', () => {
  it('summarises every deployment in topology order, with restarts, from two list calls', async () => {
    h = await startHarness();
    h.sim.injectCrashLoop(NS, 'eafix-data-ingestor');
    await h.sim.waitFor(
      () =>
        h!.sim
          .listPods(NS, 'app=eafix-data-ingestor')
          .every((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1),
      {
        description: 'data-ingestor restarts',
      },
    );
    const before = h.sim.requests.length;
    const status = await h.cluster.status(ENV);
    const calls = h.sim.requests.slice(before);
    expect(calls.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      `GET /api/v1/namespaces/${NS}/pods`,
      `GET /apis/apps/v1/namespaces/${NS}/deployments`,
    ]);
    expect(status.map((s) => s.service)).toEqual(['blue', 'green', ...defaultTopology().services.map((s) => s.name)]);

    const green = status.find((s) => s.service === 'green')!;
    expect(green).toMatchObject({
      name: 'eafix-green',
      desired: 3,
      ready: 3,
      updated: 3,
      available: 3,
      unavailable: 0,
      rollout: 'complete',
    });
    expect(green.rolloutInProgress).toBe(false);
    expect(green.images).toEqual(['registry.eafix.local/eafix/gateway:2.4.0']);
    // Blue at 0: the API server omits the zero counts; they read as 0, and a 0-replica rollout is complete.
    expect(status.find((s) => s.service === 'blue')).toMatchObject({
      desired: 0,
      ready: 0,
      available: 0,
      rollout: 'complete',
    });

    const ingestor = status.find((s) => s.service === 'data-ingestor')!;
    expect(ingestor.restarts).toBeGreaterThanOrEqual(2);
    expect(ingestor.available).toBe(0);
    expect(ingestor.conditions.find((c) => c.type === 'Available')).toMatchObject({ status: 'False' });
    expect(status.find((s) => s.service === 'risk-manager')?.restarts).toBe(0);
  });

  it('makes the same number of requests whatever the number of services', async () => {
    const small = defaultTopology();
    h = await startHarness({ topology: topologySchema.parse({ ...small, services: small.services.slice(0, 2) }) });
    const before = h.sim.requests.length;
    const status = await h.cluster.status(ENV);
    expect(status).toHaveLength(4);
    expect(h.sim.requests.length - before).toBe(2);
  });

  it('reports a rollout in progress by kubectl’s rule while a scale-up is under way', async () => {
    h = await startHarness({ timing: { podStartMs: 5_000, podReadyMs: 5_000, tickMs: 10 } });
    await h.cluster.scale(ENV, 'blue', 2, { requestedBy: 'U1', reason: 'prepare blue', requestId: 'r-1' });
    await h.sim.waitFor(() => (h!.sim.getDeployment(NS, 'eafix-blue')?.status?.observedGeneration ?? 0) >= 2, {
      description: 'generation observed',
    });
    const blue = (await h.cluster.status(ENV)).find((s) => s.service === 'blue')!;
    expect(blue).toMatchObject({
      desired: 2,
      rollout: 'progressing',
      rolloutInProgress: true,
      progressDeadlineExceeded: false,
    });
    expect(blue.rolloutMessage).toMatch(/updated replicas are available/);
  });

  it('refuses an unknown environment before any request', async () => {
    h = await startHarness();
    const before = h.sim.requests.length;
    const err = await failure(h.cluster.status('prod'));
    expect(err).toMatchObject({
      code: 'unknown_environment',
      kind: 'domain',
      hints: ['Known environments: production, staging, dr'],
    });
    expect(h.sim.requests.length).toBe(before);
  });
});

describe('KubeCluster.deploymentSpec', () => {
  it('reads one deployment in one GET, no pod list; undefined when it does not exist', async () => {
    h = await startHarness();
    const before = h.sim.requests.length;
    expect(await h.cluster.deploymentSpec(ENV, 'eafix-green')).toEqual({
      name: 'eafix-green',
      desired: 3,
      images: ['registry.eafix.local/eafix/gateway:2.4.0'],
    });
    expect(h.sim.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /apis/apps/v1/namespaces/${NS}/deployments/eafix-green`,
    ]);
    expect(await h.cluster.deploymentSpec(ENV, 'eafix-purple')).toBeUndefined();
    // Other failures are not "absent".
    h.sim.denyAccess({ verb: 'get', resource: 'deployments', namespace: NS });
    await expect(h.cluster.deploymentSpec(ENV, 'eafix-blue')).rejects.toMatchObject({ code: 'cluster_forbidden' });
  });
});

describe('KubeCluster gateway reads', () => {
  it('reads the live colour and the gateway endpoints by colour', async () => {
    h = await startHarness();
    await expect(h.cluster.liveColour(ENV)).resolves.toEqual({
      colour: 'green',
      selector: { app: 'eafix-gateway', version: 'green' },
    });
    const endpoints = await h.cluster.gatewayEndpoints(ENV);
    expect(endpoints).toMatchObject({
      service: 'eafix-gateway',
      ready: 3,
      notReady: 0,
      colours: { green: 3, blue: 0, unknown: 0 },
    });
    expect(endpoints.addresses.every((a) => a.pod?.startsWith('eafix-green-'))).toBe(true);
  });

  it('reports an unknown colour when the selector points elsewhere', async () => {
    h = await startHarness();
    const core = h.sim.kubeConfig().makeApiClient(CoreV1Api);
    await core.patchNamespacedService(
      { name: 'eafix-gateway', namespace: NS, body: { spec: { selector: { version: 'canary' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await expect(h.cluster.liveColour(ENV)).resolves.toMatchObject({
      colour: 'unknown',
      selector: { version: 'canary' },
    });
  });
});

describe('KubeCluster pods, logs, events', () => {
  it('lists a service’s pods with the crash-loop reason, restarts, age and node', async () => {
    h = await startHarness();
    h.sim.injectCrashLoop(NS, 'eafix-data-ingestor');
    await h.sim.waitFor(
      () =>
        h!.sim
          .listPods(NS, 'app=eafix-data-ingestor')
          .every((p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff'),
      { description: 'CrashLoopBackOff' },
    );
    const pods = await h.cluster.listPods(ENV, 'data-ingestor');
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p).toMatchObject({
        phase: 'Running',
        ready: false,
        readyContainers: '0/1',
        waitingReason: 'CrashLoopBackOff',
        status: 'CrashLoopBackOff',
      });
      expect(p.restarts).toBeGreaterThanOrEqual(1);
      expect(p.ageSeconds).toBeGreaterThanOrEqual(SEEDED_POD_AGE_MS / 1000 - 5);
      expect(p.node).toBeTruthy();
    }
    const healthy = await h.cluster.listPods(ENV, 'risk-manager');
    expect(healthy.map((p) => [p.status, p.ready, p.restarts])).toEqual([
      ['Running', true, 0],
      ['Running', true, 0],
      ['Running', true, 0],
    ]);
  });

  it('lists pods of a colour by its gateway labels', async () => {
    h = await startHarness();
    const pods = await h.cluster.listPods(ENV, 'green');
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.labels.version === 'green' && p.name.startsWith('eafix-green-'))).toBe(true);
    expect(h.sim.requests.at(-1)?.query.labelSelector).toBe('app=eafix-gateway,version=green');
  });

  it('refuses an unknown service with the known ones as a hint, before any request', async () => {
    h = await startHarness();
    const before = h.sim.requests.length;
    const err = await failure(h.cluster.listPods(ENV, 'risk-manger'));
    expect(err.code).toBe('unknown_service');
    expect(err.hints?.[0]).toMatch(/^Known services: blue, green, data-ingestor, .*risk-manager/);
    expect(h.sim.requests.length).toBe(before);
  });

  it('fetches logs of each pod with a header, honouring tailLines and sinceSeconds', async () => {
    h = await startHarness();
    const tail = await h.cluster.podLogs(ENV, 'data-ingestor', { tailLines: 5 });
    expect(tail.pods).toHaveLength(2);
    expect(tail.truncated).toBe(false);
    const sections = tail.text.split(/^==> /m).filter(Boolean);
    expect(sections).toHaveLength(2);
    for (const [i, section] of sections.entries()) {
      const [header, ...lines] = section.trimEnd().split('\n');
      expect(header).toBe(`${tail.pods[i]} (data-ingestor) <==`);
      expect(lines).toHaveLength(5);
    }
    const logCalls = h.sim.requests.filter((r) => r.path.endsWith('/log'));
    expect(logCalls.map((r) => r.query)).toEqual([
      expect.objectContaining({ tailLines: '5', container: 'data-ingestor' }),
      expect.objectContaining({ tailLines: '5' }),
    ]);

    const since = await h.cluster.podLogs(ENV, 'data-ingestor', { sinceSeconds: 30 });
    const perPod = since.text
      .split(/^==> /m)
      .filter(Boolean)
      .map((s) => s.trimEnd().split('\n').length - 1);
    // One line every 3 s: about 10 lines in the last 30 s, far fewer than the 2 h of history.
    expect(perPod.every((n) => n >= 8 && n <= 11)).toBe(true);
  });

  it('bounds the total log size and says so', async () => {
    h = await startHarness();
    const logs = await h.cluster.podLogs(ENV, 'execution-engine', { maxBytes: 2_000 });
    expect(logs.truncated).toBe(true);
    expect(Buffer.byteLength(logs.text)).toBeLessThan(2_200);
    expect(logs.text).toMatch(/… truncated at 2 kB; \d more pod\(s\) not shown/);
  });

  it('lists recent events for a service, newest first, limited', async () => {
    h = await startHarness();
    h.sim.injectCrashLoop(NS, 'eafix-data-ingestor');
    await h.sim.waitFor(() => h!.sim.listEvents(NS).some((e) => e.reason === 'BackOff'), {
      description: 'BackOff event',
    });
    const events = await h.cluster.recentEvents(ENV, { involvedName: 'data-ingestor', limit: 3 });
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThanOrEqual(3);
    expect(events.every((e) => e.object.includes('eafix-data-ingestor'))).toBe(true);
    const times = events.map((e) => Date.parse(e.lastSeen ?? '0'));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const backOff = await h.cluster.recentEvents(ENV, {
      involvedName: events.find((e) => e.object.startsWith('Pod/'))!.object.slice(4),
      limit: 50,
    });
    expect(h.sim.requests.at(-1)?.query.fieldSelector).toMatch(/^involvedObject\.name=eafix-data-ingestor-/);
    expect(backOff.some((e) => e.reason === 'BackOff' && e.type === 'Warning')).toBe(true);
  });
});

describe('KubeCluster.accessReview', () => {
  it('answers allowed and denied per check, in the environment’s namespace', async () => {
    h = await startHarness();
    h.sim.denyAccess({ verb: 'patch', resource: 'deployments/scale', namespace: NS });
    const result = await h.cluster.accessReview(ENV, [
      { verb: 'patch', resource: 'services' },
      { verb: 'patch', resource: 'deployments', subresource: 'scale' },
    ]);
    expect(result).toEqual([
      { verb: 'patch', resource: 'services', group: '', allowed: true, reason: expect.stringContaining('allowed') },
      // RBAC gives no reason for a denial; the adapter says what that means.
      {
        verb: 'patch',
        resource: 'deployments',
        subresource: 'scale',
        group: 'apps',
        allowed: false,
        reason: 'no RBAC rule allows it',
      },
    ]);
    const staging = await h.cluster.accessReview('staging', [
      { verb: 'patch', resource: 'deployments', subresource: 'scale' },
    ]);
    expect(staging[0]?.allowed).toBe(true);
  });
});
