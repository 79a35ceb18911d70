/**
 * Authorization, shaped like Kubernetes RBAC: the caller (bearer-token user, or the impersonated
 * user/groups) is allowed everything except what a deny rule covers. As in RBAC, a subresource is its
 * own resource (`deployments` does not cover `deployments/scale`), and impersonation is the
 * `impersonate` verb on `users`, `groups` and `serviceaccounts`, checked cluster-wide for the real caller.
 */
import { ApiError } from './status.ts';

export interface AccessRule {
  /** Kubernetes verb (get, list, watch, create, update, patch, delete, impersonate) or '*'. */
  verb: string;
  /**
   * Resource plural (`deployments`), with subresource (`deployments/scale`), `deployments/*` for every
   * subresource, or '*' for everything.
   */
  resource: string;
  namespace?: string;
  /** Only this object name (e.g. the impersonated user for `impersonate users`). */
  name?: string;
  /** Only for this user (the authenticated or the impersonated one). */
  user?: string;
  /** Only for members of this group. */
  group?: string;
}

export interface Identity {
  user: string;
  groups: string[];
  /** The authenticated caller when this identity is impersonated. */
  impersonatedBy?: string;
}

export interface AccessQuery {
  verb: string;
  resource: string;
  subresource?: string;
  group?: string;
  namespace?: string;
  name?: string;
}

export const DEFAULT_USER = 'system:serviceaccount:eafix-system:eafix-chatops';
export const DEFAULT_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:eafix-system', 'system:authenticated'];

function resourceMatches(rule: string, q: AccessQuery): boolean {
  if (rule === '*') return true;
  if (!q.subresource) return rule === q.resource;
  return rule === `${q.resource}/${q.subresource}` || rule === `${q.resource}/*`;
}

export class AccessControl {
  private rules: AccessRule[] = [];

  deny(rule: AccessRule): void {
    this.rules.push(rule);
  }

  clear(): void {
    this.rules = [];
  }

  /** The deny rule that matches, if any (the default is allow-all). */
  denial(identity: Identity, q: AccessQuery): AccessRule | undefined {
    return this.rules.find(
      (r) =>
        (r.verb === '*' || r.verb === q.verb) &&
        resourceMatches(r.resource, q) &&
        (r.namespace === undefined || r.namespace === q.namespace) &&
        (r.name === undefined || r.name === q.name) &&
        (r.user === undefined || r.user === identity.user) &&
        (r.group === undefined || identity.groups.includes(r.group)),
    );
  }

  forbidden(identity: Identity, q: AccessQuery): ApiError | undefined {
    if (!this.denial(identity, q)) return undefined;
    return forbiddenError(identity.user, q);
  }

  /**
   * The impersonation filter: the real caller needs `impersonate` on the user (or, for a service
   * account user, on that serviceaccount in its namespace) and on every group, at cluster scope.
   */
  impersonationForbidden(caller: Identity, target: { user: string; groups: string[] }): ApiError | undefined {
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(target.user);
    const checks: AccessQuery[] = [
      sa
        ? { verb: 'impersonate', resource: 'serviceaccounts', group: '', namespace: sa[1], name: sa[2] }
        : { verb: 'impersonate', resource: 'users', group: '', name: target.user },
      ...target.groups.map((g): AccessQuery => ({ verb: 'impersonate', resource: 'groups', group: '', name: g })),
    ];
    for (const q of checks) {
      const refused = this.forbidden(caller, q);
      if (refused) return refused;
    }
    return undefined;
  }
}

/** The API server's wording: `deployments.apps "x" is forbidden: User "u" cannot patch resource "deployments" …`. */
export function forbiddenError(user: string, q: AccessQuery): ApiError {
  const full = q.subresource ? `${q.resource}/${q.subresource}` : q.resource;
  const subject = q.group ? `${q.resource}.${q.group}` : q.resource;
  const what = q.name ? `${subject} "${q.name}"` : subject;
  const scope = q.namespace ? ` in the namespace "${q.namespace}"` : ' at the cluster scope';
  return new ApiError(
    403,
    'Forbidden',
    `${what} is forbidden: User "${user}" cannot ${q.verb} resource "${full}" in API group "${q.group ?? ''}"${scope}`,
    { name: q.name, group: q.group || undefined, kind: q.resource },
  );
}
