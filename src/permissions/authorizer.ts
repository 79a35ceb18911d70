import { AppError } from '../app-error.ts';
import { matches, type RbacPolicy } from '../config/rbac-policy.ts';
import type { Risk } from './approval-types.ts';
import type { SlackDirectory } from './directory.ts';
import { RoleResolver } from './role-resolver.ts';

export interface Subject {
  userId: string;
  channelId: string;
}

export interface Permissions {
  readonly run: readonly string[];
  readonly approve: readonly string[];
  readonly breakGlass: boolean;
}

export interface Grant {
  roles: string[];
  canBreakGlass: boolean;
}

/** Decides who may run and approve what, from the policy file. Fails closed on anything it cannot check. */
export class Authorizer {
  readonly roles: RoleResolver;

  constructor(
    private readonly rbac: RbacPolicy,
    private readonly directory: SlackDirectory,
  ) {
    this.roles = new RoleResolver(rbac, directory);
  }

  /** The policy is fixed for this authorizer: each set of roles is worked out once, not per request. */
  private readonly permissionsByRoles = new Map<string, Permissions>();
  private readonly runAllowed = new Map<string, boolean>();

  permissionsOf(roles: readonly string[]): Permissions {
    const key = roles.join('\n');
    let permissions = this.permissionsByRoles.get(key);
    if (!permissions) {
      const defs = roles.map((r) => this.rbac.roles[r]).filter((r) => r !== undefined);
      permissions = Object.freeze({
        run: Object.freeze([...new Set(defs.flatMap((r) => r.permissions))].sort()),
        approve: Object.freeze([...new Set(defs.flatMap((r) => r.approve))].sort()),
        breakGlass: defs.some((r) => r.breakGlass),
      });
      this.permissionsByRoles.set(key, permissions);
    }
    return permissions;
  }

  /** Whether these roles may run `permission` (memoised like the permissions themselves). */
  private mayRunWith(roles: readonly string[], permission: string): boolean {
    const key = `${roles.join('\n')}\t${permission}`;
    let allowed = this.runAllowed.get(key);
    if (allowed === undefined) {
      allowed = this.permissionsOf(roles).run.some((p) => matches(p, permission));
      this.runAllowed.set(key, allowed);
    }
    return allowed;
  }

  /** Roles that grant `permission` (for running, or for approving), in policy order. */
  rolesGranting(permission: string, kind: 'run' | 'approve' = 'run'): string[] {
    return Object.entries(this.rbac.roles)
      .filter(([, role]) => (kind === 'run' ? role.permissions : role.approve).some((p) => matches(p, permission)))
      .map(([name]) => name);
  }

  holders(permission: string, kind: 'run' | 'approve' = 'run'): string {
    const who = [...new Set(this.rolesGranting(permission, kind).flatMap((r) => this.roles.holdersOf(r)))];
    return who.length ? who.join(', ') : 'nobody (check the policy file)';
  }

  /** Who may use --break-glass, as Slack mentions. */
  breakGlassHolders(): string {
    const roles = Object.entries(this.rbac.roles)
      .filter(([, r]) => r.breakGlass)
      .map(([name]) => name);
    const who = [...new Set(roles.flatMap((r) => this.roles.holdersOf(r)))];
    return who.length ? who.join(', ') : 'nobody';
  }

  async mayRun(userId: string, permission: string): Promise<boolean> {
    const { roles } = await this.roles.rolesOf(userId);
    return this.mayRunWith(roles, permission);
  }

  /**
   * Throws an AppError naming the missing permission and who holds it, or returns the subject's grant.
   * When roles cannot be fully resolved, anything beyond read-only is refused.
   */
  async authorize(subject: Subject, permission: string, risk: Risk): Promise<Grant> {
    const resolved = await this.roles.rolesOf(subject.userId);
    const granted = this.permissionsOf(resolved.roles);
    const allowed = this.mayRunWith(resolved.roles, permission);
    if (!allowed && !resolved.complete) throw this.unavailable();
    if (!allowed) {
      throw new AppError('permission_denied', `You need the \`${permission}\` permission for that.`, {
        hints: [`Held by: ${this.holders(permission)}.`, 'Ask one of them to run it, or to request it for you.'],
      });
    }
    if (risk !== 'read' && !resolved.complete) throw this.unavailable();
    await this.checkChannel(subject.channelId, permission, risk);
    return { roles: resolved.roles, canBreakGlass: granted.breakGlass };
  }

  /** May `userId` approve requests for `permission`? Incomplete roles count as no. */
  async mayApprove(userId: string, permission: string): Promise<{ allowed: boolean; complete: boolean }> {
    const resolved = await this.roles.rolesOf(userId);
    const allowed = this.permissionsOf(resolved.roles).approve.some((p) => matches(p, permission));
    return { allowed, complete: resolved.complete };
  }

  requiredApprovers(permission: string): number {
    const counts = Object.entries(this.rbac.approvals.requiredApprovers)
      .filter(([pattern]) => matches(pattern, permission))
      .map(([, n]) => n);
    return counts.length ? Math.max(...counts) : 1;
  }

  get approvalTtlMs(): number {
    return this.rbac.approvals.ttlMinutes * 60_000;
  }

  private async checkChannel(channelId: string, permission: string, risk: Risk): Promise<void> {
    const restrictions = Object.entries(this.rbac.channelRestrictions).filter(([pattern]) =>
      matches(pattern, permission),
    );
    if (restrictions.length === 0) return;
    const allowedChannels = [...new Set(restrictions.flatMap(([, channels]) => channels))];
    if (allowedChannels.includes(channelId)) return;
    let name: string;
    try {
      name = await this.directory.channelName(channelId);
    } catch (error) {
      if (risk === 'read') return;
      throw this.unavailable(error);
    }
    if (allowedChannels.includes(name)) return;
    throw new AppError(
      'wrong_channel',
      `\`${permission}\` may only be used in ${allowedChannels.map((c) => `#${c}`).join(', ')}.`,
      {
        hints: ['Run it again from there, so the team sees it.'],
      },
    );
  }

  private unavailable(cause?: unknown): AppError {
    return new AppError(
      'permissions_unavailable',
      'I cannot check your permissions right now (Slack user groups or channel info did not answer), so I will not run anything that changes the platform. Read-only commands still work.',
      { kind: 'upstream', cause },
    );
  }
}
