/** What an identity may do in an environment, asked of Kubernetes itself (`kubectl auth can-i`). */
import type { AccessCheck, AccessResult, AccessReviewOptions, AccessReviews } from './cluster.ts';
import { namespaceFor } from './cluster-targets.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { API_GROUPS } from './required-access.ts';

export async function accessReview(
  k: KubeContext,
  environment: string,
  checks: AccessCheck[],
  options: AccessReviewOptions = {},
): Promise<AccessResult[]> {
  const namespace = namespaceFor(k.topology, environment);
  return Promise.all(
    checks.map(async (check): Promise<AccessResult> => {
      const group = check.group ?? API_GROUPS[check.resource] ?? '';
      const resourceAttributes = {
        ...(check.clusterWide ? {} : { namespace: check.namespace ?? namespace }),
        verb: check.verb,
        group,
        resource: check.resource,
        ...(check.subresource ? { subresource: check.subresource } : {}),
        ...(check.name ? { name: check.name } : {}),
      };
      // Sent as `options.as`, the review answers for that identity, as `kubectl auth can-i --as` does.
      const review = await k.requests.run(
        { verb: 'create', resource: 'selfsubjectaccessreviews' },
        (o) =>
          k.authz.createSelfSubjectAccessReview(
            {
              body: {
                apiVersion: 'authorization.k8s.io/v1',
                kind: 'SelfSubjectAccessReview',
                spec: { resourceAttributes },
              },
            },
            o,
          ),
        options.as ? { impersonate: options.as } : {},
      );
      const allowed = review.status?.allowed === true && review.status.denied !== true;
      // RBAC gives no reason for a denial: say what that means.
      const reason =
        review.status?.reason || review.status?.evaluationError || (allowed ? 'allowed' : 'no RBAC rule allows it');
      return { ...check, group, allowed, reason };
    }),
  );
}

export const accessReviewOperations: KubeOperations<AccessReviews> = { accessReview };
