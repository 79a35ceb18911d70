import { ApiException, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '@eafix/sandbox/cluster';
import { NS, pollRollout, rolloutState, startSim, statusOf, type SimHarness } from './cluster-simulator-support.ts';

const smp = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let h: SimHarness;
beforeEach(async () => {
  h = await startSim({ token: 'sandbox-token' });
});
afterEach(async () => {
  await h.sim.stop();
});

describe('ClusterSimulator: reads', () => {
  it('seeds every service, blue/green and the gateway, listable through the real client', async () => {
    const list = await h.apps.listNamespacedDeployment({ namespace: NS });
    const names = list.items.map((d) => d.metadata?.name);
    expect(names).toEqual(
      expect.arrayContaining(['eafix-blue', 'eafix-green', 'eafix-data-ingestor', 'eafix-execution-engine']),
    );
    const green = list.items.find((d) => d.metadata?.name === 'eafix-green');
    expect(green?.spec?.replicas).toBe(3);
    expect(green?.status?.availableReplicas).toBe(3);
    expect(rolloutState(green!)).toBe('done');
    // Real API servers omit zero counts: blue at 0 has no replica fields at all.
    const blue = list.items.find((d) => d.metadata?.name === 'eafix-blue');
    expect(blue?.spec?.replicas).toBe(0);
    expect(blue?.status?.replicas).toBeUndefined();
    expect(green?.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(green?.metadata?.resourceVersion)).toBeGreaterThan(1000);

    const all = await h.apps.listDeploymentForAllNamespaces({ labelSelector: 'app=eafix-gateway' });
    expect(all.items.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`).sort()).toEqual([
      'eafix-production/eafix-blue',
      'eafix-production/eafix-green',
      'eafix-staging/eafix-blue',
      'eafix-staging/eafix-green',
    ]);
    const byName = await h.apps.listNamespacedDeployment({
      namespace: NS,
      fieldSelector: 'metadata.name=eafix-risk-manager',
    });
    expect(byName.items.map((d) => d.spec?.replicas)).toEqual([3]);
  });

  it('lists pods by label, gets services, endpoints and namespaces', async () => {
    const pods = await h.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=eafix-data-ingestor' });
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.metadata?.name).toMatch(/^eafix-data-ingestor-[a-z0-9]{9}-[a-z0-9]{5}$/);
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
    const svc = await h.core.readNamespacedService({ name: 'eafix-gateway', namespace: NS });
    expect(svc.spec?.selector).toEqual({ app: 'eafix-gateway', version: 'green' });
    const ep = await h.core.readNamespacedEndpoints({ name: 'eafix-gateway', namespace: NS });
    const targets = ep.subsets?.[0]?.addresses?.map((a) => a.targetRef?.name) ?? [];
    expect(targets).toHaveLength(3);
    expect(targets.every((n) => n?.startsWith('eafix-green-'))).toBe(true);
    const nss = await h.core.listNamespace();
    expect(nss.items.map((n) => n.metadata?.name)).toEqual(['eafix-production', 'eafix-staging', 'velero']);
    await expect(h.core.readNamespace({ name: 'eafix-staging' })).resolves.toMatchObject({
      status: { phase: 'Active' },
    });
  });

  it('waitFor resolves on state changes and rejects descriptively on timeout', async () => {
    await expect(h.sim.waitFor(() => false, { timeoutMs: 50, description: 'the impossible' })).rejects.toThrow(
      /timed out after 50ms waiting for the impossible/,
    );
    const seen = h.sim.waitFor(() => h.sim.getService(NS, 'eafix-gateway')?.metadata.labels?.touched === 'yes', {
      description: 'label',
    });
    await h.core.patchNamespacedService(
      { name: 'eafix-gateway', namespace: NS, body: { metadata: { labels: { touched: 'yes' } } } },
      merge,
    );
    await expect(seen).resolves.toBeUndefined();
    await expect(h.sim.settle()).resolves.toBeUndefined();
  });

  it('answers discovery and exports a kubeconfig the sandbox can write to disk', async () => {
    const res = await fetch(`${h.sim.url}/version`);
    expect(await res.json()).toMatchObject({ major: '1', gitVersion: expect.stringContaining('eafix-sim') });
    const yaml = parse(h.sim.kubeconfigYaml()) as {
      clusters: { cluster: { server: string } }[];
      users: { user: { token: string } }[];
      'current-context': string;
    };
    expect(yaml.clusters[0]?.cluster.server).toBe(h.sim.url);
    expect(yaml.users[0]?.user.token).toBe('sandbox-token');
    expect(yaml['current-context']).toBe('eafix-sim');
    const apis = await fetch(`${h.sim.url}/apis`, { headers: { authorization: 'Bearer sandbox-token' } });
    expect(((await apis.json()) as { groups: { name: string }[] }).groups.map((g) => g.name)).toContain('apps');
  });
});

describe('ClusterSimulator: runbook operations', () => {
  it('switches the gateway by strategic merge patch and the endpoints follow', async () => {
    await h.apps.patchNamespacedDeploymentScale(
      { name: 'eafix-blue', namespace: NS, body: { spec: { replicas: 3 } } },
      merge,
    );
    await pollRollout(h.apps, 'eafix-blue');
    const svc = await h.core.patchNamespacedService(
      { name: 'eafix-gateway', namespace: NS, body: { spec: { selector: { version: 'blue' } } } },
      smp,
    );
    // Strategic merge keeps the other selector keys.
    expect(svc.spec?.selector).toEqual({ app: 'eafix-gateway', version: 'blue' });
    await h.sim.waitFor(
      () =>
        (h.sim.getEndpoints(NS, 'eafix-gateway')?.subsets?.[0]?.addresses ?? []).every((a) =>
          a.targetRef.name.startsWith('eafix-blue-'),
        ),
      { description: 'gateway endpoints on blue' },
    );
    const ep = await h.core.readNamespacedEndpoints({ name: 'eafix-gateway', namespace: NS });
    expect(ep.subsets?.[0]?.addresses?.map((a) => a.targetRef?.name?.slice(0, 11))).toEqual([
      'eafix-blue-',
      'eafix-blue-',
      'eafix-blue-',
    ]);
    const write = h.sim.writes.find((w) => w.method === 'PATCH' && w.path.endsWith('/services/eafix-gateway'));
    expect(write).toMatchObject({
      contentType: 'application/strategic-merge-patch+json',
      status: 200,
      body: { spec: { selector: { version: 'blue' } } },
    });
  });

  it('scales through the subresource with realistic intermediate status until kubectl says done', async () => {
    const before = h.sim.getDeployment(NS, 'eafix-blue')!;
    const written: Deployment['status'][] = [];
    h.sim.on('change', (c) => {
      if (c.resource === 'deployments' && c.object.metadata.name === 'eafix-blue')
        written.push((c.object as Deployment).status);
    });
    const scale = await h.apps.replaceNamespacedDeploymentScale({
      name: 'eafix-blue',
      namespace: NS,
      body: {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: 'eafix-blue', namespace: NS },
        spec: { replicas: 3 },
      },
    });
    expect(scale.kind).toBe('Scale');
    expect(scale.spec?.replicas).toBe(3);
    const { final } = await pollRollout(h.apps, 'eafix-blue');
    expect(rolloutState(final)).toBe('done');
    expect(final.metadata?.generation).toBe((before.metadata.generation ?? 0) + 1);
    expect(final.status?.observedGeneration).toBe(final.metadata?.generation);
    expect(final.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    // The controller necessarily passes through "3 updated, not all available".
    expect(written.some((st) => st?.updatedReplicas === 3 && (st.availableReplicas ?? 0) < 3)).toBe(true);
    expect(written.some((st) => st?.unavailableReplicas === 3)).toBe(true);
    const read = await h.apps.readNamespacedDeploymentScale({ name: 'eafix-blue', namespace: NS });
    expect(read.status).toMatchObject({ replicas: 3, selector: 'app=eafix-gateway,version=blue' });
    expect(
      h.sim
        .listEvents(NS)
        .some(
          (e) => e.reason === 'ScalingReplicaSet' && e.message.includes('eafix-blue') && e.message.endsWith('to 3'),
        ),
    ).toBe(true);
  });

  it('rolls a restart out with new pod names, old+new counted during the rollout', async () => {
    const oldNames = h.sim.listPods(NS, 'app=eafix-execution-engine').map((p) => p.metadata.name);
    const statuses: Deployment['status'][] = [];
    h.sim.on('change', (c) => {
      if (c.resource === 'deployments' && c.object.metadata.name === 'eafix-execution-engine')
        statuses.push((c.object as Deployment).status);
    });
    await h.apps.patchNamespacedDeployment(
      {
        name: 'eafix-execution-engine',
        namespace: NS,
        body: {
          spec: {
            template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } },
          },
        },
      },
      smp,
    );
    const { final } = await pollRollout(h.apps, 'eafix-execution-engine');
    expect(final.status?.availableReplicas).toBe(3);
    await h.sim.settle();
    const newNames = h.sim.listPods(NS, 'app=eafix-execution-engine').map((p) => p.metadata.name);
    expect(newNames).toHaveLength(3);
    expect(newNames.filter((n) => oldNames.includes(n))).toEqual([]);
    expect(statuses.some((s) => (s?.replicas ?? 0) > (s?.updatedReplicas ?? 0))).toBe(true);
    expect(
      statuses.some((s) =>
        s?.conditions?.some((c) => c.reason === 'ReplicaSetUpdated' || c.reason === 'NewReplicaSetCreated'),
      ),
    ).toBe(true);
    expect(final.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(final.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    expect(h.sim.listEvents(NS).some((e) => e.reason === 'Killing' && oldNames.includes(e.involvedObject.name))).toBe(
      true,
    );
  });

  it('recreates a deleted pod like a ReplicaSet does', async () => {
    const [victim] = h.sim.listPods(NS, 'app=eafix-risk-manager');
    const deleted = await h.core.deleteNamespacedPod({ name: victim!.metadata.name, namespace: NS });
    expect(deleted.metadata?.deletionTimestamp).toBeDefined();
    await h.sim.waitFor(
      () => {
        const pods = h.sim.listPods(NS, 'app=eafix-risk-manager');
        return (
          pods.length === 3 &&
          !pods.some((p) => p.metadata.name === victim!.metadata.name) &&
          pods.every((p) => p.status?.phase === 'Running')
        );
      },
      { description: 'risk-manager pod replaced' },
    );
  });

  it('serves deterministic pod logs honouring tailLines, sinceSeconds and timestamps', async () => {
    const [pod] = h.sim.listPods(NS, 'app=eafix-data-ingestor');
    const name = pod!.metadata.name;
    const tail = await h.core.readNamespacedPodLog({ name, namespace: NS, tailLines: 5 });
    const lines = tail.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT\S+Z (INFO|DEBUG|WARN) +\[data-ingestor\] /.test(l))).toBe(true);
    const since = await h.core.readNamespacedPodLog({ name, namespace: NS, sinceSeconds: 30 });
    const count = since.trimEnd().split('\n').length;
    expect(count).toBeGreaterThanOrEqual(8);
    expect(count).toBeLessThanOrEqual(11);
    const stamped = await h.core.readNamespacedPodLog({ name, namespace: NS, tailLines: 1, timestamps: true });
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \d{4}-/);
    // Stable: a later, wider read contains the same lines.
    const again = await h.core.readNamespacedPodLog({ name, namespace: NS, sinceSeconds: 120 });
    expect(again.split('\n')).toEqual(expect.arrayContaining(lines));
    await expect(h.core.readNamespacedPodLog({ name, namespace: NS, container: 'nope' })).rejects.toMatchObject({
      code: 400,
    });
  });

  it('streams watch events for deployments', async () => {
    const events: { type: string; name?: string; replicas?: number }[] = [];
    const watch = new Watch(h.kc);
    let ended: unknown = 'open';
    const ctrl = await watch.watch(
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      { labelSelector: 'app=eafix-gateway' },
      (type, obj: Deployment) => events.push({ type, name: obj.metadata.name, replicas: obj.spec.replicas }),
      (err) => (ended = err),
    );
    await h.sim.waitFor(() => events.length >= 2, { description: 'initial ADDED events' });
    expect(events.map((e) => `${e.type} ${e.name}`).sort()).toEqual(['ADDED eafix-blue', 'ADDED eafix-green']);
    await h.apps.patchNamespacedDeployment(
      { name: 'eafix-blue', namespace: NS, body: { spec: { replicas: 2 } } },
      merge,
    );
    await h.sim.waitFor(
      () => events.some((e) => e.type === 'MODIFIED' && e.name === 'eafix-blue' && e.replicas === 2),
      {
        description: 'MODIFIED event for eafix-blue',
      },
    );
    expect(events.some((e) => e.name?.startsWith('eafix-data'))).toBe(false);
    ctrl.abort();
    await h.sim.waitFor(() => ended !== 'open', { description: 'watch done callback' });
  });
});

describe('ClusterSimulator: watch resume', () => {
  it('replays only changes after a list resourceVersion, and a no-op replace keeps generation', async () => {
    const listed = await h.apps.listNamespacedDeployment({ namespace: NS });
    const green = listed.items.find((d) => d.metadata?.name === 'eafix-green')!;
    const same = await h.apps.replaceNamespacedDeployment({ name: 'eafix-green', namespace: NS, body: green });
    expect(same.metadata?.generation).toBe(green.metadata?.generation);
    await h.apps.patchNamespacedDeployment(
      { name: 'eafix-blue', namespace: NS, body: { metadata: { labels: { note: 'x' } } } },
      merge,
    );
    const events: string[] = [];
    const ctrl = await new Watch(h.kc).watch(
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      { resourceVersion: listed.metadata?.resourceVersion, fieldSelector: 'metadata.name=eafix-blue' },
      (type, obj: Deployment) => events.push(`${type} ${obj.metadata.name} ${obj.metadata.labels?.note ?? '-'}`),
      () => {},
    );
    await h.sim.waitFor(() => events.length > 0, { description: 'replayed event' });
    ctrl.abort();
    expect(events[0]).toBe('MODIFIED eafix-blue x');
    expect(events.some((e) => e.startsWith('ADDED'))).toBe(false);
  });
});

describe('ClusterSimulator: errors', () => {
  it('answers 404, 422 and 415 with Status bodies the client exposes as a JSON string', async () => {
    const notFound = await h.apps
      .readNamespacedDeployment({ name: 'eafix-nope', namespace: NS })
      .catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ApiException);
    expect(statusOf(notFound)).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'deployments.apps "eafix-nope" not found',
    });

    const negative = await h.apps
      .patchNamespacedDeployment({ name: 'eafix-blue', namespace: NS, body: { spec: { replicas: -1 } } }, merge)
      .catch((e: unknown) => e);
    expect(statusOf(negative)).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(statusOf(negative).message).toContain('spec.replicas: Invalid value: -1');

    const selector = await h.apps
      .patchNamespacedDeployment({
        name: 'eafix-blue',
        namespace: NS,
        body: [{ op: 'replace', path: '/spec/selector/matchLabels/version', value: 'x' }],
      })
      .catch((e: unknown) => e);
    expect(statusOf(selector)).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(statusOf(selector).message).toContain('spec.selector');

    const media = await h.core
      .patchNamespacedService(
        { name: 'eafix-gateway', namespace: NS, body: { spec: {} } },
        setHeaderOptions('Content-Type', 'application/json'),
      )
      .catch((e: unknown) => e);
    expect(statusOf(media)).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    expect(h.sim.getDeployment(NS, 'eafix-blue')?.spec.replicas).toBe(0);
  });

  it('rejects a replace carrying a stale resourceVersion with 409 Conflict', async () => {
    const d = await h.apps.readNamespacedDeployment({ name: 'eafix-green', namespace: NS });
    await h.apps.patchNamespacedDeployment(
      { name: 'eafix-green', namespace: NS, body: { metadata: { labels: { touched: 'yes' } } } },
      merge,
    );
    const err = await h.apps
      .replaceNamespacedDeployment({
        name: 'eafix-green',
        namespace: NS,
        body: { ...d, spec: { ...d.spec!, replicas: 5 } },
      })
      .catch((e: unknown) => e);
    expect(statusOf(err)).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(h.sim.getDeployment(NS, 'eafix-green')?.spec.replicas).toBe(3);
    const fresh = await h.apps.readNamespacedDeployment({ name: 'eafix-green', namespace: NS });
    const ok = await h.apps.replaceNamespacedDeployment({
      name: 'eafix-green',
      namespace: NS,
      body: { ...fresh, spec: { ...fresh.spec!, replicas: 4 } },
    });
    expect(ok.spec?.replicas).toBe(4);
    expect(Number(ok.metadata?.resourceVersion)).toBeGreaterThan(Number(fresh.metadata?.resourceVersion));
  });

  it('requires the bearer token', async () => {
    const res = await fetch(`${h.sim.url}/api/v1/namespaces/${NS}/pods`, {
      headers: { authorization: 'Bearer wrong' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });
});

describe('ClusterSimulator: authorization', () => {
  it('answers SelfSubjectAccessReviews per the deny rules', async () => {
    const review = (verb: string, namespace: string) =>
      h.authz.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb, group: 'apps', resource: 'deployments', namespace } },
        },
      });
    expect((await review('patch', NS)).status?.allowed).toBe(true);
    h.sim.denyAccess({ verb: 'patch', resource: 'deployments', namespace: NS });
    expect((await review('patch', NS)).status?.allowed).toBe(false);
    expect((await review('patch', 'eafix-staging')).status?.allowed).toBe(true);
    const err = await h.apps
      .patchNamespacedDeployment({ name: 'eafix-blue', namespace: NS, body: { spec: { replicas: 1 } } }, merge)
      .catch((e: unknown) => e);
    expect(statusOf(err)).toMatchObject({ code: 403, reason: 'Forbidden' });
  });

  it('records impersonation headers and applies deny rules to the impersonated user', async () => {
    h.sim.denyAccess({ verb: 'patch', resource: 'deployments', user: 'alice@eafix.io' });
    const asAlice = setHeaderOptions(
      'Impersonate-User',
      'alice@eafix.io',
      setHeaderOptions('Impersonate-Group', 'eafix-traders', merge),
    );
    const err = await h.apps
      .patchNamespacedDeployment({ name: 'eafix-blue', namespace: NS, body: { spec: { replicas: 1 } } }, asAlice)
      .catch((e: unknown) => e);
    expect(statusOf(err).code).toBe(403);
    expect(statusOf(err).message).toContain('User "alice@eafix.io" cannot patch resource "deployments"');
    const last = h.sim.requests.at(-1);
    expect(last?.headers).toMatchObject({ impersonateUser: 'alice@eafix.io', impersonateGroups: ['eafix-traders'] });
    expect(last?.status).toBe(403);
    // The bot's own identity is not affected by Alice's rule.
    await expect(
      h.apps.patchNamespacedDeployment({ name: 'eafix-blue', namespace: NS, body: { spec: { replicas: 1 } } }, merge),
    ).resolves.toBeDefined();
  });
});
