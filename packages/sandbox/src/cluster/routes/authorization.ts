/** POST selfsubjectaccessreviews: answers from the sandbox's access rules for the caller. */
import type { AccessControl } from '../access.ts';
import { invalid } from '../status.ts';
import { parseBody, sendJson, type RequestContext } from './context.ts';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export function selfSubjectAccessReview(ctx: RequestContext, access: AccessControl): void {
  const body = parseBody(ctx) as {
    metadata?: Record<string, unknown>;
    spec?: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: unknown };
  };
  const attrs = body.spec?.resourceAttributes;
  if (!attrs && !body.spec?.nonResourceAttributes) {
    throw invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', [
      {
        reason: 'FieldValueRequired',
        field: 'spec.resourceAttributes',
        message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
      },
    ]);
  }
  const rule = attrs
    ? access.denial(ctx.identity, {
        verb: attrs.verb ?? '',
        resource: attrs.resource ?? '',
        subresource: attrs.subresource || undefined,
        group: attrs.group,
        namespace: attrs.namespace || undefined,
        name: attrs.name,
      })
    : undefined;
  // Real RBAC names the binding that allowed a request and gives no reason for a denial.
  const status = rule
    ? { allowed: false }
    : {
        allowed: true,
        reason: `RBAC: allowed by ClusterRoleBinding "eafix-sandbox" of ClusterRole "cluster-admin" to User "${ctx.identity.user}"`,
      };
  sendJson(ctx.res, 201, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: body.spec,
    status,
  });
}
