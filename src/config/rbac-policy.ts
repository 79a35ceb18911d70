import { z } from 'zod';

/** A permission or a wildcard over them: `deploy.rollback`, `deploy.*`, `*`. */
export const permissionPattern = z
  .string()
  .regex(/^(\*|[a-z][a-z-]*(\.[a-z][a-z-]*)*(\.\*)?)$/, 'must look like area.action, area.* or *');

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id like U0123ABCD');
/** A user group by id (S0123) or handle (@oncall / oncall). */
const usergroupRef = z
  .string()
  .regex(/^(S[A-Z0-9]{2,}|@?[a-z0-9][a-z0-9._-]*)$/, 'must be a user group id (S0123) or handle (@oncall)');
const channelName = z
  .string()
  .regex(/^#?[a-z0-9][a-z0-9_-]{0,79}$|^[CG][A-Z0-9]{2,}$/)
  .transform((v) => v.replace(/^#/, ''));

export const roleSchema = z.object({
  description: z.string().default(''),
  /** What members may run. */
  permissions: z.array(permissionPattern).default([]),
  /** Which actions' requests members may approve (their own never). */
  approve: z.array(permissionPattern).default([]),
  /** May run a destructive action alone with --break-glass (loudly, reviewed afterwards). */
  breakGlass: z.boolean().default(false),
});

export const rbacSchema = z
  .object({
    /** Everyone in the workspace holds this role. */
    defaultRole: z.string(),
    roles: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), roleSchema),
    bindings: z
      .array(
        z.object({
          role: z.string(),
          users: z.array(slackUserId).default([]),
          usergroups: z.array(usergroupRef).default([]),
        }),
      )
      .default([]),
    /** Permission pattern → channels where it may be used (e.g. destructive actions only in #eafix-ops). */
    channelRestrictions: z.record(permissionPattern, z.array(channelName).min(1)).default({}),
    approvals: z
      .object({
        ttlMinutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(15),
        /** Permission pattern → distinct approvers needed (default 1, never the requester). */
        requiredApprovers: z.record(permissionPattern, z.number().int().min(1).max(5)).default({}),
      })
      .default({ ttlMinutes: 15, requiredApprovers: {} }),
    /** How long user group memberships are cached. */
    usergroupCacheSeconds: z.number().int().min(0).max(3600).default(60),
  })
  .superRefine((rbac, ctx) => {
    if (!rbac.roles[rbac.defaultRole]) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultRole'],
        message: `role "${rbac.defaultRole}" is not defined in roles`,
      });
    }
    rbac.bindings.forEach((binding, i) => {
      if (!rbac.roles[binding.role]) {
        ctx.addIssue({
          code: 'custom',
          path: ['bindings', i, 'role'],
          message: `role "${binding.role}" is not defined in roles`,
        });
      }
      if (binding.users.length === 0 && binding.usergroups.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['bindings', i], message: 'a binding needs users or usergroups' });
      }
    });
  });

export type RbacPolicy = z.infer<typeof rbacSchema>;
export type RolePolicy = z.infer<typeof roleSchema>;

/** True when `permission` is matched by `pattern` (`deploy.*` matches `deploy.rollback`). */
export function matches(pattern: string, permission: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return permission.startsWith(pattern.slice(0, -1));
  return pattern === permission;
}
