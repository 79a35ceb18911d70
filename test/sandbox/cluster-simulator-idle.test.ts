import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '@eafix/sandbox/cluster/store';
import { NS, startSim, type SimHarness } from './cluster-simulator-support.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

const storeOf = (h: SimHarness) => (h.sim as unknown as { store: Store }).store;

/** The resources a reconcile pass parses out of the store (get and list). */
function readsDuring(h: SimHarness, pass: () => void): string[] {
  const store = storeOf(h);
  const get = vi.spyOn(store, 'get');
  const list = vi.spyOn(store, 'list');
  try {
    pass();
    return [...get.mock.calls, ...list.mock.calls].map((call) => String(call[0]));
  } finally {
    get.mockRestore();
    list.mockRestore();
  }
}

describe('cluster simulator at rest', () => {
  it('an idle tick parses no Deployment or Service: a settled world costs next to nothing to keep', async () => {
    h = await startSim();
    await h.sim.settle();
    // The pass after the one that completed each Deployment finds nothing to change: from then on, rest.
    h.sim.tick();
    const reads = readsDuring(h, () => h!.sim.tick());
    expect(reads.filter((r) => r === 'deployments' || r === 'services')).toEqual([]);
  });

  it('wakes a resting Deployment when it is scaled, and when one of its pods is deleted', async () => {
    h = await startSim();
    await h.sim.settle();
    const name = 'eafix-risk-manager';
    await h.apps.patchNamespacedDeploymentScale(
      { name, namespace: NS, body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await h.sim.settle();
    expect(h.sim.getDeployment(NS, name)?.status).toMatchObject({ replicas: 3, readyReplicas: 3 });

    const pods = h.sim.listPods(NS, `app=${name}`);
    await h.core.deleteNamespacedPod({ name: pods[0]!.metadata.name, namespace: NS });
    await h.sim.settle();
    const after = h.sim.listPods(NS, `app=${name}`);
    expect(after).toHaveLength(3);
    expect(after.map((p) => p.metadata.name)).not.toContain(pods[0]!.metadata.name);
  });

  it('moves a 0-replica Deployment given a new template on to "successfully progressed", as each tick did', async () => {
    h = await startSim();
    await h.sim.settle();
    const name = 'eafix-blue';
    expect(h.sim.getDeployment(NS, name)?.spec.replicas ?? 1).toBe(0);
    h.sim.editDeployment(NS, name, (d) => {
      d.spec.template.spec.containers[0]!.image = 'registry.eafix.io/eafix-app:9.9.9';
    });
    for (let i = 0; i < 5; i++) h.sim.advance(1_000);
    const progressing = h.sim.getDeployment(NS, name)?.status?.conditions?.find((c) => c.type === 'Progressing');
    expect(progressing?.reason).toBe('NewReplicaSetAvailable');
  });
});
