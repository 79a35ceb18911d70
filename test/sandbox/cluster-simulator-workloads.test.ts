/**
 * Simulator-only behaviour of the workload controllers: the default `eafix-cli` behaviours and the
 * platform state they change, retries up to backoffLimit, Job watches, Foreground deletion, Tables
 * for Jobs/StatefulSets/custom resources, CRD validation, and the default Velero installation.
 */
import { BatchV1Api, CoreV1Api, CustomObjectsApi, Watch, type V1Job } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { NS, startSim, statusOf, type SimHarness } from './cluster-simulator-support.ts';
import { call } from './conformance-client.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

const TOOLBOX = 'registry.eafix.local/eafix/eafix-toolbox:2.4.0';
const job = (name: string, command: string[], spec: Partial<V1Job['spec']> = {}): V1Job => ({
  metadata: { name },
  spec: {
    backoffLimit: 0,
    ...spec,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'cli', image: TOOLBOX, command }] } },
  },
});

async function runToEnd(batch: BatchV1Api, body: V1Job): Promise<{ job: V1Job; log: string }> {
  const name = body.metadata?.name ?? '';
  await batch.createNamespacedJob({ namespace: NS, body });
  const done = await eventually(async () => {
    const j = await batch.readNamespacedJob({ name, namespace: NS });
    return j.status?.conditions?.some((c) => c.status === 'True') ? j : undefined;
  }, `job ${name}`);
  const pods = h!.sim.listPods(NS, `job-name=${name}`);
  const log = pods[0] ? await h!.core.readNamespacedPodLog({ name: pods[0].metadata.name, namespace: NS }) : '';
  return { job: done, log };
}

describe('ClusterSimulator: eafix-cli behaviours and the platform', () => {
  it('every runbook command has a default that succeeds; maintenance and trading change the platform state', async () => {
    h = await startSim({ timing: { podStartMs: 10, podReadyMs: 20, tickMs: 10, commandScale: 0.01 } });
    const batch = h.kc.makeApiClient(BatchV1Api);
    const commands = [
      ['eafix-cli', 'doctor', '--environment=production'],
      ['eafix-cli', 'maintenance', 'enable', '--message=Upgrade to 2.5'],
      ['eafix-cli', 'trading', 'stop', '--graceful'],
      ['eafix-cli', 'database', 'verify', '--full-check'],
      ['eafix-cli', 'database', 'ping', '--timeout=5'],
      ['alembic', 'upgrade', 'head'],
      ['eafix-cli', 'test', 'smoke', '--environment=green'],
      ['eafix-cli', 'test', 'trading', '--environment=production'],
      ['eafix-cli', 'test', 'integration', '--namespace=eafix-dr-drill'],
      ['eafix-cli', 'health-check', '--comprehensive'],
      ['eafix-cli', 'dependencies', 'check', '--service=risk-manager'],
      ['eafix-cli', 'maintenance', 'status'],
      ['eafix-cli', 'trading', 'status'],
      ['activate-dr-site.sh'],
      ['restore-from-backup.sh', '--latest', '--site=dr'],
      ['aws', 'route53', 'change-resource-record-sets', '--hosted-zone-id', 'Z123456789', '--change-batch', 'x'],
    ];
    // `--namespace=` commands check that namespace: the drill's exists, as after its restore.
    await h.kc
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'eafix-dr-drill' } } });
    const changes: string[] = [];
    h.sim.workloads.platform.on('change', (ns, s) =>
      changes.push(`${ns}:${s.tradingEnabled ? 'trading' : 'stopped'}:${s.maintenance ? 'maintenance' : 'open'}`),
    );
    for (const [i, command] of commands.entries()) {
      const { job: done, log } = await runToEnd(batch, job(`cmd-${i}`, command));
      expect(done.status?.succeeded, command.join(' ')).toBe(1);
      expect(() => JSON.parse(log.trim().split('\n').at(-1) ?? ''), command.join(' ')).not.toThrow();
    }
    expect(h.sim.workloads.platform.state(NS)).toMatchObject({
      tradingEnabled: false,
      maintenance: true,
      maintenanceMessage: 'Upgrade to 2.5',
    });
    expect(changes).toEqual([`${NS}:trading:maintenance`, `${NS}:stopped:maintenance`]);
    const status = await runToEnd(batch, job('status', ['eafix-cli', 'status', '--verbose']));
    expect(JSON.parse(status.log.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      trading: 'stopped',
      maintenance: true,
    });
  });

  it('a database outage makes verify and ping fail; the DR site needs --confirm-dr', async () => {
    h = await startSim({ timing: { podStartMs: 10, podReadyMs: 20, tickMs: 10, commandScale: 0.01 } });
    const batch = h.kc.makeApiClient(BatchV1Api);
    h.sim.workloads.platform.update(NS, (p) => (p.databaseHealthy = false));
    const ping = await runToEnd(batch, job('ping', ['eafix-cli', 'database', 'ping', '--timeout=5']));
    expect(ping.job.status?.failed).toBe(1);
    expect(ping.log).toContain('could not connect to server');
    const unconfirmed = await runToEnd(batch, job('dr-1', ['eafix-cli', 'trading', 'enable', '--site=dr']));
    expect(unconfirmed.job.status?.failed).toBe(1);
    const confirmed = await runToEnd(
      batch,
      job('dr-2', ['eafix-cli', 'trading', 'enable', '--site=dr', '--confirm-dr']),
    );
    expect(confirmed.job.status?.succeeded).toBe(1);
    expect(h.sim.workloads.platform.state(NS)).toMatchObject({ tradingEnabled: true, site: 'dr' });
  });

  it('eafix-cli test refuses an option it does not have, as the real CLI does', async () => {
    h = await startSim({ timing: { podStartMs: 10, podReadyMs: 20, tickMs: 10, commandScale: 0.01 } });
    const batch = h.kc.makeApiClient(BatchV1Api);
    const misspelt = await runToEnd(batch, job('smoke-1', ['eafix-cli', 'test', 'smoke', '--colour=green']));
    expect(misspelt.job.status?.failed).toBe(1);
    expect(misspelt.log).toContain('no such option: --colour');
    const runbook = await runToEnd(batch, job('smoke-2', ['eafix-cli', 'test', 'smoke', '--environment=green']));
    expect(runbook.job.status?.succeeded).toBe(1);
  });

  it('retries up to backoffLimit: a failing pod is replaced, then the Job fails with BackoffLimitExceeded', async () => {
    h = await startSim({
      timing: { podStartMs: 10, podReadyMs: 20, tickMs: 10, commandScale: 0.01, restartBackoffMs: 20 },
    });
    const batch = h.kc.makeApiClient(BatchV1Api);
    h.sim.workloads.behaviours.register({
      argv: ['eafix-cli', 'test', 'smoke'],
      behaviour: { stderr: ['flaky'], exitCode: 1 },
    });
    const { job: done } = await runToEnd(batch, job('flaky', ['eafix-cli', 'test', 'smoke'], { backoffLimit: 1 }));
    expect(done.status).toMatchObject({ failed: 2, active: 0 });
    expect(done.status?.conditions?.[0]).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded' });
    expect(h.sim.listPods(NS, 'job-name=flaky')).toHaveLength(2);
  });
});

describe('ClusterSimulator: Job API semantics', () => {
  it('watch streams a Job from creation to Complete', async () => {
    h = await startSim({ timing: { podStartMs: 10, podReadyMs: 20, tickMs: 10, commandScale: 0.01 } });
    const seen: string[] = [];
    const complete = new Promise<void>((resolve, reject) => {
      void new Watch(h!.kc).watch(
        `/apis/batch/v1/namespaces/${NS}/jobs`,
        { fieldSelector: 'metadata.name=watched' },
        (type, obj: V1Job) => {
          seen.push(`${type}:${obj.status?.active ?? 0}/${obj.status?.succeeded ?? 0}`);
          if (obj.status?.conditions?.some((c) => c.type === 'Complete')) resolve();
        },
        (err) => err && reject(err as Error),
      );
    });
    await h.kc
      .makeApiClient(BatchV1Api)
      .createNamespacedJob({ namespace: NS, body: job('watched', ['eafix-cli', 'status']) });
    await complete;
    expect(seen[0]).toBe('ADDED:0/0');
    expect(seen).toContain('MODIFIED:1/0');
    expect(seen.at(-1)).toBe('MODIFIED:0/1');
  });

  it('Foreground deletion keeps the Job (with deletionTimestamp) until its pods are gone', async () => {
    h = await startSim();
    const batch = h.kc.makeApiClient(BatchV1Api);
    h.sim.workloads.behaviours.register({ argv: ['sleep'], behaviour: { durationMs: 600_000 } });
    await batch.createNamespacedJob({ namespace: NS, body: job('fg', ['sleep', '600']) });
    await h.sim.waitFor(() => h!.sim.listPods(NS, 'job-name=fg').length === 1, { description: 'pod created' });
    const pending = await call(h.kc, 'DELETE', `/apis/batch/v1/namespaces/${NS}/jobs/fg?propagationPolicy=Foreground`);
    expect(pending.json).toMatchObject({
      kind: 'Job',
      metadata: { finalizers: ['foregroundDeletion'], deletionTimestamp: expect.any(String) },
    });
    await eventually(
      async () => (await call(h!.kc, 'GET', `/apis/batch/v1/namespaces/${NS}/jobs/fg`)).status === 404,
      'job gone',
    );
    expect(h.sim.listPods(NS, 'job-name=fg')).toEqual([]);
  });

  it('refuses an unknown propagationPolicy and a Job name longer than 63 characters', async () => {
    h = await startSim();
    const batch = h.kc.makeApiClient(BatchV1Api);
    const long = await batch
      .createNamespacedJob({ namespace: NS, body: job('x'.repeat(64), ['eafix-cli', 'status']) })
      .catch((e: unknown) => statusOf(e));
    expect(long).toMatchObject({ code: 422, message: expect.stringContaining('must be no more than 63 characters') });
    await batch.createNamespacedJob({ namespace: NS, body: job('p', ['eafix-cli', 'status']) });
    const bad = await call(h.kc, 'DELETE', `/apis/batch/v1/namespaces/${NS}/jobs/p?propagationPolicy=Sometimes`);
    expect(bad.json).toMatchObject({ code: 400, message: expect.stringContaining('Unsupported value: "Sometimes"') });
  });
});

describe('ClusterSimulator: tables, CRDs and Velero', () => {
  const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

  it('Tables for StatefulSets and for custom resources from their additionalPrinterColumns', async () => {
    h = await startSim();
    const sts = await call(h.kc, 'GET', `/apis/apps/v1/namespaces/${NS}/statefulsets`, { accept: TABLE });
    expect((sts.json.columnDefinitions as { name: string }[]).map((c) => c.name).slice(0, 3)).toEqual([
      'Name',
      'Ready',
      'Age',
    ]);
    expect((sts.json.rows as { cells: unknown[] }[]).map((r) => r.cells.slice(0, 2))).toEqual([
      ['eafix-postgres', '1/1'],
      ['eafix-postgres-replica', '2/2'],
    ]);
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.eafix.io' },
      spec: {
        group: 'eafix.io',
        scope: 'Namespaced',
        names: { plural: 'gadgets', kind: 'Gadget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            additionalPrinterColumns: [
              { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
              { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            ],
          },
        ],
      },
    };
    expect(
      (await call(h.kc, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })).status,
    ).toBe(201);
    const custom = h.kc.makeApiClient(CustomObjectsApi);
    // Without a status subresource, status is written with the object.
    await custom.createNamespacedCustomObject({
      group: 'eafix.io',
      version: 'v1',
      namespace: NS,
      plural: 'gadgets',
      body: {
        apiVersion: 'eafix.io/v1',
        kind: 'Gadget',
        metadata: { name: 'g1' },
        spec: { size: 4 },
        status: { phase: 'Ready' },
      },
    });
    const table = await call(h.kc, 'GET', `/apis/eafix.io/v1/namespaces/${NS}/gadgets`, { accept: TABLE });
    expect((table.json.columnDefinitions as { name: string }[]).map((c) => c.name)).toEqual([
      'Name',
      'Phase',
      'Size',
      'Age',
    ]);
    expect((table.json.rows as { cells: unknown[] }[])[0]?.cells.slice(0, 3)).toEqual(['g1', 'Ready', 4]);
  });

  it('an invalid CRD is a 422 naming the field', async () => {
    h = await startSim();
    const res = await call(h.kc, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'things.eafix.io' },
        spec: { group: 'eafix.io', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' }, versions: [] },
      },
    });
    expect(res.json).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(String(res.json.message)).toContain('spec.versions');
  });

  it('Velero is installed by default: discovery lists velero.io/v1 backups and restores with a status subresource', async () => {
    h = await startSim();
    const groups = await call(h.kc, 'GET', '/apis');
    expect((groups.json.groups as { name: string }[]).map((g) => g.name)).toEqual(
      expect.arrayContaining(['batch', 'apiextensions.k8s.io', 'velero.io']),
    );
    const resources = (await call(h.kc, 'GET', '/apis/velero.io/v1')).json.resources as {
      name: string;
      namespaced: boolean;
    }[];
    expect(resources.map((r) => r.name)).toEqual(['backups', 'backups/status', 'restores', 'restores/status']);
    expect((await h.core.readNamespace({ name: 'velero' })).status?.phase).toBe('Active');
  });

  it('without postgres/velero options the cluster has neither', async () => {
    h = await startSim({ postgres: false, velero: false });
    expect((await call(h.kc, 'GET', '/apis/velero.io/v1')).status).toBe(404);
    expect(h.sim.listPods(NS, 'app=eafix-postgres')).toEqual([]);
  });
});
