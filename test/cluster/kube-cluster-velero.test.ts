/**
 * Velero Backups/Restores and StatefulSets through the real adapter against the simulator: phases in
 * simulated time, idempotent creation, injected failures, a restore through namespaceMapping that
 * brings the namespace up, and the replica StatefulSet scaled and promoted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { change, ENV, FAST, NS, startHarness, type Harness } from './cluster-support.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

describe('KubeCluster: Velero backups and restores', () => {
  it('a Backup moves New → InProgress → Completed with progress, timestamps and expiration from its TTL; creating it again finds it', async () => {
    // A long run in simulated time: InProgress is seen for certain, then time jumps to its end.
    h = await startHarness({ timing: { ...FAST, veleroRunMs: 600_000 } });
    const sim = h.sim;
    const created = await h.cluster.createBackup({
      name: 'eafix-backup-20261130-050000',
      includedNamespaces: [NS],
      ttl: '24h0m0s',
      change: change(),
    });
    expect(created).toMatchObject({ kind: 'Backup', phase: 'New', terminal: false, includedNamespaces: [NS] });
    const phases: string[] = [];
    const done = await h.cluster.waitForBackup(created.name, {
      timeoutMs: 30_000,
      onProgress: (s) => {
        phases.push(s.phase);
        if (s.phase === 'InProgress' && phases.filter((p) => p === 'InProgress').length === 1) sim.advance(600_000);
      },
    });
    expect(done).toMatchObject({ phase: 'Completed', terminal: true, succeeded: true, errors: 0, warnings: 0 });
    // New lasts one reconcile: the first poll may already see InProgress.
    expect(phases.filter((p, i) => p !== phases[i - 1] && p !== 'New')).toEqual(['InProgress', 'Completed']);
    expect(done.totalItems).toBeGreaterThan(10);
    expect(done.itemsDone).toBe(done.totalItems);
    expect(Date.parse(done.expiresAt ?? '') - Date.parse(done.startedAt ?? '')).toBe(24 * 3600 * 1000);
    expect(Date.parse(done.completedAt ?? '') - Date.parse(done.startedAt ?? '')).toBeGreaterThanOrEqual(600_000);
    const again = await h.cluster.createBackup({ name: created.name, includedNamespaces: [NS], change: change() });
    expect(again).toMatchObject({ existed: true, phase: 'Completed' });
    expect(h.sim.writes.filter((w) => w.method === 'POST' && w.path.endsWith('/backups'))).toHaveLength(1);
    expect((await h.cluster.listBackups()).map((b) => b.name)).toEqual([created.name]);
  });

  it('an injected PartiallyFailed backup is terminal but not succeeded; Failed carries its reason', async () => {
    h = await startHarness();
    h.sim.workloads.velero.injectFailure('backup', {
      phase: 'PartiallyFailed',
      errors: 2,
      warnings: 1,
      name: 'b-partial',
    });
    h.sim.workloads.velero.injectFailure('backup', {
      phase: 'Failed',
      failureReason: 'object storage unreachable',
      name: 'b-failed',
    });
    await h.cluster.createBackup({ name: 'b-partial', includedNamespaces: [NS], change: change() });
    await h.cluster.createBackup({ name: 'b-failed', includedNamespaces: [NS], change: change() });
    expect(await h.cluster.waitForBackup('b-partial', { timeoutMs: 10_000 })).toMatchObject({
      phase: 'PartiallyFailed',
      terminal: true,
      succeeded: false,
      errors: 2,
      warnings: 1,
    });
    expect(await h.cluster.waitForBackup('b-failed', { timeoutMs: 10_000 })).toMatchObject({
      phase: 'Failed',
      succeeded: false,
      failureReason: 'object storage unreachable',
    });
  });

  it('a Restore through namespaceMapping recreates the namespace and its deployments, which come up', async () => {
    h = await startHarness();
    await h.cluster.createBackup({ name: 'b1', includedNamespaces: [NS], change: change() });
    await h.cluster.waitForBackup('b1', { timeoutMs: 10_000 });
    await h.cluster.createRestore({
      name: 'r1',
      backupName: 'b1',
      namespaceMapping: { [NS]: 'eafix-restore-test' },
      change: change(),
    });
    const restored = await h.cluster.waitForRestore('r1', { timeoutMs: 10_000 });
    expect(restored).toMatchObject({
      kind: 'Restore',
      phase: 'Completed',
      succeeded: true,
      backupName: 'b1',
      warnings: 0,
    });
    expect(h.sim.getDeployment('eafix-restore-test', 'eafix-risk-manager')?.metadata.labels).toMatchObject({
      'velero.io/backup-name': 'b1',
      'velero.io/restore-name': 'r1',
    });
    await h.sim.waitFor(() => h!.sim.listPods('eafix-restore-test', 'app=eafix-risk-manager').length > 0, {
      description: 'restored pods',
    });
  });

  it('a Restore of a missing backup fails validation', async () => {
    h = await startHarness();
    await h.cluster.createRestore({ name: 'r-missing', backupName: 'no-such-backup', change: change() });
    const status = await h.cluster.waitForRestore('r-missing', { timeoutMs: 10_000 });
    expect(status).toMatchObject({ phase: 'FailedValidation', terminal: true, succeeded: false });
    expect(status.validationErrors[0]).toContain('no-such-backup');
  });
});

describe('KubeCluster: StatefulSets', () => {
  it('reads the seeded replica, scales it (idempotently) and promotes it with a rolling update', async () => {
    h = await startHarness();
    expect(await h.cluster.getStatefulSet(ENV, 'eafix-postgres-replica')).toMatchObject({
      desired: 2,
      ready: 2,
      rolledOut: true,
      env: { postgres: { POSTGRES_ROLE: 'replica' } },
    });
    expect(await h.cluster.scaleStatefulSet(ENV, 'eafix-postgres-replica', 3, change())).toMatchObject({
      from: 2,
      to: 3,
      changed: true,
    });
    expect(await h.cluster.scaleStatefulSet(ENV, 'eafix-postgres-replica', 3, change())).toMatchObject({
      changed: false,
    });
    await h.sim.waitFor(() => h!.sim.getPod(NS, 'eafix-postgres-replica-2')?.status?.phase === 'Running', {
      description: 'ordinal 2 running',
    });
    expect(
      await h.cluster.setStatefulSetEnv(
        ENV,
        'eafix-postgres-replica',
        'postgres',
        { POSTGRES_ROLE: 'primary' },
        change(),
      ),
    ).toEqual({ changed: true });
    const promoted = async () => {
      const sts = await h!.cluster.getStatefulSet(ENV, 'eafix-postgres-replica');
      return sts.rolledOut && sts.currentRevision === sts.updateRevision ? sts : undefined;
    };
    const sts = await eventually(promoted, 'the promoted revision rolled out');
    expect(sts).toMatchObject({ desired: 3, ready: 3, env: { postgres: { POSTGRES_ROLE: 'primary' } } });
    // Promoted pods label themselves with their new role (as Patroni does): the Service can select them.
    const pods = h.sim
      .listPods(NS, 'app=eafix-postgres,role=primary')
      .filter((p) => p.metadata.name.startsWith('eafix-postgres-replica-'));
    expect(pods.map((p) => p.metadata.name).sort()).toEqual([
      'eafix-postgres-replica-0',
      'eafix-postgres-replica-1',
      'eafix-postgres-replica-2',
    ]);
    expect(new Set(pods.map((p) => p.metadata.labels?.['controller-revision-hash']))).toEqual(
      new Set([sts.updateRevision]),
    );
  });
});
