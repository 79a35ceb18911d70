import { afterEach, describe, expect, it } from 'vitest';
import type { RolloutProgress } from '../../src/cluster/index.ts';
import { change, ENV, failure, FAST, NS, startHarness, type Harness } from './cluster-support.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

describe('KubeCluster.waitForRollout', () => {
  it('looks again when its watch reports a change, not only at its next poll', async () => {
    // A poll interval no test would wait out, and pods that start only when simulated time moves on:
    // only the watch can end this wait.
    h = await startHarness({ pollIntervalMs: 3_600_000, timing: { ...FAST, podStartMs: 60_000, podReadyMs: 60_000 } });
    await h.cluster.scale(ENV, 'blue', 5, change());
    const waiting = h.cluster.waitForRollout(ENV, 'blue', { timeoutMs: 60_000 });
    const watching = () =>
      h!.sim.requests.filter(
        (r) => r.path === `/apis/apps/v1/namespaces/${NS}/deployments` && r.query.watch === 'true',
      );
    await h.sim.waitFor(() => watching().length > 0, { description: 'the wait watching blue' });
    expect(watching()[0]?.query.fieldSelector).toBe('metadata.name=eafix-blue');
    h.sim.advance(300_000);
    expect(await waiting).toMatchObject({ state: 'complete', ready: 5, desired: 5 });
  });

  it('fails with the condition message on ProgressDeadlineExceeded', async () => {
    h = await startHarness();
    h.sim.injectProgressDeadline(NS, 'eafix-blue');
    await h.cluster.scale(ENV, 'blue', 3, change());
    const seen: RolloutProgress[] = [];
    let sawPending!: () => void;
    const pending = new Promise<void>((resolve) => (sawPending = resolve));
    const waiting = failure(
      h.cluster.waitForRollout(ENV, 'blue', {
        timeoutMs: 20_000,
        onProgress: (p) => {
          seen.push(p);
          if (p.state === 'progressing' && p.updated === 3) sawPending();
        },
      }),
    );
    await pending;
    // The deadline is 600 s scaled by 0.01: move the simulated clock past it.
    h.sim.advance(10_000);
    const err = await waiting;
    expect(err).toMatchObject({ code: 'rollout_failed', kind: 'domain' });
    expect(err.userMessage).toMatch(
      /^The rollout of blue in production failed: ReplicaSet "eafix-blue-[a-z0-9]+" has timed out progressing\.$/,
    );
    expect(seen.at(-1)?.state).toBe('failed');
    expect(seen.some((p) => p.state === 'progressing')).toBe(true);
  });

  it('times out with rollout_timeout while pods stay pending', async () => {
    h = await startHarness();
    h.sim.injectProgressDeadline(NS, 'eafix-blue');
    await h.cluster.scale(ENV, 'blue', 2, change());
    // Long enough for a busy machine to poll at least once; the pods stay pending whatever the speed.
    const err = await failure(h.cluster.waitForRollout(ENV, 'blue', { timeoutMs: 3_000 }));
    expect(err).toMatchObject({ code: 'rollout_timeout', kind: 'domain' });
    expect(err.userMessage).toMatch(/^blue in production did not finish rolling out within 3 s: /);
  });

  it('honours the abort signal with the caller’s reason', async () => {
    h = await startHarness();
    h.sim.injectProgressDeadline(NS, 'eafix-blue');
    await h.cluster.scale(ENV, 'blue', 2, change());
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const waiting = failure(h.cluster.waitForRollout(ENV, 'blue', { timeoutMs: 20_000, signal: controller.signal }));
    await h.sim.waitFor(
      () => h!.sim.requests.filter((r) => r.path.endsWith('/deployments/eafix-blue') && r.method === 'GET').length >= 2,
      {
        description: 'polling',
      },
    );
    controller.abort(reason);
    expect(await waiting).toBe(reason);
  });

  it('is complete at once for a deployment that has rolled out', async () => {
    h = await startHarness();
    await expect(h.cluster.waitForRollout(ENV, 'risk-manager', { timeoutMs: 5_000 })).resolves.toMatchObject({
      state: 'complete',
      desired: 3,
    });
  });
});

describe('KubeCluster.waitForPodsReady', () => {
  it('is woken by its watch of the selected pods', async () => {
    h = await startHarness({ pollIntervalMs: 3_600_000, timing: { ...FAST, podStartMs: 60_000, podReadyMs: 60_000 } });
    await h.cluster.scale(ENV, 'blue', 5, change());
    const waiting = h.cluster.waitForPodsReady(ENV, 'version=blue', { timeoutMs: 60_000, minReady: 5 });
    const watching = () =>
      h!.sim.requests.filter((r) => r.path === `/api/v1/namespaces/${NS}/pods` && r.query.watch === 'true');
    await h.sim.waitFor(() => watching().length > 0, { description: 'the wait watching the pods' });
    expect(watching()[0]?.query.labelSelector).toBe('version=blue');
    h.sim.advance(300_000);
    expect((await waiting).ready).toBe(5);
  });

  it('waits until the selected pods are ready, like kubectl wait', async () => {
    h = await startHarness();
    await h.cluster.scale(ENV, 'blue', 2, change());
    const ready = await h.cluster.waitForPodsReady(ENV, 'version=blue', { timeoutMs: 10_000, minReady: 2 });
    expect(ready.ready).toBeGreaterThanOrEqual(2);
    expect(ready.pods.filter((p) => p.ready).every((p) => p.name.startsWith('eafix-blue-'))).toBe(true);
    expect(
      h.sim
        .listPods(NS, 'version=blue')
        .filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
    ).toHaveLength(2);
  });

  it('times out naming how many became ready', async () => {
    h = await startHarness();
    h.sim.injectCrashLoop(NS, 'eafix-auth-service');
    const err = await failure(h.cluster.waitForPodsReady(ENV, 'app=eafix-auth-service', { timeoutMs: 3_000 }));
    expect(err).toMatchObject({ code: 'pods_not_ready', kind: 'domain' });
    expect(err.userMessage).toBe('0 of 2 pods matching app=eafix-auth-service in production became ready within 3 s.');
  });
});
