import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/config/policy.ts';
import { toolboxIdentityCheck } from '../../../src/handlers/monitoring/toolbox-check.ts';

const policy = parsePolicy(await readFile('config/eafix-policy.example.yml', 'utf8'));
const check = (serviceAccount: string | undefined, namespace: string) =>
  toolboxIdentityCheck({ serviceAccount }, policy.maintenance, policy.topology, namespace);

describe("doctor: the platform Jobs' service account", () => {
  it('warns when the policy names none: Jobs run as the default account, with what they need and what to do', () => {
    const row = check(undefined, 'eafix-production');
    expect(row.status).toBe('warn');
    expect(row.detail).toContain("run as the namespace's default service account, which may lack the rights");
    expect(row.detail).toContain(
      'get,patch,create deployments.apps; get,patch,create statefulsets.apps; get certificates.cert-manager.io; update certificates/status.cert-manager.io',
    );
    expect(row.advice).toContain('platform.cli.serviceAccount');
    expect(row.advice).toContain('rbac/toolbox.yaml');
  });

  it('passes when one is named, and says how to check its rights (the bot cannot ask as it)', () => {
    const row = check('eafix-toolbox', 'eafix-production');
    expect(row.status).toBe('pass');
    expect(row.detail).toContain(
      '`kubectl auth can-i --list -n eafix-production --as=system:serviceaccount:eafix-production:eafix-toolbox`',
    );
    expect(check('eafix-toolbox', 'eafix-staging').detail).toContain(
      'no maintenance window here needs Kubernetes rights of it',
    );
  });
});
