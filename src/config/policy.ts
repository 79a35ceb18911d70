import { readFile } from 'node:fs/promises';
import { readYaml } from './read-yaml.ts';
import { z } from 'zod';
import { ConfigError, formatIssues } from './format-issues.ts';
import { topologySchema } from './topology.ts';
import { rbacSchema } from './rbac-policy.ts';
import { incidentPolicySchema } from './incident-policy.ts';
import { monitoringPolicySections } from './monitoring-policy.ts';
import { alertPolicySchema } from './alert-policy.ts';
import { platformPolicySchema } from './platform-policy.ts';
import { drPolicySchema } from './dr-policy.ts';
import { maintenancePolicySchema } from './maintenance-policy.ts';

/** A Slack channel by name (`eafix-ops`, `#eafix-ops`) or id (`C0123`). */
const channelRef = z
  .string()
  .regex(/^#?[a-z0-9][a-z0-9_-]{0,79}$|^[CG][A-Z0-9]{2,}$/, 'must be a channel name like eafix-ops or an id like C0123')
  .transform((v) => v.replace(/^#/, ''));

export const channelsSchema = z.object({
  /** Where operations happen: approvals and run threads by default. */
  ops: channelRef,
  /** Where incidents are announced. */
  incidents: channelRef,
  /** Where break-glass use and security incidents are announced. */
  security: channelRef,
});

export const kubernetesSchema = z
  .object({
    /**
     * Defence in depth: cluster writes are sent as a Kubernetes identity mapped from the requester's role
     * (Impersonate-User / Impersonate-Group), so the cluster's own RBAC is a second gate.
     */
    impersonate: z
      .record(z.string(), z.object({ user: z.string().min(1), groups: z.array(z.string().min(1)).default([]) }))
      .default({}),
    /**
     * Environments that live in another cluster (the DR site): environment → kubeconfig context. Every
     * operation on such an environment goes to that cluster; the others use the bot's own.
     */
    sites: z.record(z.string(), z.object({ context: z.string().min(1) })).optional(),
  })
  .default({ impersonate: {} });

/**
 * The Slack installation the bot serves is learned from auth.test at start-up; requests from any other
 * team, organisation or app are refused. List more teams only for an Enterprise Grid org-wide install.
 */
export const slackPolicySchema = z
  .object({
    allowedTeams: z.array(z.string().regex(/^T[A-Z0-9]+$/, 'must be a Slack team id like T0123')).default([]),
    /** The app id (A…), for tokens whose auth.test does not report one. */
    appId: z
      .string()
      .regex(/^A[A-Z0-9]+$/, 'must be a Slack app id like A0123')
      .optional(),
  })
  .default({ allowedTeams: [] });

/** The YAML policy file (EAFIX_CONFIG). Later features add their sections here. */
export const policySchema = z.object({
  channels: channelsSchema,
  topology: topologySchema,
  rbac: rbacSchema,
  kubernetes: kubernetesSchema,
  slack: slackPolicySchema,
  incidents: incidentPolicySchema.prefault({}),
  ...monitoringPolicySections,
  alerts: alertPolicySchema,
  platform: platformPolicySchema,
  disasterRecovery: drPolicySchema,
  maintenance: maintenancePolicySchema,
});

export type Policy = z.infer<typeof policySchema>;
export type Channels = z.infer<typeof channelsSchema>;

export function parsePolicy(text: string, source = 'policy file'): Policy {
  const read = readYaml(text);
  if (!read.ok)
    throw new ConfigError(
      source,
      read.errors.map((e) => `YAML: ${e}`),
    );
  const result = policySchema.safeParse(read.value);
  if (!result.success) throw new ConfigError(source, formatIssues(result.error.issues));
  return result.data;
}

export async function loadPolicy(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`policy file ${path}`, [
      `cannot read it: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    ]);
  }
  return parsePolicy(text, `policy file ${path}`);
}
