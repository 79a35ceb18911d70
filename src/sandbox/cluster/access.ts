/**
 * Authorization: who is calling (bearer token user, or the impersonated
 * user/groups) and whether a deny rule covers the verb/resource/namespace.
 */
import { ApiError } from './status.ts';

export interface AccessRule {
  /** Kubernetes verb (get, list, watch, create, update, patch, delete) or '*'. */
  verb: string;
  /** Resource plural (`deployments`), with subresource (`deployments/scale`), or '*'. */
  resource: string;
  namespace?: string;
  /** Only for this (impersonated) user. */
  user?: string;
  /** Only for members of this (impersonated) group. */
  group?: string;
}

export interface Identity {
  user: string;
  groups: string[];
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
    const full = q.subresource ? `${q.resource}/${q.subresource}` : q.resource;
    return this.rules.find(
      (r) =>
        (r.verb === '*' || r.verb === q.verb) &&
        (r.resource === '*' || r.resource === q.resource || r.resource === full) &&
        (r.namespace === undefined || r.namespace === q.namespace) &&
        (r.user === undefined || r.user === identity.user) &&
        (r.group === undefined || identity.groups.includes(r.group)),
    );
  }

  forbidden(identity: Identity, q: AccessQuery): ApiError | undefined {
    if (!this.denial(identity, q)) return undefined;
    const full = q.subresource ? `${q.resource}/${q.subresource}` : q.resource;
    const subject = q.group ? `${q.resource}.${q.group}` : q.resource;
    const what = q.name ? `${subject} "${q.name}"` : subject;
    const scope = q.namespace ? ` in the namespace "${q.namespace}"` : ' at the cluster scope';
    return new ApiError(
      403,
      'Forbidden',
      `${what} is forbidden: User "${identity.user}" cannot ${q.verb} resource "${full}" in API group "${q.group ?? ''}"${scope}`,
      { name: q.name, group: q.group || undefined, kind: q.resource },
    );
  }
}
