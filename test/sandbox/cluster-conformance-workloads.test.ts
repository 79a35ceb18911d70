/**
 * Conformance for what the next procedures need: Jobs (pods, logs, exit codes, backoffLimit,
 * activeDeadlineSeconds, deletion propagation), object creation rules, Namespace finalisation, CRDs
 * served generically and StatefulSets. Against the simulator, or a real cluster with
 * KUBE_CONFORMANCE_KUBECONFIG (it needs KUBE_CONFORMANCE_JOB_IMAGE, default busybox:1.36, pullable).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSimulator, defaultTopology } from '@eafix/sandbox/cluster';
import { eventually } from '../support/eventually.ts';
import { FAST } from './cluster-simulator-support.ts';
import { call as rawCall, type CallOptions } from './conformance-client.ts';

const external = process.env.KUBE_CONFORMANCE_KUBECONFIG;
const NS = process.env.KUBE_CONFORMANCE_NAMESPACE ?? 'eafix-production';
const IMAGE = process.env.KUBE_CONFORMANCE_JOB_IMAGE ?? 'busybox:1.36';
const WAIT = external ? 120_000 : 30_000;
const run = Date.now().toString(36);

const ECHO = ['sh', '-c', `echo hello; echo '{"ok":true}'`];
const FAIL = ['sh', '-c', 'echo boom >&2; exit 3'];
const SLEEP = ['sleep', '30'];

let sim: ClusterSimulator | undefined;
const kc = new KubeConfig();
const call = (method: string, path: string, opts?: CallOptions) => rawCall(kc, method, path, opts);

beforeAll(async () => {
  if (external) {
    kc.loadFromFile(external);
    return;
  }
  sim = new ClusterSimulator({
    topology: defaultTopology(),
    environments: ['production'],
    timing: FAST,
    token: 'conformance-token',
    tls: true,
  });
  sim.workloads.behaviours.register({ argv: ECHO, behaviour: { stdout: ['hello', '{"ok":true}'], durationMs: 50 } });
  sim.workloads.behaviours.register({ argv: FAIL, behaviour: { stderr: ['boom'], exitCode: 3, durationMs: 50 } });
  sim.workloads.behaviours.register({ argv: SLEEP, behaviour: { durationMs: 30_000 } });
  await sim.start();
  kc.loadFromString(sim.kubeconfigYaml());
});
afterAll(async () => {
  await sim?.stop();
});

const jobs = (ns = NS) => `/apis/batch/v1/namespaces/${ns}/jobs`;

function jobBody(name: string, argv: string[], spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: 0,
      ...spec,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: IMAGE, command: argv }] } },
    },
  };
}

type Obj = {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    ownerReferences?: unknown[];
    deletionTimestamp?: string;
    finalizers?: string[];
  };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
};

async function finished(name: string, ns = NS): Promise<Obj> {
  return eventually(
    async () => {
      const job = (await call('GET', `${jobs(ns)}/${name}`)).json as unknown as Obj;
      const conditions = (job.status?.conditions ?? []) as { type: string; status: string }[];
      return conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
        ? job
        : undefined;
    },
    `job ${name} to finish`,
    WAIT,
  );
}

async function podsOf(name: string, ns = NS): Promise<Obj[]> {
  const res = await call(
    'GET',
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${name}`)}`,
  );
  return res.json.items as Obj[];
}

describe(`Kubernetes conformance: workloads (${external ? `real cluster from ${external}` : 'simulator'})`, () => {
  it('a Job runs one labelled pod to completion: Complete, succeeded 1, exit code 0, logs with tailLines and limitBytes', async () => {
    const name = `conf-ok-${run}`;
    const created = await call('POST', jobs(), { body: jobBody(name, ECHO, { ttlSecondsAfterFinished: 600 }) });
    expect(created.status).toBe(201);
    const uid = (created.json.metadata as { uid: string }).uid;
    expect(created.json.spec).toMatchObject({
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      completions: 1,
      parallelism: 1,
      backoffLimit: 0,
    });
    const job = await finished(name);
    expect(job.status).toMatchObject({
      succeeded: 1,
      startTime: expect.any(String),
      completionTime: expect.any(String),
    });
    expect(
      (job.status?.conditions as { type: string; status: string }[]).find((c) => c.type === 'Complete'),
    ).toMatchObject({ status: 'True' });
    const [pod] = await podsOf(name);
    expect(pod?.metadata.labels).toMatchObject({
      'job-name': name,
      'controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'batch.kubernetes.io/controller-uid': uid,
    });
    expect(pod?.status).toMatchObject({
      phase: 'Succeeded',
      containerStatuses: [{ state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    const logs = `/api/v1/namespaces/${NS}/pods/${pod?.metadata.name}/log`;
    expect((await call('GET', logs)).text).toBe('hello\n{"ok":true}\n');
    expect((await call('GET', `${logs}?tailLines=1`)).text).toBe('{"ok":true}\n');
    expect((await call('GET', `${logs}?limitBytes=3`)).text).toBe('hel');
  });

  it('backoffLimit 0 and a non-zero exit: Failed (BackoffLimitExceeded), the pod terminated with that exit code', async () => {
    const name = `conf-fail-${run}`;
    expect((await call('POST', jobs(), { body: jobBody(name, FAIL) })).status).toBe(201);
    const job = await finished(name);
    expect(job.status).toMatchObject({ failed: 1 });
    expect(
      (job.status?.conditions as { type: string; reason?: string }[]).find((c) => c.type === 'Failed'),
    ).toMatchObject({ reason: 'BackoffLimitExceeded' });
    const [pod] = await podsOf(name);
    expect(pod?.status).toMatchObject({
      phase: 'Failed',
      containerStatuses: [{ state: { terminated: { exitCode: 3, reason: 'Error' } } }],
    });
  });

  it('activeDeadlineSeconds: Failed (DeadlineExceeded) and the running pod is removed', async () => {
    const name = `conf-deadline-${run}`;
    expect((await call('POST', jobs(), { body: jobBody(name, SLEEP, { activeDeadlineSeconds: 1 }) })).status).toBe(201);
    const job = await finished(name);
    expect(
      (job.status?.conditions as { type: string; reason?: string }[]).find((c) => c.type === 'Failed'),
    ).toMatchObject({ reason: 'DeadlineExceeded' });
    await eventually(
      async () => (await podsOf(name)).every((p) => p.metadata.deletionTimestamp) || undefined,
      'the pod deleted',
      WAIT,
    );
  });

  it('deleting a Job without a policy orphans its pods (with a warning); Background deletes them', async () => {
    const orphaned = `conf-orphan-${run}`;
    const background = `conf-bg-${run}`;
    for (const name of [orphaned, background])
      expect((await call('POST', jobs(), { body: jobBody(name, ECHO) })).status).toBe(201);
    await finished(orphaned);
    await finished(background);
    const plain = await call('DELETE', `${jobs()}/${orphaned}`);
    expect(plain.status).toBe(200);
    expect(String(plain.headers.warning)).toContain('child pods are preserved by default when jobs are deleted');
    const left = await eventually(
      async () =>
        (await podsOf(orphaned)).every((p) => !p.metadata.ownerReferences?.length) ? podsOf(orphaned) : undefined,
      'orphaned pods',
      WAIT,
    );
    expect(left).toHaveLength(1);
    expect(
      (
        await call('DELETE', `${jobs()}/${background}`, {
          body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
        })
      ).status,
    ).toBe(200);
    await eventually(async () => (await podsOf(background)).length === 0, 'pods of the deleted job gone', WAIT);
    expect((await call('GET', `${jobs()}/${background}`)).status).toBe(404);
    await call('DELETE', `/api/v1/namespaces/${NS}/pods/${left[0]?.metadata.name}`);
  });

  it('create: generateName, AlreadyExists (409), restartPolicy Always refused (422)', async () => {
    const generated = await call('POST', jobs(), {
      body: { ...jobBody('', ECHO), metadata: { generateName: `conf-gen-${run}-` } },
    });
    expect(generated.status).toBe(201);
    const name = (generated.json.metadata as { name: string }).name;
    expect(name).toMatch(new RegExp(`^conf-gen-${run}-[a-z0-9]{5}$`));
    const again = await call('POST', jobs(), { body: jobBody(name, ECHO) });
    expect(again.json).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    const always = jobBody(`conf-always-${run}`, ECHO);
    always.spec.template.spec.restartPolicy = 'Always';
    const refused = await call('POST', jobs(), { body: always });
    expect(refused.json).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(String(refused.json.message)).toContain('spec.template.spec.restartPolicy');
    await call('DELETE', `${jobs()}/${name}?propagationPolicy=Background`);
  });

  it('a Namespace is finalised: Terminating with its content removed, new content refused, then gone', async () => {
    const ns = `conf-ns-${run}`;
    const created = await call('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    expect((await call('POST', jobs(ns), { body: jobBody(`conf-in-ns-${run}`, SLEEP) })).status).toBe(201);
    const deleted = await call('DELETE', `/api/v1/namespaces/${ns}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ status: { phase: 'Terminating' } });
    const refused = await call('POST', jobs(ns), { body: jobBody(`conf-late-${run}`, ECHO) });
    expect(refused.json).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(String(refused.json.message)).toContain('because it is being terminated');
    await eventually(
      async () => (await call('GET', `/api/v1/namespaces/${ns}`)).status === 404,
      'namespace gone',
      WAIT,
    );
    expect((await call('POST', jobs(ns), { body: jobBody(`conf-gone-${run}`, ECHO) })).json).toMatchObject({
      code: 404,
      reason: 'NotFound',
    });
  });

  it('a CRD is served: discovery, create/get/list, status only through /status; deleting it removes its objects', async () => {
    const group = `g${run}.conformance.eafix.io`;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })).status).toBe(
      201,
    );
    await eventually(
      async () =>
        ((await call('GET', `/apis/${group}/v1`)).json.resources as { name: string }[] | undefined)?.some(
          (r) => r.name === 'widgets/status',
        ),
      'discovery',
      WAIT,
    );
    const base = `/apis/${group}/v1/namespaces/${NS}/widgets`;
    const made = await eventually(
      async () => {
        const res = await call('POST', base, {
          body: {
            apiVersion: `${group}/v1`,
            kind: 'Widget',
            metadata: { name: 'w1' },
            spec: { size: 3 },
            status: { phase: 'Ignored' },
          },
        });
        return res.status === 201 ? res : undefined;
      },
      'widget created',
      WAIT,
    );
    expect(made.json.status).toBeUndefined();
    expect((made.json.metadata as { generation: number }).generation).toBe(1);
    const status = await call('PATCH', `${base}/w1/status`, {
      body: { status: { phase: 'Ready' } },
      contentType: 'application/merge-patch+json',
    });
    expect(status.json).toMatchObject({ spec: { size: 3 }, status: { phase: 'Ready' } });
    const list = await call('GET', base);
    expect(list.json).toMatchObject({ kind: 'WidgetList', items: [{ metadata: { name: 'w1' } }] });
    expect(
      (await call('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`)).status,
    ).toBe(200);
    await eventually(async () => (await call('GET', `${base}/w1`)).status === 404, 'widgets gone with their CRD', WAIT);
  });

  it('a StatefulSet has ordinal pods and a scale subresource', async () => {
    const name = `conf-sts-${run}`;
    const labels = { app: name };
    const body = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name },
      spec: {
        replicas: 2,
        serviceName: name,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'main', image: IMAGE, command: ['sleep', '3600'] }] },
        },
      },
    };
    const base = `/apis/apps/v1/namespaces/${NS}/statefulsets`;
    expect((await call('POST', base, { body })).status).toBe(201);
    await eventually(
      async () =>
        ((await call('GET', `${base}/${name}`)).json.status as { readyReplicas?: number } | undefined)
          ?.readyReplicas === 2,
      'two ready replicas',
      WAIT,
    );
    const pods = await call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${name}`);
    expect((pods.json.items as Obj[]).map((p) => p.metadata.name).sort()).toEqual([`${name}-0`, `${name}-1`]);
    const scaled = await call('PATCH', `${base}/${name}/scale`, {
      body: { spec: { replicas: 1 } },
      contentType: 'application/merge-patch+json',
    });
    expect(scaled.json).toMatchObject({ kind: 'Scale', spec: { replicas: 1 } });
    await eventually(
      async () => (await call('GET', `/api/v1/namespaces/${NS}/pods/${name}-1`)).status === 404,
      'the highest ordinal removed',
      WAIT,
    );
    const sts = await call('GET', `${base}/${name}`);
    expect(sts.json.status).toMatchObject({
      replicas: 1,
      currentRevision: expect.any(String),
      updateRevision: expect.any(String),
    });
    await call('DELETE', `${base}/${name}`);
  });
});
