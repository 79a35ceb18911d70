/**
 * ConfigMaps through the real KubeCluster against the simulator: create, replace with the change
 * annotations, no write when nothing changes (a resumed step), an immutable kept version never
 * rewritten, list by label, and undefined for one that is not there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { change, ENV, NS, startHarness, type Harness } from './cluster-support.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

const cmWrites = () => h!.sim.writes.filter((w) => w.path.includes('/configmaps'));

describe('KubeCluster ConfigMaps', () => {
  it('creates, replaces with the change annotations, and skips a write that would change nothing', async () => {
    h = await startHarness();
    expect(await h.cluster.getConfigMap(ENV, 'eafix-risk-manager-config')).toBeUndefined();
    const write = { name: 'eafix-risk-manager-config', data: { 'a.yaml': 'x: 1' }, labels: { team: 'risk' } };
    expect(await h.cluster.putConfigMap(ENV, write, change())).toMatchObject({ changed: true, created: true });
    const replaced = await h.cluster.putConfigMap(
      ENV,
      { ...write, data: { 'a.yaml': 'x: 2' }, annotations: { 'eafix.io/change-id': 'apr-1' } },
      change({ approvalId: 'apr_1' }),
    );
    expect(replaced).toMatchObject({ changed: true, created: false });
    const again = await h.cluster.putConfigMap(
      ENV,
      { ...write, data: { 'a.yaml': 'x: 2' }, annotations: { 'eafix.io/change-id': 'apr-1' } },
      change({ approvalId: 'apr_1' }),
    );
    expect(again.changed).toBe(false);
    expect(cmWrites().map((w) => w.method)).toEqual(['POST', 'PUT']);
    const read = await h.cluster.getConfigMap(ENV, 'eafix-risk-manager-config');
    expect(read).toMatchObject({
      data: { 'a.yaml': 'x: 2' },
      labels: { team: 'risk' },
      annotations: { 'eafix.io/change-id': 'apr-1', 'eafix.io/approval-id': 'apr_1' },
      immutable: false,
    });
    expect(h.sim.getConfigMap(NS, 'eafix-risk-manager-config')?.metadata.annotations?.['eafix.io/changed-by']).toBe(
      'U_ALICE',
    );
  });

  it('never rewrites an immutable kept version, and lists kept versions by label', async () => {
    h = await startHarness();
    const kept = {
      name: 'cfg-before-apr-1',
      data: { k: 'old' },
      immutable: true,
      labels: { 'eafix.io/config-of': 'x' },
    };
    await h.cluster.putConfigMap(ENV, kept, change());
    expect(await h.cluster.putConfigMap(ENV, { ...kept, data: { k: 'new' } }, change())).toMatchObject({
      changed: false,
    });
    await h.cluster.putConfigMap(ENV, { name: 'unrelated', data: {} }, change());
    const listed = await h.cluster.listConfigMaps(ENV, 'eafix.io/config-of=x');
    expect(listed.map((c) => [c.name, c.data, c.immutable])).toEqual([['cfg-before-apr-1', { k: 'old' }, true]]);
  });
});
