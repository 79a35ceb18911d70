/**
 * The platform Jobs' identity (deploy/kubernetes/base/rbac/toolbox.yaml): generated from the policy, it
 * holds exactly what the maintenance windows' `kubectl apply|diff --server-side` and `cmctl renew` need,
 * where those windows run, namespaced only (the committed file is compared in rbac-manifests.test.ts;
 * the generator's --check and kustomize rendering in toolbox-rbac-render.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { maintenancePolicySchema } from '../../src/config/maintenance-policy.ts';
import { parsePolicy, type Policy } from '../../src/config/policy.ts';
import { DEFAULT_POLICY } from '../../scripts/rbac/render.ts';
import { toolboxManifests, type ToolboxFile } from '../../scripts/rbac/toolbox-manifests.ts';
import type { RbacObject } from '../../scripts/rbac/rbac-manifests.ts';
import { grantKey, grantsOf } from './rbac-evaluator.ts';

const ENVIRONMENTS = ['eafix-dr', 'eafix-production', 'eafix-staging'];
const toolbox = (namespace: string) => ({ user: `system:serviceaccount:${namespace}:eafix-toolbox`, groups: [] });
const rbacOf = (file: ToolboxFile) => file.objects.filter((o): o is RbacObject => o.kind !== 'ServiceAccount');
const grantKeys = (file: ToolboxFile, namespace: string) =>
  grantsOf(rbacOf(file), toolbox(namespace)).map(grantKey).sort();

let example: Policy;
beforeAll(async () => {
  example = parsePolicy(await readFile(DEFAULT_POLICY, 'utf8'));
});

/** The example policy with its maintenance section replaced (parsed, so defaults apply). */
const withMaintenance = (maintenance: unknown): Policy => ({
  ...example,
  maintenance: maintenancePolicySchema.parse(maintenance),
});

describe('the toolbox identity for the example policy', () => {
  it('is a ServiceAccount in every environment namespace, bound only to its own Role', () => {
    const file = toolboxManifests(example);
    expect(example.platform.cli.serviceAccount).toBe('eafix-toolbox');
    const accounts = file.objects.filter((o) => o.kind === 'ServiceAccount');
    expect(accounts.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(
      ENVIRONMENTS.map((ns) => `${ns}/eafix-toolbox`),
    );
    for (const binding of rbacOf(file).filter((o) => o.kind === 'RoleBinding')) {
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'eafix-toolbox' });
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'eafix-toolbox', namespace: binding.metadata.namespace },
      ]);
    }
  });

  it('grants in production (where both windows run) exactly what apply/diff --server-side and cmctl renew need', () => {
    const file = toolboxManifests(example);
    expect(grantKeys(file, 'eafix-production')).toEqual(
      [
        'create apps/deployments',
        'get apps/deployments',
        'patch apps/deployments',
        'create apps/statefulsets',
        'get apps/statefulsets',
        'patch apps/statefulsets',
        'get cert-manager.io/certificates',
        'update cert-manager.io/certificates/status',
      ]
        .map((k) => `eafix-production ${k}`)
        .sort(),
    );
    // No window runs in staging or DR: the account exists there (every platform Job uses it) with no rights.
    expect(grantKeys(file, 'eafix-staging')).toEqual([]);
    expect(grantKeys(file, 'eafix-dr')).toEqual([]);
  });

  it('holds no wildcard and nothing cluster-scoped', () => {
    const objects = rbacOf(toolboxManifests(example));
    expect(objects.map((o) => o.kind).sort()).toEqual(['Role', 'RoleBinding']);
    for (const rule of objects.flatMap((o) => o.rules ?? [])) {
      for (const field of [rule.apiGroups, rule.resources, rule.verbs]) expect(field.join(',')).not.toContain('*');
      expect(rule.verbs.every((v) => ['get', 'patch', 'create', 'update'].includes(v))).toBe(true);
    }
  });
});

describe('the toolbox identity follows the policy', () => {
  it('takes the kinds from each manifest set, only where a window applying that set runs', () => {
    const file = toolboxManifests(
      withMaintenance({
        windows: {
          weekly: { environment: 'staging', steps: ['security-patches'] },
          monthly: { environment: 'production', steps: ['security-updates'] },
        },
        securityPatches: { resources: ['networkpolicies.networking.k8s.io'] },
        securityUpdates: { resources: ['configmaps'] },
      }),
    );
    expect(grantKeys(file, 'eafix-staging')).toEqual(
      ['create', 'get', 'patch'].map((v) => `eafix-staging ${v} networking.k8s.io/networkpolicies`),
    );
    // `configmaps` is the core group; no certificates step, so no cert-manager rights.
    expect(grantKeys(file, 'eafix-production')).toEqual(
      ['create', 'get', 'patch'].map((v) => `eafix-production ${v} /configmaps`),
    );
  });

  it('gives no cert-manager rights when the policy only reports expiring certificates', () => {
    const file = toolboxManifests(
      withMaintenance({
        windows: { monthly: { steps: ['certificates'] } },
        certificates: { renew: false },
      }),
    );
    expect(rbacOf(file)).toEqual([]);
    expect(file.objects.filter((o) => o.kind === 'ServiceAccount')).toHaveLength(3);
  });

  it('refuses wildcard and RBAC kinds in a manifest set', () => {
    for (const resources of [['*'], ['*.apps'], ['roles.rbac.authorization.k8s.io'], ['Deployments']])
      expect(maintenancePolicySchema.safeParse({ securityPatches: { resources } }).success, resources.join(',')).toBe(
        false,
      );
    expect(maintenancePolicySchema.parse({}).securityPatches.resources).toEqual([
      'deployments.apps',
      'statefulsets.apps',
    ]);
  });

  it('without platform.cli.serviceAccount generates nothing, and says why', () => {
    const file = toolboxManifests({
      ...example,
      platform: { ...example.platform, cli: { ...example.platform.cli, serviceAccount: undefined } },
    });
    expect(file.objects).toEqual([]);
    expect(file.about).toContain('default service account');
  });
});
