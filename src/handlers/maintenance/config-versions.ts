/**
 * Where a service's configuration lives and how its previous versions are kept. The live ConfigMap is
 * `<deployment>-config`; before a change replaces it, its content is kept as an immutable ConfigMap
 * `<deployment>-config-before-<change-id>` labelled `eafix.io/config-of=<service>`. Kept versions are
 * ordinary Kubernetes objects: `kubectl get cm -l eafix.io/config-of=risk-manager` lists them, they
 * survive the bot's database, and they hold up to 1 MiB each (annotations would cap them at 256 KiB).
 */
import { createHash } from 'node:crypto';
import type { ConfigMapSnapshot } from '../../cluster/cluster.ts';
import { resolveTarget } from '../../cluster/cluster-targets.ts';
import type { Topology } from '../../config/topology.ts';

/** The configuration process runs in these two environments (runbook: staging, then production). */
export const STAGING = 'staging';
export const PRODUCTION = 'production';

export const CONFIG_LABELS = { of: 'eafix.io/config-of', changeId: 'eafix.io/change-id' } as const;
export const CONFIG_ANNOTATIONS = {
  changeId: 'eafix.io/change-id',
  source: 'eafix.io/config-source',
  /** `hot` on the live ConfigMap: the service re-reads it, no rollout restart after a change. */
  reload: 'eafix.io/config-reload',
  keptFrom: 'eafix.io/config-kept-from',
  /** On production's live ConfigMap: the `config change` run whose staging tests it passed. */
  stagingRun: 'eafix.io/config-staging-run',
} as const;

export function liveConfigMapName(topology: Topology, service: string): string {
  return `${resolveTarget(topology, service).deployment}-config`;
}

/** The change id is the approval's (the change request), in the characters an object name allows. */
export function changeIdOf(approvalId: string | undefined, runId: string): string {
  return (approvalId ?? runId).toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}

/** `apr_0123…` and `apr-0123…` name the same change. */
export const normaliseChangeId = (id: string): string => id.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

export const keptConfigMapName = (live: string, changeId: string): string => `${live}-before-${changeId}`.slice(0, 253);

/** A digest of a ConfigMap's data, fixed in the approved plan: the run applies exactly what was approved. */
export function dataDigest(data: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(data)
    .sort()
    .map((k) => [k, data[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

export const needsRestart = (live: ConfigMapSnapshot | undefined): boolean =>
  live?.annotations[CONFIG_ANNOTATIONS.reload] !== 'hot';

/** Kept versions of a service's configuration, newest first. */
export function keptVersions(list: readonly ConfigMapSnapshot[]): ConfigMapSnapshot[] {
  return [...list]
    .filter((cm) => cm.labels[CONFIG_LABELS.changeId])
    .sort((a, b) =>
      (b.annotations['eafix.io/changed-at'] ?? '').localeCompare(a.annotations['eafix.io/changed-at'] ?? ''),
    );
}
