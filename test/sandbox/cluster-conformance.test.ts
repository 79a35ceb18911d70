/**
 * Conformance: the same tests against the simulator and, when KUBE_CONFORMANCE_KUBECONFIG points at a
 * real cluster (kind, k3s), against that cluster, so the simulator's claims can be re-checked wherever
 * a real API server exists. On a real cluster the tests need one Deployment to work on:
 * KUBE_CONFORMANCE_NAMESPACE / KUBE_CONFORMANCE_DEPLOYMENT (default eafix-production / eafix-blue),
 * e.g. `kubectl create deployment eafix-blue --image=nginx --replicas=0 -n eafix-production`, and
 * credentials that may impersonate (cluster-admin on kind).
 */
import { request, type RequestOptions } from 'node:https';
import { request as plainRequest } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSimulator, defaultTopology } from '@eafix/sandbox/cluster';
import { FAST } from './cluster-simulator-support.ts';

const external = process.env.KUBE_CONFORMANCE_KUBECONFIG;
const NS = process.env.KUBE_CONFORMANCE_NAMESPACE ?? 'eafix-production';
const DEPLOY = process.env.KUBE_CONFORMANCE_DEPLOYMENT ?? 'eafix-blue';
const NOBODY = 'eafix-conformance-nobody';

let sim: ClusterSimulator | undefined;
let kc: KubeConfig;

beforeAll(async () => {
  kc = new KubeConfig();
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
  await sim.start();
  // A real cluster grants a fresh user nothing; the simulator allows all unless told.
  sim.denyAccess({ verb: '*', resource: '*', user: NOBODY });
  kc.loadFromString(sim.kubeconfigYaml());
});
afterAll(async () => {
  await sim?.stop();
});

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/** One raw request with the kubeconfig's credentials; `headers` may repeat a name (one line each). */
async function call(
  method: string,
  path: string,
  opts: { body?: unknown; contentType?: string; headers?: [string, string][]; accept?: string } = {},
): Promise<Answer> {
  const server = kc.getCurrentCluster()!.server;
  const options: RequestOptions = { method, headers: {} };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const send = server.startsWith('https:') ? request : plainRequest;
    const req = send(`${server}${path}`, options, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }),
      );
    });
    req.on('error', reject);
    req.setHeader('Accept', opts.accept ?? 'application/json');
    const byName = new Map<string, string[]>();
    for (const [k, v] of opts.headers ?? []) byName.set(k, [...(byName.get(k) ?? []), v]);
    for (const [k, v] of byName) req.setHeader(k, v);
    if (opts.body !== undefined) req.setHeader('Content-Type', opts.contentType ?? 'application/merge-patch+json');
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

const deployPath = `/apis/apps/v1/namespaces/${NS}/deployments/${DEPLOY}`;
const review = (attrs: Record<string, string>, headers: [string, string][] = []) =>
  call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    contentType: 'application/json',
    headers,
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: attrs },
    },
  });

describe(`Kubernetes conformance (${external ? `real cluster from ${external}` : 'simulator'})`, () => {
  it('a write with a stale resourceVersion is a 409 Conflict', async () => {
    const current = await call('GET', deployPath);
    const rv = (current.json.metadata as { resourceVersion: string }).resourceVersion;
    const bump = await call('PATCH', deployPath, {
      body: { metadata: { annotations: { 'eafix.io/conformance': String(Date.now()) } } },
    });
    expect(bump.status).toBe(200);
    const stale = await call('PATCH', deployPath, {
      body: { metadata: { resourceVersion: rv, annotations: { 'eafix.io/conformance': 'stale' } } },
    });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
  });

  it('a field selector on an unsupported field label is a 400', async () => {
    const res = await call(
      'GET',
      `/api/v1/namespaces/${NS}/pods?fieldSelector=${encodeURIComponent('spec.containers.image=x')}`,
    );
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('field label not supported: spec.containers.image');
    expect(
      (
        await call(
          'GET',
          `/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${DEPLOY}`)}`,
        )
      ).status,
    ).toBe(200);
  });

  it('a wrong JSON type is a 400; a well-typed invalid value is a 422', async () => {
    const typed = await call('PATCH', deployPath, { body: { spec: { replicas: 'three' } } });
    expect(typed.status).toBe(400);
    expect(typed.json.reason).toBe('BadRequest');
    const negative = await call('PATCH', deployPath, { body: { spec: { replicas: -1 } } });
    expect(negative.status).toBe(422);
    expect(negative.json.reason).toBe('Invalid');
  });

  it('a denied access review carries no reason, and reviews sent as another user answer for that user', async () => {
    const attrs = { verb: 'patch', group: 'apps', resource: 'deployments', namespace: NS };
    const mine = await review(attrs);
    expect((mine.json.status as { allowed: boolean }).allowed).toBe(true);
    const nobody = await review(attrs, [['Impersonate-User', NOBODY]]);
    expect(nobody.status).toBe(201);
    const status = nobody.json.status as { allowed: boolean; reason?: string };
    expect(status.allowed).toBe(false);
    expect(status.reason ?? '').toBe('');
  });

  it('subresources are authorised on their own: deployments/scale is its own resource in reviews', async () => {
    const scale = await review(
      { verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: NS },
      [['Impersonate-User', NOBODY]],
    );
    expect((scale.json.status as { allowed: boolean }).allowed).toBe(false);
    expect(scale.json.spec).toMatchObject({ resourceAttributes: { subresource: 'scale' } });
  });

  it('impersonating groups without a user is refused', async () => {
    const res = await call('GET', deployPath, { headers: [['Impersonate-Group', 'system:authenticated']] });
    expect(res.status).toBe(500);
    expect(String(res.json.message)).toContain('without impersonating a user');
  });

  it('kubectl-style Table requests get the server-side columns', async () => {
    const res = await call('GET', `/apis/apps/v1/namespaces/${NS}/deployments/${DEPLOY}`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(res.json.kind).toBe('Table');
    expect((res.json.columnDefinitions as { name: string }[]).slice(0, 5).map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
    ]);
  });

  it('ReplicaSets of the Deployment carry deployment.kubernetes.io/revision and a controller reference', async () => {
    const d = await call('GET', deployPath);
    const selector = (d.json.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    const labelSelector = Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const sets = await call(
      'GET',
      `/apis/apps/v1/namespaces/${NS}/replicasets?labelSelector=${encodeURIComponent(labelSelector)}`,
    );
    const owned = (
      sets.json.items as {
        metadata: { annotations?: Record<string, string>; ownerReferences?: { uid: string; controller?: boolean }[] };
      }[]
    ).filter((rs) =>
      rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === (d.json.metadata as { uid: string }).uid),
    );
    expect(owned.length).toBeGreaterThan(0);
    expect(
      owned.every((rs) => /^\d+$/.test(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '')),
    ).toBe(true);
  });
});
