/** RBAC and impersonation as Kubernetes does them, pinned against the simulator over HTTP. */
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NS, startSim, type SimHarness } from './cluster-simulator-support.ts';

let h: SimHarness;
beforeEach(async () => {
  h = await startSim({ token: 'sandbox-token' });
});
afterEach(async () => {
  await h.sim.stop();
});

interface Call {
  method?: string;
  path: string;
  headers?: [string, string][];
  body?: unknown;
  contentType?: string;
}

/** node:http, because fetch folds repeated headers into one comma-joined line and we need real lines. */
function call({
  method = 'GET',
  path,
  headers = [],
  body,
  contentType = 'application/merge-patch+json',
}: Call): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.sim.url}${path}`, { method }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.setHeader('Authorization', 'Bearer sandbox-token');
    const byName = new Map<string, string[]>();
    for (const [k, v] of headers) byName.set(k, [...(byName.get(k) ?? []), v]);
    for (const [k, v] of byName) req.setHeader(k, v);
    if (body !== undefined) req.setHeader('Content-Type', contentType);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const review = (attrs: Record<string, string>, headers: [string, string][] = []) =>
  call({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    headers,
    contentType: 'application/json',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: attrs },
    },
  });

const scalePath = `/apis/apps/v1/namespaces/${NS}/deployments/eafix-blue/scale`;
const deployPath = `/apis/apps/v1/namespaces/${NS}/deployments/eafix-blue`;

describe('ClusterSimulator RBAC: subresources are their own resources', () => {
  it('denying deployments leaves deployments/scale allowed, and the other way round', async () => {
    h.sim.denyAccess({ verb: 'get', resource: 'deployments' });
    expect((await call({ path: deployPath })).status).toBe(403);
    expect((await call({ path: scalePath })).status).toBe(200);
    h.sim.clearAccessRules();
    h.sim.denyAccess({ verb: 'get', resource: 'deployments/scale' });
    const refused = await call({ path: scalePath });
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe(
      `deployments.apps "eafix-blue" is forbidden: User "system:serviceaccount:eafix-system:eafix-chatops" cannot get resource "deployments/scale" in API group "apps" in the namespace "${NS}"`,
    );
    expect((await call({ path: deployPath })).status).toBe(200);
  });

  it('access reviews answer per subresource, with no invented reason for a denial', async () => {
    h.sim.denyAccess({ verb: 'get', resource: 'deployments/scale', namespace: NS });
    const scale = await review({
      verb: 'get',
      group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      namespace: NS,
    });
    expect(scale.json.status).toEqual({ allowed: false });
    const main = await review({ verb: 'get', group: 'apps', resource: 'deployments', namespace: NS });
    expect(main.json.status).toMatchObject({ allowed: true, reason: expect.stringMatching(/^RBAC: allowed by /) });
  });
});

describe('ClusterSimulator impersonation', () => {
  const asAlice: [string, string][] = [['Impersonate-User', 'alice@eafix.io']];

  it('refuses impersonated writes when the caller may not impersonate the user, and writes nothing', async () => {
    h.sim.denyAccess({ verb: 'impersonate', resource: 'users', name: 'alice@eafix.io' });
    const res = await call({ method: 'PATCH', path: deployPath, headers: asAlice, body: { spec: { replicas: 2 } } });
    expect(res.status).toBe(403);
    expect(res.json.message).toBe(
      'users "alice@eafix.io" is forbidden: User "system:serviceaccount:eafix-system:eafix-chatops" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    expect(h.sim.getDeployment(NS, 'eafix-blue')?.spec.replicas).toBe(0);
    // The access review agrees, asked cluster-wide as Kubernetes checks impersonation.
    expect((await review({ verb: 'impersonate', resource: 'users', name: 'alice@eafix.io' })).json.status).toEqual({
      allowed: false,
    });
    // Another user may still be impersonated.
    const bob = await call({
      method: 'PATCH',
      path: deployPath,
      headers: [['Impersonate-User', 'bob@eafix.io']],
      body: { spec: { replicas: 1 } },
    });
    expect(bob.status).toBe(200);
  });

  it('checks impersonate on every group, and on serviceaccounts for a service-account user', async () => {
    h.sim.denyAccess({ verb: 'impersonate', resource: 'groups', name: 'system:masters' });
    const masters = await call({
      path: deployPath,
      headers: [...asAlice, ['Impersonate-Group', 'eafix-sre'], ['Impersonate-Group', 'system:masters']],
    });
    expect(masters.status).toBe(403);
    expect(masters.json.message).toContain('groups "system:masters" is forbidden');
    h.sim.denyAccess({ verb: 'impersonate', resource: 'serviceaccounts', namespace: 'ci', name: 'deployer' });
    const sa = await call({ path: deployPath, headers: [['Impersonate-User', 'system:serviceaccount:ci:deployer']] });
    expect(sa.json.message).toBe(
      'serviceaccounts "deployer" is forbidden: User "system:serviceaccount:eafix-system:eafix-chatops" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ci"',
    );
  });

  it('refuses group headers without a user, as the API server does', async () => {
    const res = await call({ path: deployPath, headers: [['Impersonate-Group', 'eafix-sre']] });
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({
      reason: 'InternalError',
      message: expect.stringContaining('without impersonating a user'),
    });
  });

  it('reads one group per Impersonate-Group line and never splits a line on commas', async () => {
    h.sim.denyAccess({ verb: 'patch', resource: 'deployments', group: 'eafix-oncall' });
    // One line "eafix-sre,eafix-oncall" is ONE group of that odd name: the rule for eafix-oncall does not apply.
    const joined = await call({
      method: 'PATCH',
      path: deployPath,
      headers: [...asAlice, ['Impersonate-Group', 'eafix-sre,eafix-oncall']],
      body: { spec: { replicas: 1 } },
    });
    expect(joined.status).toBe(200);
    expect(h.sim.writes.at(-1)?.headers.impersonateGroups).toEqual(['eafix-sre,eafix-oncall']);
    expect(h.sim.writes.at(-1)?.groups).toEqual(['eafix-sre,eafix-oncall', 'system:authenticated']);
    // Two lines are two groups, and the rule applies.
    const lines = await call({
      method: 'PATCH',
      path: deployPath,
      headers: [...asAlice, ['Impersonate-Group', 'eafix-sre'], ['Impersonate-Group', 'eafix-oncall']],
      body: { spec: { replicas: 2 } },
    });
    expect(lines.status).toBe(403);
    expect(h.sim.writes.at(-1)?.headers.impersonateGroups).toEqual(['eafix-sre', 'eafix-oncall']);
  });

  it('answers an access review sent as another identity for that identity (kubectl auth can-i --as)', async () => {
    h.sim.denyAccess({ verb: 'patch', resource: 'deployments', user: 'alice@eafix.io' });
    const mine = await review({ verb: 'patch', group: 'apps', resource: 'deployments', namespace: NS });
    const hers = await review({ verb: 'patch', group: 'apps', resource: 'deployments', namespace: NS }, asAlice);
    expect(mine.json.status).toMatchObject({ allowed: true });
    expect(hers.json.status).toEqual({ allowed: false });
  });
});

describe('ClusterSimulator: field selectors and error codes', () => {
  it('accepts the field labels a resource supports and answers 400 for others', async () => {
    const ok = await call({
      path: `/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent('involvedObject.name=eafix-blue,type=Warning')}`,
    });
    expect(ok.status).toBe(200);
    const pods = await call({
      path: `/api/v1/namespaces/${NS}/pods?fieldSelector=${encodeURIComponent('status.phase=Running')}`,
    });
    expect(pods.status).toBe(200);
    const bad = await call({
      path: `/api/v1/namespaces/${NS}/pods?fieldSelector=${encodeURIComponent('spec.containers.image=x')}`,
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      reason: 'BadRequest',
      message:
        'Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.containers.image=x": field label not supported: spec.containers.image',
    });
    const deploy = await call({
      path: `/apis/apps/v1/namespaces/${NS}/deployments?fieldSelector=${encodeURIComponent('spec.replicas=3')}`,
    });
    expect(deploy.status).toBe(400);
  });
});
