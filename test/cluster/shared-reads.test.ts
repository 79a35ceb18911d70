import { afterEach, describe, expect, it } from 'vitest';
import { withSharedReads } from '../../src/cluster/shared-reads.ts';
import type { Cluster } from '../../src/cluster/index.ts';
import { change, ENV, failure, NS, startHarness, type Harness } from './cluster-support.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

/** Requests the simulator received while `fn` ran, as "METHOD path". */
async function requestsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const before = h!.sim.requests.length;
  await fn();
  return h!.sim.requests.slice(before).map((r) => `${r.method} ${r.path}`);
}

describe('withSharedReads', () => {
  let clock = 0;
  const now = () => clock;
  let shared: Cluster;

  async function start() {
    h = await startHarness();
    clock = 1_000_000;
    shared = withSharedReads(h.cluster, { snapshotMs: 1_500, now });
  }

  it('serves 50 concurrent status calls of one environment with one deployment list and one pod list', async () => {
    await start();
    let answers: unknown[] = [];
    const made = await requestsDuring(async () => {
      answers = await Promise.all(Array.from({ length: 50 }, () => shared.status(ENV)));
    });
    expect(made.sort()).toEqual([
      `GET /api/v1/namespaces/${NS}/pods`,
      `GET /apis/apps/v1/namespaces/${NS}/deployments`,
    ]);
    expect(answers).toHaveLength(50);
    expect(new Set(answers).size).toBe(1);
    // Another environment is its own read.
    expect(await requestsDuring(() => shared.status('staging'))).toHaveLength(2);
  });

  it('keeps a snapshot for its lifetime, then reads again', async () => {
    await start();
    await shared.status(ENV);
    await shared.liveColour(ENV);
    clock += 1_000;
    expect(await requestsDuring(() => Promise.all([shared.status(ENV), shared.liveColour(ENV)]))).toEqual([]);
    clock += 600;
    expect(await requestsDuring(() => Promise.all([shared.status(ENV), shared.liveColour(ENV)]))).toHaveLength(3);
  });

  it("drops the environment's snapshot when the bot writes, so the next read shows the change", async () => {
    await start();
    expect((await shared.status(ENV)).find((d) => d.service === 'blue')?.desired).toBe(0);
    expect((await shared.liveColour(ENV)).colour).toBe('green');
    await shared.switchTraffic(ENV, 'blue', change());
    await shared.scale(ENV, 'blue', 2, change());
    expect((await shared.liveColour(ENV)).colour).toBe('blue');
    expect((await shared.status(ENV)).find((d) => d.service === 'blue')?.desired).toBe(2);
  });

  it('answers a fresh read from the cluster even within the snapshot lifetime', async () => {
    await start();
    await shared.status(ENV);
    expect(await requestsDuring(() => shared.status(ENV, { fresh: true }))).toHaveLength(2);
  });

  it('never keeps an error: the read after an outage goes to the cluster again', async () => {
    await start();
    await h!.sim.goDown();
    const down = await failure(shared.status(ENV));
    expect(down.code).toMatch(/^cluster_/);
    await h!.sim.comeUp();
    expect((await shared.status(ENV)).length).toBeGreaterThan(0);
  });
});
