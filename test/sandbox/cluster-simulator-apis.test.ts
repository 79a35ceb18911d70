/** ReplicaSets with revisions, Table responses, metrics.k8s.io and events.k8s.io, through real clients. */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { humanDuration } from '@eafix/sandbox/cluster/routes/table';
import { NS, startSim, type SimHarness } from './cluster-simulator-support.ts';

const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const REVISION = 'deployment.kubernetes.io/revision';

let h: SimHarness;
beforeEach(async () => {
  h = await startSim();
});
afterEach(async () => {
  await h.sim.stop();
});

const setsOf = async (app: string, version: string) =>
  (await h.apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: `app=${app},version=${version}` })).items;

async function get(path: string, accept: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.sim.url}${path}`, { headers: { accept } });
  return (await res.json()) as Record<string, unknown>;
}

describe('ClusterSimulator ReplicaSets', () => {
  it('a Deployment owns one ReplicaSet per template with its revision; undo brings an old one back as the next revision', async () => {
    const green = await h.apps.readNamespacedDeployment({ name: 'eafix-green', namespace: NS });
    const [first] = await setsOf('eafix-gateway', 'green');
    expect(first?.metadata?.annotations?.[REVISION]).toBe('1');
    expect(first?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'eafix-green',
      uid: green.metadata?.uid,
      controller: true,
    });
    expect(first?.spec?.template?.metadata?.labels?.['pod-template-hash']).toBe(
      first?.metadata?.name?.slice('eafix-green-'.length),
    );
    expect(first?.status).toMatchObject({ replicas: 3, readyReplicas: 3 });
    const original = structuredClone(first!.spec!.template!);

    const image = 'registry.eafix.local/eafix/gateway:9.9.9';
    await h.apps.patchNamespacedDeployment(
      {
        name: 'eafix-green',
        namespace: NS,
        body: { spec: { template: { spec: { containers: [{ name: 'gateway', image }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await h.sim.settle();
    const two = await setsOf('eafix-gateway', 'green');
    expect(two.map((rs) => [rs.metadata?.annotations?.[REVISION], rs.spec?.replicas]).sort()).toEqual([
      ['1', 0],
      ['2', 3],
    ]);

    // kubectl rollout undo: a JSON patch of the template (without pod-template-hash) and annotations.
    delete original.metadata!.labels!['pod-template-hash'];
    await h.apps.patchNamespacedDeployment(
      {
        name: 'eafix-green',
        namespace: NS,
        body: [
          {
            op: 'replace',
            path: '/spec/template',
            value: { ...original, metadata: { ...original.metadata, creationTimestamp: null } },
          },
        ],
      },
      jsonPatch,
    );
    await h.sim.settle();
    const after = await setsOf('eafix-gateway', 'green');
    const back = after.find((rs) => rs.metadata?.name === first?.metadata?.name);
    expect(back?.metadata?.annotations?.[REVISION]).toBe('3');
    expect(back?.spec?.replicas).toBe(3);
    expect(
      (await h.apps.readNamespacedDeployment({ name: 'eafix-green', namespace: NS })).metadata?.annotations?.[REVISION],
    ).toBe('3');
  });
});

describe('ClusterSimulator Table responses', () => {
  const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

  it('answers kubectl get with the API server columns per kind', async () => {
    const pods = await get(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Deafix-risk-manager`, TABLE);
    expect(pods.kind).toBe('Table');
    expect(
      (pods.columnDefinitions as { name: string; priority: number }[])
        .filter((c) => c.priority === 0)
        .map((c) => c.name),
    ).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    const row = (pods.rows as { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[])[0]!;
    expect(row.cells.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: row.cells[0] } });

    const deploy = await get(`/apis/apps/v1/namespaces/${NS}/deployments/eafix-green`, TABLE);
    expect((deploy.rows as { cells: unknown[] }[])[0]?.cells.slice(0, 4)).toEqual(['eafix-green', '3/3', 3, 3]);
    // Without the Table media type, the object itself.
    expect((await get(`/apis/apps/v1/namespaces/${NS}/deployments/eafix-green`, 'application/json')).kind).toBe(
      'Deployment',
    );
  });

  it('prints ages as Kubernetes does', () => {
    expect(
      [45, 200, 17 * 60, 5 * 3600 + 600, 30 * 3600, 4 * 86400 + 7200, 30 * 86400].map((s) => humanDuration(s * 1000)),
    ).toEqual(['45s', '3m20s', '17m', '5h10m', '30h', '4d2h', '30d']);
  });
});

describe('ClusterSimulator metrics.k8s.io and events.k8s.io', () => {
  it('serves pod metrics for running pods, stable per pod', async () => {
    const list = (await get(
      `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods?labelSelector=app%3Deafix-risk-manager`,
      'application/json',
    )) as {
      kind: string;
      items: { metadata: { name: string }; containers: { usage: { cpu: string; memory: string } }[] }[];
    };
    expect(list.kind).toBe('PodMetricsList');
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items[0]?.containers[0]?.usage.cpu).toMatch(/^\d+m$/);
    const again = (await get(
      `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/${list.items[0]!.metadata.name}`,
      'application/json',
    )) as { containers: unknown[] };
    expect(again.containers).toEqual(list.items[0]?.containers);
  });

  it('serves events.k8s.io/v1 events filtered by regarding.name, and refuses unknown field labels', async () => {
    h.sim.injectCrashLoop(NS, 'eafix-data-ingestor');
    await h.sim.waitFor(() => h.sim.listEvents(NS).some((e) => e.reason === 'BackOff'), {
      description: 'BackOff event',
    });
    const pod = h.sim.listEvents(NS).find((e) => e.reason === 'BackOff')!.involvedObject.name;
    const events = (await get(
      `/apis/events.k8s.io/v1/namespaces/${NS}/events?fieldSelector=regarding.name%3D${pod}`,
      'application/json',
    )) as { items: { regarding: { name: string }; note: string; reason: string }[] };
    expect(events.items.length).toBeGreaterThan(0);
    expect(events.items.every((e) => e.regarding.name === pod)).toBe(true);
    expect(events.items.some((e) => e.reason === 'BackOff' && e.note.length > 0)).toBe(true);
    const bad = await fetch(
      `${h.sim.url}/apis/events.k8s.io/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dx`,
    );
    expect(bad.status).toBe(400);
  });
});

describe('ClusterSimulator server-side apply, OpenAPI v3 and 400 vs 422', () => {
  const applyBody = (replicas: number) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: eafix-blue\n  namespace: ${NS}\nspec:\n  replicas: ${replicas}\n`;
  const apply = (manager: string, replicas: number, force = false) =>
    fetch(
      `${h.sim.url}/apis/apps/v1/namespaces/${NS}/deployments/eafix-blue?fieldManager=${manager}${force ? '&force=true' : ''}`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: applyBody(replicas),
      },
    );

  it('records field managers, refuses a conflicting apply with 409, and takes over with force', async () => {
    expect((await apply('ci', 1)).status).toBe(200);
    const d = h.sim.getDeployment(NS, 'eafix-blue')!;
    expect(d.spec.replicas).toBe(1);
    expect(d.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'ci', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }),
    ]);
    expect((await apply('ci', 1)).status).toBe(200);
    const conflict = await apply('kubectl', 2);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "ci": .spec.replicas',
      details: { causes: [{ reason: 'FieldManagerConflict', field: '.spec.replicas' }] },
    });
    expect(h.sim.getDeployment(NS, 'eafix-blue')?.spec.replicas).toBe(1);
    expect((await apply('kubectl', 2, true)).status).toBe(200);
    expect(
      (h.sim.getDeployment(NS, 'eafix-blue')?.metadata.managedFields as { manager: string }[]).map((m) => m.manager),
    ).toEqual(['kubectl']);
    const noManager = await fetch(`${h.sim.url}/apis/apps/v1/namespaces/${NS}/deployments/eafix-blue`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: applyBody(1),
    });
    expect(noManager.status).toBe(400);
  });

  it('publishes OpenAPI v3 saying PATCH takes fieldValidation, per group-version', async () => {
    const root = (await get('/openapi/v3', 'application/json')) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    expect(Object.keys(root.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1']));
    const apps = (await get(root.paths['apis/apps/v1']!.serverRelativeURL, 'application/json')) as {
      paths: Record<string, { patch?: { 'x-kubernetes-group-version-kind': unknown; parameters: { name: string }[] } }>;
    };
    const patch = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch?.parameters.map((p) => p.name)).toContain('fieldValidation');
  });

  it('answers a wrong JSON type with 400 and a well-typed invalid value with 422, as Kubernetes does', async () => {
    const patch = (replicas: unknown) =>
      fetch(`${h.sim.url}/apis/apps/v1/namespaces/${NS}/deployments/eafix-blue`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ spec: { replicas } }),
      });
    const typed = await patch('three');
    expect(typed.status).toBe(400);
    expect(await typed.json()).toMatchObject({
      reason: 'BadRequest',
      message: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    });
    const negative = await patch(-1);
    expect(negative.status).toBe(422);
    expect(await negative.json()).toMatchObject({ reason: 'Invalid' });
  });
});
