import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy, type Policy } from '../../src/config/policy.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { Authorizer } from '../../src/permissions/authorizer.ts';
import { checkCoverage } from '../../src/permissions/coverage.ts';
import { allActions } from '../../src/handlers/actions.ts';
import type { SlackDirectory } from '../../src/permissions/directory.ts';
import { AppError } from '../../src/app-error.ts';

/** The sandbox workspace's directory: @oncall holds bob; every channel is named after its id. */
class WorkspaceDirectory implements SlackDirectory {
  constructor(private readonly reachable = true) {}
  async usergroupMembers(ref: string): Promise<string[]> {
    if (!this.reachable) throw new Error('slack unreachable');
    return ref.replace(/^@/, '') === 'oncall' ? ['U0BOB'] : [];
  }
  async channelName(channelId: string): Promise<string> {
    if (!this.reachable) throw new Error('slack unreachable');
    return channelId;
  }
}

let policy: Policy;
let authorizer: Authorizer;
beforeAll(async () => {
  policy = await loadPolicy(examplePolicyPath);
  authorizer = new Authorizer(policy.rbac, new WorkspaceDirectory());
});

const users = { alice: 'U0ALICE', bob: 'U0BOB', carol: 'U0CAROL', dave: 'U0DAVE' } as const;

// Every permission an action declares, for every sandbox person: may they run it, may they approve it?
const table: Array<[keyof typeof users, string, boolean, boolean]> = [
  ['alice', 'bot.read', true, false],
  ['alice', 'trading.stop', true, true],
  ['alice', 'trading.start', true, true],
  ['alice', 'maintenance.enable', true, true],
  ['alice', 'approvals.review', true, false],
  ['alice', 'audit.export', true, false],
  ['bob', 'trading.stop', true, true],
  ['bob', 'approvals.read', true, false],
  ['bob', 'maintenance.disable', true, true],
  ['carol', 'bot.read', true, false],
  ['carol', 'approvals.read', true, false],
  ['carol', 'audit.read', true, false],
  ['carol', 'audit.export', false, false],
  ['carol', 'approvals.review', false, false],
  ['carol', 'trading.stop', false, false],
  ['carol', 'maintenance.enable', false, false],
  ['dave', 'trading.stop', true, false],
  ['dave', 'trading.start', true, false],
  // diagnose orders: broker, risk and balances are for operators, not every viewer.
  ['alice', 'trading.read', true, true],
  ['carol', 'trading.read', false, false],
  // The Troubleshooting Guide's platform remedies.
  ['alice', 'maintenance.cache', true, true],
  ['alice', 'maintenance.database', true, true],
  ['bob', 'trading.broker', true, true],
  ['bob', 'trading.orders', true, true],
  ['bob', 'trading.risk', true, true],
  ['carol', 'trading.feed', false, false],
  ['dave', 'maintenance.enable', true, false],
  ['dave', 'approvals.review', false, false],
  ['alice', 'trading.status', true, true],
  ['carol', 'trading.status', false, false],
  ['bob', 'maintenance.status', true, true],
  ['carol', 'maintenance.status', false, false],
  ['carol', 'maintenance.read', true, false],
  ['bob', 'maintenance.window', true, true],
  ['carol', 'maintenance.window', false, false],
  ['alice', 'deploy.run', true, true],
  ['carol', 'deploy.run', false, false],
  ['dave', 'deploy.run', true, false],
  // Configuration changes (Maintenance): operators run and approve them; viewers neither.
  ['alice', 'maintenance.config.change', true, true],
  ['bob', 'maintenance.config.revert', true, true],
  ['carol', 'maintenance.config.change', false, false],
  ['carol', 'maintenance.config.revert', false, false],
  // Cluster and runs (the runbook's deployment and troubleshooting chapters).
  ['carol', 'cluster.read', true, false],
  ['carol', 'cluster.logs', false, false],
  ['carol', 'cluster.scale', false, false],
  ['carol', 'runs.read', true, false],
  ['carol', 'runs.cancel', false, false],
  ['carol', 'deploy.rollback', false, false],
  ['alice', 'cluster.logs', true, false],
  ['alice', 'cluster.scale', true, true],
  ['alice', 'cluster.restart', true, true],
  ['alice', 'deploy.rollback', true, true],
  ['alice', 'runs.cancel', true, false],
  ['bob', 'deploy.rollback', true, true],
  ['bob', 'cluster.read', true, false],
  ['dave', 'deploy.rollback', true, false],
  ['dave', 'cluster.scale', true, false],
  ['dave', 'runs.read', true, false],
  ['carol', 'security.isolate', false, false],
  ['alice', 'security.isolate', true, true],
  ['bob', 'security.isolate', true, true],
  ['dave', 'security.isolate', true, false],
  // Incidents.
  ['carol', 'incident.list', true, false],
  ['carol', 'incident.timeline', true, false],
  ['carol', 'incident.create', false, false],
  ['carol', 'incident.resolve', false, false],
  ['alice', 'incident.create', true, false],
  ['alice', 'incident.update', true, false],
  ['alice', 'incident.commander', true, false],
  ['alice', 'incident.ack', true, false],
  ['bob', 'incident.resolve', true, false],
  ['dave', 'incident.create', true, false],
  ['dave', 'incident.ack', true, false],
  ['carol', 'incident.contacts', true, false],
  ['carol', 'incident.page', false, false],
  ['alice', 'incident.page', true, false],
  // Monitoring: everyone reads KPIs and doctor; operators post digests.
  ['carol', 'monitoring.read', true, false],
  ['carol', 'monitoring.digest', false, false],
  ['alice', 'monitoring.read', true, false],
  ['alice', 'monitoring.digest', true, false],
  ['bob', 'monitoring.digest', true, false],
  ['dave', 'monitoring.digest', true, false],
  // Disaster Recovery: everyone reads backups and drills; operators back up, verify, drill and approve DR runs.
  ['carol', 'backup.read', true, false],
  ['carol', 'dr.read', true, false],
  ['carol', 'backup.create', false, false],
  ['carol', 'dr.rollback-database', false, false],
  ['alice', 'backup.create', true, false],
  ['alice', 'backup.verify', true, false],
  ['alice', 'dr.drill', true, true],
  ['bob', 'dr.rollback-database', true, true],
  ['bob', 'dr.failover', true, true],
  ['dave', 'dr.rollback-database', true, false],
  ['dave', 'dr.failover', true, false],
  ['bob', 'dr.activate-site', true, true],
  ['dave', 'dr.activate-site', true, false],
];

describe('example policy', () => {
  it.each(table)('%s: %s → run %s, approve %s', async (who, permission, run, approve) => {
    expect(await authorizer.mayRun(users[who], permission)).toBe(run);
    expect((await authorizer.mayApprove(users[who], permission)).allowed).toBe(approve);
  });

  it('the table covers every permission the actions declare', () => {
    const declared = new Set(allActions.map((a) => a.permission));
    const tested = new Set(table.map(([, p]) => p));
    expect([...declared].filter((p) => !tested.has(p))).toEqual([]);
  });

  it('gives only dave break-glass', async () => {
    for (const [name, id] of Object.entries(users)) {
      const { roles } = await authorizer.roles.rolesOf(id);
      expect(authorizer.permissionsOf(roles).breakGlass, name).toBe(name === 'dave');
    }
  });

  it('passes the coverage check against the registry', () => {
    expect(checkCoverage(policy.rbac, allActions)).toEqual([]);
  });
});

describe('coverage check', () => {
  it('reports a permission no action declares and an action no role grants', () => {
    const rbac = structuredClone(policy.rbac);
    rbac.roles.operator!.permissions.push('tradng.*');
    rbac.roles.operator!.permissions = rbac.roles.operator!.permissions.filter((p) => p !== 'maintenance.*');
    rbac.roles['incident-commander']!.permissions = rbac.roles['incident-commander']!.permissions.filter(
      (p) => p !== 'maintenance.*',
    );
    const problems = checkCoverage(rbac, allActions).join('\n');
    expect(problems).toContain('"tradng.*" matches no action');
    expect(problems).toContain('action "maintenance enable": no role grants');
  });
});

describe('authorize', () => {
  it('denies with the missing permission and who holds it', async () => {
    const error = await authorizer
      .authorize({ userId: users.carol, channelId: 'eafix-ops' }, 'trading.stop', 'destructive')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('permission_denied');
    expect((error as AppError).hints.join(' ')).toContain('<@U0ALICE>');
  });

  it('fails closed for changes when user groups cannot be resolved, but still serves read-only actions', async () => {
    const blind = new Authorizer(policy.rbac, new WorkspaceDirectory(false));
    // bob is an operator only through @oncall.
    const error = await blind
      .authorize({ userId: users.bob, channelId: 'eafix-ops' }, 'trading.stop', 'destructive')
      .catch((e: unknown) => e);
    expect((error as AppError).code).toBe('permissions_unavailable');
    await expect(
      blind.authorize({ userId: users.bob, channelId: 'eafix-ops' }, 'bot.read', 'read'),
    ).resolves.toBeTruthy();
    // alice is bound directly and the channel is named by id in the policy: nothing unknown, so she may act.
    await expect(
      blind.authorize({ userId: users.alice, channelId: 'eafix-ops' }, 'trading.stop', 'destructive'),
    ).resolves.toBeTruthy();
    // ...but where the channel must be looked up in Slack, it fails closed.
    const elsewhere = await blind
      .authorize({ userId: users.alice, channelId: 'C0SOMEWHERE' }, 'trading.stop', 'destructive')
      .catch((e: unknown) => e);
    expect((elsewhere as AppError).code).toBe('permissions_unavailable');
  });

  it('enforces channel restrictions', async () => {
    const error = await authorizer
      .authorize({ userId: users.alice, channelId: 'random' }, 'trading.stop', 'destructive')
      .catch((e: unknown) => e);
    expect((error as AppError).code).toBe('wrong_channel');
  });
});
