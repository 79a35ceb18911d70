import type { RbacPolicy } from '../config/rbac-policy.ts';
import type { SlackDirectory } from './directory.ts';

export interface ResolvedRoles {
  roles: string[];
  /** False when some user group could not be resolved: the roles may be incomplete. */
  complete: boolean;
}

/** Who holds which role: the default role, direct user bindings, and user group bindings. */
export class RoleResolver {
  constructor(
    private readonly rbac: RbacPolicy,
    private readonly directory: SlackDirectory,
  ) {}

  async rolesOf(userId: string): Promise<ResolvedRoles> {
    const roles = new Set<string>([this.rbac.defaultRole]);
    let complete = true;
    for (const binding of this.rbac.bindings) {
      if (roles.has(binding.role)) continue;
      if (binding.users.includes(userId)) {
        roles.add(binding.role);
        continue;
      }
      for (const group of binding.usergroups) {
        try {
          if ((await this.directory.usergroupMembers(group)).includes(userId)) {
            roles.add(binding.role);
            break;
          }
        } catch {
          complete = false;
        }
      }
    }
    return { roles: [...roles].sort(), complete };
  }

  /** Slack mentions of who holds a role, for "ask one of them" messages. */
  holdersOf(role: string): string[] {
    if (role === this.rbac.defaultRole) return ['everyone'];
    return this.rbac.bindings
      .filter((b) => b.role === role)
      .flatMap((b) => [
        ...b.users.map((u) => `<@${u}>`),
        ...b.usergroups.map((g) => (g.startsWith('S') ? `<!subteam^${g}>` : `@${g.replace(/^@/, '')}`)),
      ]);
  }
}
