/**
 * The committed RBAC (deploy/kubernetes/base/rbac/) is exactly what the actions need: regenerated from
 * the policy and src/cluster/required-access.ts it is byte for byte the same, every right the table
 * lists is granted to whoever sends the request, and nothing is granted that no operation uses.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { accessFor, API_GROUPS, CLUSTER_ACCESS, type ClusterOperation } from '../../src/cluster/required-access.ts';
import type { AccessCheck } from '../../src/cluster/cluster.ts';
import { parsePolicy } from '../../src/config/policy.ts';
import { allActions } from '../../src/handlers/actions.ts';
import { impersonationAccess } from '../../src/handlers/monitoring/doctor-checks.ts';
import { rbacManifests, unmappedWritingRoles, type RbacObject } from '../../scripts/rbac/rbac-manifests.ts';
import { DEFAULT_BOT, DEFAULT_POLICY, renderRbac } from '../../scripts/rbac/render.ts';
import { allows, grantKey, grantsOf, type Grant, type Identity } from './rbac-evaluator.ts';

const BASE = 'deploy/kubernetes/base';

async function committedObjects(): Promise<RbacObject[]> {
  const files = ['bot-roles.yaml', 'impersonation.yaml', 'impersonated-writes.yaml'];
  const texts = await Promise.all(files.map((f) => readFile(join(BASE, 'rbac', f), 'utf8')));
  return texts.flatMap((t) => parseAllDocuments(t).map((d) => d.toJS() as RbacObject));
}

describe('generated RBAC', () => {
  it('is up to date: regenerating from the policy and the rights table gives the committed files', async () => {
    const files = renderRbac(await readFile(DEFAULT_POLICY, 'utf8'), DEFAULT_POLICY, allActions);
    for (const [name, text] of files) {
      expect(
        await readFile(join(BASE, name), 'utf8').catch(() => '(missing)'),
        `${join(BASE, name)}: run npm run rbac:generate`,
      ).toBe(text);
    }
  });

  it('grants every right each operation uses, to the identity that sends it, and nothing more', async () => {
    const policy = parsePolicy(await readFile(DEFAULT_POLICY, 'utf8'));
    const objects = await committedObjects();
    const { reads, writes } = accessFor(Object.keys(CLUSTER_ACCESS) as ClusterOperation[]);
    const namespaces = [...new Set(Object.values(policy.topology.environments).map((e) => e.namespace))];
    const identities = Object.values(policy.kubernetes.impersonate);
    expect(identities.length, 'the example policy impersonates').toBeGreaterThan(0);
    const bot: Identity = {
      user: `system:serviceaccount:${DEFAULT_BOT.namespace}:${DEFAULT_BOT.serviceAccount}`,
      groups: ['system:serviceaccounts'],
    };
    const request = (c: AccessCheck, namespace: string | undefined): Grant => ({
      namespace: c.clusterWide ? undefined : (c.namespace ?? namespace),
      group: c.group ?? API_GROUPS[c.resource] ?? '',
      resource: c.subresource ? `${c.resource}/${c.subresource}` : c.resource,
      verb: c.verb,
      name: c.name,
    });

    // What each identity needs: the bot reads everywhere and impersonates the mapped identities;
    // each identity makes the writes (the example maps every role that can change anything).
    const needs = new Map<Identity, Grant[]>([
      [
        bot,
        [
          ...namespaces.flatMap((ns) => reads.map((c) => request(c, ns))),
          ...impersonationAccess(identities).map((c) => request(c, undefined)),
        ],
      ],
    ]);
    for (const identity of identities)
      needs.set(
        identity,
        namespaces.flatMap((ns) => writes.map((c) => request(c, ns))),
      );

    for (const [who, needed] of needs) {
      const granted = grantsOf(objects, who);
      const missing = needed.filter((n) => !allows(granted, n)).map(grantKey);
      expect(missing, `${who.user} lacks rights an action needs`).toEqual([]);
      const unneeded = granted.filter((g) => !needed.some((n) => allows([g], n) && allows([n], g))).map(grantKey);
      expect(unneeded, `${who.user} holds rights no action needs`).toEqual([]);
    }
  });
});

describe('generating for other policies', () => {
  const examplePolicy = async () => parsePolicy(await readFile(DEFAULT_POLICY, 'utf8'));
  const ruleKeys = (o: RbacObject | undefined) =>
    (o?.rules ?? [])
      .flatMap((r) =>
        r.verbs.map((v) => `${v} ${r.resources.join(',')}${r.resourceNames ? ` ${r.resourceNames.join(',')}` : ''}`),
      )
      .sort();

  it('without impersonation the bot itself holds the writes, and nothing is impersonated', async () => {
    const policy = { ...(await examplePolicy()), kubernetes: { impersonate: {} } };
    const files = rbacManifests(policy, allActions, DEFAULT_BOT);
    expect(files.map((f) => f.name)).toEqual(['bot-roles.yaml']);
    const role = files[0]!.objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'eafix-production');
    expect(ruleKeys(role)).toEqual(expect.arrayContaining(['patch deployments', 'patch services', 'get pods/log']));
  });

  it('a role that may change things but maps to no identity gives the bot the writes too', async () => {
    const policy = await examplePolicy();
    const { operator: _operator, ...rest } = policy.kubernetes.impersonate;
    const files = rbacManifests({ ...policy, kubernetes: { impersonate: rest } }, allActions, DEFAULT_BOT);
    expect(files[0]!.about).toContain('operator');
    expect(ruleKeys(files[0]!.objects.find((o) => o.kind === 'Role'))).toContain('patch deployments');
  });

  it('buttons whose changes run under another permission (decisions, containment) give their clickers no writes', async () => {
    const policy = await examplePolicy();
    expect(unmappedWritingRoles(policy, allActions)).toEqual([]);
    // Containment's floor permission is a viewer's: counted as its own writes, viewers would need the bot's.
    const contain = allActions.find((a) => a.id === 'incident contain')!;
    expect(contain.clusterIdentity).toBe('command');
    expect(unmappedWritingRoles(policy, [{ ...contain, clusterIdentity: undefined }])).toEqual(['viewer']);
  });

  it('a service-account identity is impersonated in its own namespace and bound as a ServiceAccount', async () => {
    const policy = await examplePolicy();
    const impersonate = {
      operator: { user: 'system:serviceaccount:ops:deployer', groups: [] },
      'incident-commander': { user: 'system:serviceaccount:ops:deployer', groups: [] },
    };
    const files = rbacManifests({ ...policy, kubernetes: { impersonate } }, allActions, DEFAULT_BOT);
    const impersonation = files.find((f) => f.name === 'impersonation.yaml')!.objects;
    expect(impersonation.filter((o) => o.kind === 'ClusterRole')).toEqual([]);
    const role = impersonation.find((o) => o.kind === 'Role');
    expect(role?.metadata.namespace).toBe('ops');
    expect(ruleKeys(role)).toEqual(['impersonate serviceaccounts deployer']);
    const binding = files
      .find((f) => f.name === 'impersonated-writes.yaml')!
      .objects.find((o) => o.kind === 'RoleBinding');
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ops' }]);
  });
});
