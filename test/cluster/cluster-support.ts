/** A real ClusterSimulator and a KubeCluster talking to it over HTTP. */
import { KubeCluster } from '../../src/cluster/index.ts';
import type { ChangeMeta } from '../../src/cluster/index.ts';
import type { Topology } from '../../src/config/topology.ts';
import { createLogger } from '../../src/logger.ts';
import { ClusterSimulator, defaultTopology, type ClusterSimulatorOptions } from '@eafix/sandbox/cluster';

export const NS = 'eafix-production';
export const ENV = 'production';
export const FAST = { podStartMs: 20, podReadyMs: 40, tickMs: 10, podStopMs: 20, commandScale: 0.1, veleroRunMs: 100 };

export interface Harness {
  sim: ClusterSimulator;
  cluster: KubeCluster;
  topology: Topology;
}

export async function startHarness(
  opts: Partial<ClusterSimulatorOptions> & { requestTimeoutMs?: number; pollIntervalMs?: number } = {},
): Promise<Harness> {
  const topology = opts.topology ?? defaultTopology();
  const sim = new ClusterSimulator({ environments: ['production', 'staging'], timing: FAST, ...opts, topology });
  await sim.start();
  const cluster = new KubeCluster({
    kubeConfig: sim.kubeConfig(),
    topology,
    logger: createLogger({ level: 'silent' }),
    // The bot's own default: on a busy machine a doctor's batch of access reviews took over 2 s. Tests of
    // the bound itself pass their own.
    requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
    pollIntervalMs: opts.pollIntervalMs ?? 10,
    now: () => sim.now(),
  });
  return { sim, cluster, topology };
}

export const change = (over: Partial<ChangeMeta> = {}): ChangeMeta => ({
  requestedBy: 'U_ALICE',
  reason: 'runbook: immediate rollback',
  requestId: 'req-123',
  ...over,
});

/** Rejection of a promise, for asserting on AppError fields. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ code?: string; kind?: string; userMessage?: string; hints?: string[] }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; kind?: string; userMessage?: string; hints?: string[] };
  }
  throw new Error('expected the promise to reject');
}
