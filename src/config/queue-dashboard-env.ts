import { z } from 'zod';

const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

/**
 * The queue dashboard (Bull Board on web, /admin/queues): off unless enabled, never without
 * authentication, read-only unless actions are allowed.
 */
export const queueDashboardEnv = {
  QUEUE_DASHBOARD: flag,
  /** Basic authentication: both or neither. */
  QUEUE_DASHBOARD_USER: z.string().min(1).optional(),
  QUEUE_DASHBOARD_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /**
   * Or an authenticating proxy in front (oauth2-proxy, an OIDC ingress): the header it sets with the
   * signed-in user, e.g. X-Auth-Request-Email. Requests without it are refused.
   */
  QUEUE_DASHBOARD_TRUSTED_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
    .optional(),
  /** Retry, promote, clean and remove jobs from the dashboard; read-only otherwise. */
  QUEUE_DASHBOARD_ACTIONS: flag,
};

interface DashboardSettings {
  QUEUE_DASHBOARD: boolean;
  QUEUE_DASHBOARD_USER?: string | undefined;
  QUEUE_DASHBOARD_PASSWORD?: string | undefined;
  QUEUE_DASHBOARD_TRUSTED_HEADER?: string | undefined;
}

/** Fail closed: an enabled dashboard with no way to authenticate is a start-up error, not an open page. */
export function queueDashboardNeedsAuth(env: DashboardSettings, ctx: z.RefinementCtx): void {
  if (Boolean(env.QUEUE_DASHBOARD_USER) !== Boolean(env.QUEUE_DASHBOARD_PASSWORD)) {
    ctx.addIssue({
      code: 'custom',
      path: ['QUEUE_DASHBOARD_PASSWORD'],
      message: 'QUEUE_DASHBOARD_USER and QUEUE_DASHBOARD_PASSWORD go together',
    });
  }
  if (env.QUEUE_DASHBOARD && !env.QUEUE_DASHBOARD_PASSWORD && !env.QUEUE_DASHBOARD_TRUSTED_HEADER) {
    ctx.addIssue({
      code: 'custom',
      path: ['QUEUE_DASHBOARD'],
      message:
        'the queue dashboard needs QUEUE_DASHBOARD_USER and QUEUE_DASHBOARD_PASSWORD, or QUEUE_DASHBOARD_TRUSTED_HEADER (it is never open)',
    });
  }
}
