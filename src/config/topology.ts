import { z } from 'zod';

/** Kubernetes object names: RFC 1123 labels, as the API server enforces them. */
export const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase RFC 1123 name (a-z, 0-9, "-")')
  .max(63);

export const replicaBoundsSchema = z
  .object({
    min: z.number().int().min(0),
    max: z.number().int().min(0),
    default: z.number().int().min(0),
  })
  .refine((b) => b.min <= b.default && b.default <= b.max, {
    message: 'replica bounds must satisfy min <= default <= max',
  });

export const serviceSchema = z.object({
  /** The name users type: `/eafix pods data-ingestor`. */
  name: k8sName,
  /** The Deployment behind it; the runbook names them eafix-<service>. */
  deployment: k8sName,
  /** Pods carry `app: <label>`; the runbook selects them with `-l app=eafix-<service>`. */
  appLabel: k8sName,
  replicas: replicaBoundsSchema,
  /** Container image the simulator seeds; informational for the real cluster. */
  image: z.string().default('registry.eafix.local/eafix/service:1.0.0'),
});

export const topologySchema = z.object({
  environments: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.object({ namespace: k8sName }))
    .refine((envs) => Object.keys(envs).length > 0, { message: 'at least one environment is required' }),
  gateway: z.object({
    /** The Service whose selector picks the live colour (runbook: `kubectl patch service eafix-gateway`). */
    service: k8sName,
    /** Selector key switched between colours (runbook: `version`). */
    selectorKey: z.string().default('version'),
    /** Other selector labels the gateway service keeps, e.g. `{ app: eafix-gateway }`. */
    baseSelector: z.record(z.string(), z.string()).default({}),
  }),
  colours: z.object({
    blue: z.object({ deployment: k8sName, replicas: replicaBoundsSchema }),
    green: z.object({ deployment: k8sName, replicas: replicaBoundsSchema }),
  }),
  services: z.array(serviceSchema).min(1),
});

export type Topology = z.infer<typeof topologySchema>;
export type ServiceSpec = z.infer<typeof serviceSchema>;
export type Colour = 'blue' | 'green';
