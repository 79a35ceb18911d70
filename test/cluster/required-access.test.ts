/**
 * The rights table doctor checks is the one the adapter uses: every request each Cluster operation
 * sends is in CLUSTER_ACCESS, and denying any one right shows up in doctor with the rule to add.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessCheck } from '../../src/cluster/index.ts';
import { accessKey, CLUSTER_ACCESS, type ClusterOperation } from '../../src/cluster/required-access.ts';
import {
  identityAccess,
  impersonationAccess,
  permissionChecks,
  requiredAccessFor,
} from '../../src/handlers/monitoring/doctor-checks.ts';
import { parseApiPath } from '@eafix/sandbox/cluster/routes/context';
import { change, ENV, NS, startHarness, type Harness } from './cluster-support.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

/** The RBAC attributes of the requests the simulator saw since `from`, with the identity they were sent as. */
function rightsUsed(from: number): { key: string; impersonated: boolean }[] {
  return h!.sim.requests.slice(from).flatMap((r) => {
    const p = parseApiPath(r.path);
    if (!p || r.path.includes('selfsubjectaccessreviews')) return [];
    const verb =
      r.method === 'GET'
        ? p.name
          ? 'get'
          : r.query.watch === 'true'
            ? 'watch'
            : 'list'
        : r.method === 'PATCH'
          ? 'patch'
          : r.method === 'PUT'
            ? 'update'
            : r.method === 'DELETE'
              ? 'delete'
              : 'create';
    return [
      {
        key: accessKey({ verb, resource: p.resource, subresource: p.subresource }),
        impersonated: r.headers.impersonateUser !== undefined,
      },
    ];
  });
}

const asAlice = () => change({ impersonate: { user: 'alice@eafix.io', groups: [] } });

const operations: Record<ClusterOperation, (h: Harness) => Promise<unknown>> = {
  status: (x) => x.cluster.status(ENV),
  liveColour: (x) => x.cluster.liveColour(ENV),
  deploymentSpec: (x) => x.cluster.deploymentSpec(ENV, 'eafix-blue'),
  switchTraffic: (x) =>
    x.cluster.switchTraffic(ENV, 'blue', change({ impersonate: { user: 'alice@eafix.io', groups: ['eafix-sre'] } })),
  setColourImage: (x) =>
    x.cluster.setColourImage(
      ENV,
      'blue',
      { image: 'registry.eafix.local/eafix/gateway:2.5.0', version: '2.5.0' },
      asAlice(),
    ),
  scale: (x) => x.cluster.scale(ENV, 'market-data', 4, change({ impersonate: { user: 'alice@eafix.io', groups: [] } })),
  restart: (x) =>
    x.cluster.restart(ENV, 'data-ingestor', change({ impersonate: { user: 'alice@eafix.io', groups: [] } })),
  waitForRollout: (x) => x.cluster.waitForRollout(ENV, 'green', { timeoutMs: 5_000 }),
  waitForPodsReady: (x) => x.cluster.waitForPodsReady(ENV, 'app=eafix-risk-manager', { timeoutMs: 5_000 }),
  gatewayEndpoints: (x) => x.cluster.gatewayEndpoints(ENV),
  listPods: (x) => x.cluster.listPods(ENV, 'risk-manager'),
  podLogs: (x) => x.cluster.podLogs(ENV, 'risk-manager', { tailLines: 2 }),
  recentEvents: (x) => x.cluster.recentEvents(ENV, { involvedName: 'risk-manager', limit: 5 }),
  runJob: (x) =>
    x.cluster.runJob(ENV, {
      name: 'ra-status',
      image: 'registry.eafix.local/eafix/eafix-toolbox:2.4.0',
      command: ['eafix-cli', 'status'],
      activeDeadlineSeconds: 60,
      change: asAlice(),
    }),
  listJobs: (x) => x.cluster.listJobs(ENV, 'app.kubernetes.io/managed-by=eafix-chatops'),
  cancelJob: (x) => x.cluster.cancelJob(ENV, 'ra-status', asAlice()),
  listCertificates: (x) => x.cluster.listCertificates(ENV),
  createBackup: (x) => x.cluster.createBackup({ name: 'ra-backup', includedNamespaces: [NS], change: asAlice() }),
  getBackup: (x) => x.cluster.getBackup('ra-backup'),
  listBackups: (x) => x.cluster.listBackups(),
  waitForBackup: (x) => x.cluster.waitForBackup('ra-backup', { timeoutMs: 10_000 }),
  createRestore: (x) =>
    x.cluster.createRestore({
      name: 'ra-restore',
      backupName: 'ra-backup',
      namespaceMapping: { [NS]: 'eafix-restore-test' },
      change: asAlice(),
    }),
  getRestore: (x) => x.cluster.getRestore('ra-restore'),
  waitForRestore: (x) => x.cluster.waitForRestore('ra-restore', { timeoutMs: 10_000 }),
  getStatefulSet: (x) => x.cluster.getStatefulSet(ENV, 'eafix-postgres-replica'),
  scaleStatefulSet: (x) => x.cluster.scaleStatefulSet(ENV, 'eafix-postgres-replica', 3, asAlice()),
  setStatefulSetEnv: (x) =>
    x.cluster.setStatefulSetEnv(ENV, 'eafix-postgres-replica', 'postgres', { POSTGRES_ROLE: 'primary' }, asAlice()),
  setServiceSelector: (x) => x.cluster.setServiceSelector(ENV, 'eafix-postgres', { role: 'primary' }, asAlice()),
  namespacePhase: (x) => x.cluster.namespacePhase('eafix-restore-test'),
  deleteScratchNamespace: (x) =>
    x.cluster.deleteScratchNamespace('eafix-restore-test', asAlice(), { timeoutMs: 10_000 }),
  getConfigMap: (x) => x.cluster.getConfigMap(ENV, 'eafix-risk-manager-config'),
  listConfigMaps: (x) => x.cluster.listConfigMaps(ENV, 'eafix.io/config-of=risk-manager'),
  // Twice: the first write creates it, the second replaces its data.
  putConfigMap: async (x) => {
    await x.cluster.putConfigMap(ENV, { name: 'ra-config', data: { a: '1' } }, asAlice());
    return x.cluster.putConfigMap(ENV, { name: 'ra-config', data: { a: '2' } }, asAlice());
  },
};

describe('CLUSTER_ACCESS', () => {
  it('lists every right each operation uses, reads as the bot and writes as the impersonated identity', async () => {
    h = await startHarness();
    for (const [op, run] of Object.entries(operations) as [ClusterOperation, (x: Harness) => Promise<unknown>][]) {
      const from = h.sim.requests.length;
      await run(h);
      const used = rightsUsed(from);
      const table = CLUSTER_ACCESS[op];
      expect(used.length, op).toBeGreaterThan(0);
      for (const u of used) {
        const list = u.impersonated ? table.writes : table.reads;
        expect(list.map(accessKey), `${op}: ${u.key} (${u.impersonated ? 'as the identity' : 'as the bot'})`).toContain(
          u.key,
        );
      }
    }
  });
});

describe('doctor: each missing right is reported with the rule to add', () => {
  const required = requiredAccessFor(false);
  const ruleFor = (c: AccessCheck) =>
    `resources ["${c.subresource ? `${c.resource}/${c.subresource}` : c.resource}"], verbs ["${c.verb}"]`;

  it.each(required.map((c) => [`${accessKey(c)}${c.name ? ` ${c.name}` : ''}`, c] as const))(
    'only %s denied: one failing row naming it and the Role rule',
    async (_key, denied) => {
      h = await startHarness();
      h.sim.denyAccess({
        verb: denied.verb,
        resource: denied.subresource ? `${denied.resource}/${denied.subresource}` : denied.resource,
        ...(denied.clusterWide ? { name: denied.name } : { namespace: denied.namespace ?? NS }),
      });
      const results = await h.cluster.accessReview(ENV, required);
      const rows = permissionChecks(results, NS);
      const failing = rows.filter((r) => r.status === 'fail');
      expect(failing).toHaveLength(1);
      expect(failing[0]).toMatchObject({
        name: `Kubernetes permission: ${accessKey(denied)}${denied.name ? ` ${denied.name}` : ''}`,
        detail: expect.stringContaining('no RBAC rule allows it'),
      });
      expect(failing[0]?.advice).toContain(
        denied.clusterWide
          ? `Add to the bot's ClusterRole (bound with a ClusterRoleBinding): apiGroups ["${denied.group}"], resources ["${denied.resource}"], resourceNames ["${denied.name}"], verbs ["${denied.verb}"]`
          : `Add to the bot's Role in ${denied.namespace ?? NS}: apiGroups ["${denied.group}"], ${ruleFor(denied)}`,
      );
    },
  );

  it('with only get deployments/scale denied, nothing the bot needs is missing, and scale works', async () => {
    h = await startHarness();
    h.sim.denyAccess({ verb: 'get', resource: 'deployments/scale', namespace: NS });
    const rows = permissionChecks(await h.cluster.accessReview(ENV, required), NS);
    expect(rows.filter((r) => r.status !== 'pass')).toEqual([]);
    await expect(h.cluster.scale(ENV, 'blue', 2, change())).resolves.toMatchObject({ changed: true });
  });

  it('with impersonation: the bot may-impersonate rows are cluster-wide, and each identity is asked as itself', async () => {
    h = await startHarness();
    const alice = { user: 'alice@eafix.io', groups: ['eafix-sre'] };
    h.sim.denyAccess({ verb: 'impersonate', resource: 'groups', name: 'eafix-sre' });
    h.sim.denyAccess({ verb: 'patch', resource: 'services', user: 'carol@eafix.io' });
    const own = await h.cluster.accessReview(ENV, [
      ...requiredAccessFor(true),
      ...impersonationAccess([alice, { user: 'carol@eafix.io', groups: [] }]),
    ]);
    const reviews = h.sim.requests.filter((r) => r.path.endsWith('selfsubjectaccessreviews'));
    expect(reviews.every((r) => r.headers.impersonateUser === undefined)).toBe(true);
    const rows = permissionChecks(own, NS);
    const failing = rows.filter((r) => r.status === 'fail');
    expect(failing.map((r) => r.name)).toEqual(['Kubernetes permission: impersonate groups eafix-sre']);
    expect(failing[0]?.detail).toContain('cluster-wide');
    expect(failing[0]?.advice).toContain(`ClusterRole`);
    expect(failing[0]?.advice).toContain('resources ["groups"], resourceNames ["eafix-sre"], verbs ["impersonate"]');

    // As carol: her own rights, and the rule names her.
    const carol = await h.cluster.accessReview(ENV, identityAccess(), { as: { user: 'carol@eafix.io', groups: [] } });
    const carolRows = permissionChecks(carol, NS, { kind: 'identity', user: 'carol@eafix.io', groups: [] });
    expect(carolRows.find((r) => r.status === 'fail')).toMatchObject({
      name: 'Kubernetes permission of carol@eafix.io: patch services',
      detail: expect.stringContaining('denied to carol@eafix.io (mapped identity) in eafix-production'),
      advice: expect.stringContaining('bound to User carol@eafix.io'),
    });
    expect(h.sim.requests.at(-1)?.headers.impersonateUser).toBe('carol@eafix.io');

    // As alice: the bot may not impersonate her group, so it cannot even ask, and says who was refused.
    const err = await h.cluster
      .accessReview(ENV, identityAccess(), { as: alice })
      .catch((e: unknown) => e as { code: string; userMessage: string });
    expect(err).toMatchObject({ code: 'cluster_forbidden' });
    expect((err as { userMessage: string }).userMessage).toMatch(
      /^The bot's Kubernetes account \(system:serviceaccount:eafix-system:eafix-chatops\) may not impersonate groups \(to act as alice@eafix\.io\)/,
    );
  });
});
