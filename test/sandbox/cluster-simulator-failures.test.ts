import { PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST, NS, rolloutState, startSim, statusOf, type SimHarness } from './cluster-simulator-support.ts';

const smp = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const restartBody = (at: string) => ({
  spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } },
});

let h: SimHarness;
beforeEach(async () => {
  h = await startSim();
});
afterEach(async () => {
  await h.sim.stop();
});

const waitingReason = (ns: string, selector: string) =>
  h.sim.listPods(ns, selector).map((p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason);

describe('ClusterSimulator: pod failures', () => {
  it('crash-loops a deployment: restarts climb, endpoints empty, logs show the fatal error, then recovers', async () => {
    h.sim.injectCrashLoop(NS, 'eafix-data-ingestor');
    await h.sim.waitFor(
      () =>
        h.sim
          .listPods(NS, 'app=eafix-data-ingestor')
          .every((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2),
      { description: 'restartCount >= 2 on every data-ingestor pod' },
    );
    expect(waitingReason(NS, 'app=eafix-data-ingestor')).toEqual(['CrashLoopBackOff', 'CrashLoopBackOff']);
    const pods = await h.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=eafix-data-ingestor' });
    expect(pods.items.every((p) => p.status?.containerStatuses?.[0]?.ready === false)).toBe(true);
    expect(pods.items[0]?.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(1);
    await h.sim.waitFor(() => !h.sim.getEndpoints(NS, 'eafix-data-ingestor')?.subsets?.[0]?.addresses, {
      description: 'no ready endpoints',
    });

    const name = pods.items[0]!.metadata!.name!;
    const logs = await h.core.readNamespacedPodLog({ name, namespace: NS });
    expect(logs).toMatch(/FATAL \[data-ingestor\] data-ingestor exiting with code 1/);
    await expect(h.core.readNamespacedPodLog({ name, namespace: NS, previous: true })).resolves.toContain('ERROR');
    const events = await h.core.listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${name}` });
    expect(events.items.some((e) => e.reason === 'BackOff' && e.type === 'Warning')).toBe(true);
    const d = await h.apps.readNamespacedDeployment({ name: 'eafix-data-ingestor', namespace: NS });
    expect(d.status?.availableReplicas).toBeUndefined();
    expect(d.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('False');
    await h.sim.settle({ timeoutMs: 3000 });

    h.sim.clearFailures();
    await h.sim.waitFor(() => h.sim.getDeployment(NS, 'eafix-data-ingestor')?.status?.availableReplicas === 2, {
      description: 'recovery',
    });
    expect(
      h.sim
        .listPods(NS, 'app=eafix-data-ingestor')
        .every((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2),
    ).toBe(true);
  });

  it('fails image pulls on new pods: the rollout stalls with the old pods serving, then times out', async () => {
    // A progress deadline of 600 s × 0.1 on the simulated clock: a busy machine cannot reach it before
    // `advance` does, so "waiting" is observed whatever the load.
    await h.sim.stop();
    h = await startSim({ timing: { ...FAST, progressDeadlineScale: 0.1 } });
    const oldNames = h.sim.listPods(NS, 'app=eafix-signal-generator').map((p) => p.metadata.name);
    h.sim.injectImagePullError(NS, 'eafix-signal-generator');
    await h.apps.patchNamespacedDeployment(
      { name: 'eafix-signal-generator', namespace: NS, body: restartBody('2025-02-01T00:00:00Z') },
      smp,
    );
    await h.sim.waitFor(
      () =>
        waitingReason(NS, 'app=eafix-signal-generator').some((r) => r === 'ErrImagePull' || r === 'ImagePullBackOff'),
      {
        description: 'an image pull failure',
      },
    );
    await h.sim.settle({ timeoutMs: 3000 });
    const names = h.sim.listPods(NS, 'app=eafix-signal-generator').map((p) => p.metadata.name);
    expect(names.filter((n) => oldNames.includes(n)).length).toBeGreaterThanOrEqual(1);
    const events = h.sim.listEvents(NS).filter((e) => e.reason === 'Failed');
    expect(events.some((e) => e.message.startsWith('Failed to pull image'))).toBe(true);
    expect(rolloutState(await h.apps.readNamespacedDeployment({ name: 'eafix-signal-generator', namespace: NS }))).toBe(
      'waiting',
    );
    h.sim.advance(61_000);
    const d = await h.apps.readNamespacedDeployment({ name: 'eafix-signal-generator', namespace: NS });
    expect(rolloutState(d)).toBe('failed');
  });

  it('blocks a rollout until ProgressDeadlineExceeded, and completes once cleared', async () => {
    h.sim.injectProgressDeadline(NS, 'eafix-blue');
    await h.apps.patchNamespacedDeploymentScale(
      { name: 'eafix-blue', namespace: NS, body: { spec: { replicas: 3 } } },
      merge,
    );
    await h.sim.waitFor(
      () =>
        h.sim
          .getDeployment(NS, 'eafix-blue')
          ?.status?.conditions?.some((c) => c.reason === 'ProgressDeadlineExceeded') ?? false,
      // The deadline runs on the simulator's scaled clock; a busy machine gets there late, never early.
      { description: 'ProgressDeadlineExceeded', timeoutMs: 30_000 },
    );
    const d = await h.apps.readNamespacedDeployment({ name: 'eafix-blue', namespace: NS });
    expect(rolloutState(d)).toBe('failed');
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')?.status).toBe('False');
    expect(h.sim.listPods(NS, 'version=blue').map((p) => p.status?.phase)).toEqual(['Pending', 'Pending', 'Pending']);
    const events = h.sim.listEvents(NS).map((e) => e.reason);
    expect(events).toEqual(expect.arrayContaining(['FailedScheduling', 'ProgressDeadlineExceeded']));

    h.sim.clearFailures();
    await h.sim.waitFor(() => rolloutState(h.sim.getDeployment(NS, 'eafix-blue') as never) === 'done', {
      description: 'blue rollout done',
    });
    expect(
      h.sim.getDeployment(NS, 'eafix-blue')?.status?.conditions?.find((c) => c.type === 'Progressing')?.reason,
    ).toBe('NewReplicaSetAvailable');
  });
});

describe('ClusterSimulator: API faults', () => {
  it('injects Status errors for the next N matching requests', async () => {
    h.sim.injectApiError({ method: 'PATCH', pathIncludes: '/deployments/eafix-blue', status: 500, times: 2 });
    const patch = () =>
      h.apps.patchNamespacedDeployment({ name: 'eafix-blue', namespace: NS, body: { spec: { replicas: 1 } } }, merge);
    for (let i = 0; i < 2; i++) {
      const err = await patch().catch((e: unknown) => e);
      expect(statusOf(err)).toMatchObject({
        code: 500,
        reason: 'InternalError',
        message: expect.stringContaining('injected'),
      });
    }
    await expect(h.apps.readNamespacedDeployment({ name: 'eafix-blue', namespace: NS })).resolves.toBeDefined();
    await expect(patch()).resolves.toMatchObject({ spec: { replicas: 1 } });
    h.sim.injectApiError({ pathIncludes: '/pods', status: 429, reason: 'TooManyRequests' });
    const err = await h.core.listNamespacedPod({ namespace: NS }).catch((e: unknown) => e);
    expect(statusOf(err)).toMatchObject({ code: 429, reason: 'TooManyRequests' });
  });

  it('adds latency globally or per path', async () => {
    const timed = async (call: () => Promise<unknown>) => {
      const t = performance.now();
      await call();
      return performance.now() - t;
    };
    const listPods = () => h.core.listNamespacedPod({ namespace: NS });
    const readService = () => h.core.readNamespacedService({ name: 'eafix-gateway', namespace: NS });
    await readService(); // warm the client up
    // Latency is a floor (a busy machine only adds to it): assert floors, and order instead of speed.
    h.sim.setLatency(1000, { pathIncludes: '/pods' });
    const order: string[] = [];
    const slow = timed(listPods).then((ms) => (order.push('pods'), ms));
    await readService().then(() => order.push('service'));
    expect(await slow).toBeGreaterThanOrEqual(995);
    expect(order).toEqual(['service', 'pods']);
    h.sim.clearFailures();
    h.sim.setLatency(150);
    expect(await timed(readService)).toBeGreaterThanOrEqual(145);
  });

  it('goes down (refused or dropped connections) and comes back up', async () => {
    await h.sim.goDown();
    const refused = await h.apps
      .readNamespacedDeployment({ name: 'eafix-blue', namespace: NS })
      .catch((e: unknown) => e);
    expect(String((refused as Error).message)).toMatch(/ECONNREFUSED/);
    await h.sim.comeUp();
    await expect(h.apps.readNamespacedDeployment({ name: 'eafix-blue', namespace: NS })).resolves.toBeDefined();

    await h.sim.goDown('drop');
    const dropped = await h.apps
      .readNamespacedDeployment({ name: 'eafix-blue', namespace: NS })
      .catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(Error);
    expect(String((dropped as Error).message)).toMatch(/socket hang up|ECONNRESET/);
    await h.sim.comeUp();
    await expect(h.core.readNamespacedService({ name: 'eafix-gateway', namespace: NS })).resolves.toBeDefined();
  });

  it('stop() ends open watches instead of hanging', async () => {
    let done: unknown = 'open';
    await new Watch(h.kc).watch(
      `/api/v1/namespaces/${NS}/pods`,
      {},
      () => {},
      (err) => (done = err ?? 'closed'),
    );
    await h.sim.waitFor(() => h.sim.requests.some((r) => r.query.watch === 'true' && r.status === 200), {
      description: 'watch open',
    });
    await h.sim.stop();
    const deadline = Date.now() + 20_000;
    while (done === 'open' && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(done).not.toBe('open');
  });
});
