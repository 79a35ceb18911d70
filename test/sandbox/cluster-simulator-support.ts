/** Shared setup for the cluster simulator tests: fast timings and real clients. */
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { ClusterSimulator, defaultTopology, type ClusterSimulatorOptions } from '@eafix/sandbox/cluster';

export const NS = 'eafix-production';
export const FAST = { podStartMs: 30, podReadyMs: 60, tickMs: 10, podStopMs: 30, progressDeadlineScale: 0.0005 };

export interface SimHarness {
  sim: ClusterSimulator;
  kc: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
  authz: AuthorizationV1Api;
}

export async function startSim(opts: Partial<ClusterSimulatorOptions> = {}): Promise<SimHarness> {
  const sim = new ClusterSimulator({
    topology: defaultTopology(),
    environments: ['production', 'staging'],
    timing: FAST,
    ...opts,
  });
  await sim.start();
  const kc = sim.kubeConfig();
  return {
    sim,
    kc,
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    authz: kc.makeApiClient(AuthorizationV1Api),
  };
}

/** kubectl rollout status: 'done', 'waiting' or 'failed' (ProgressDeadlineExceeded). */
export function rolloutState(d: V1Deployment): 'done' | 'waiting' | 'failed' {
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return 'waiting';
  if (s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) return 'failed';
  const desired = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < desired) return 'waiting';
  if ((s.replicas ?? 0) > updated) return 'waiting';
  if ((s.availableReplicas ?? 0) < updated) return 'waiting';
  return 'done';
}

/** Polls the API (like kubectl does) until the rollout is no longer waiting. */
export async function pollRollout(
  apps: AppsV1Api,
  name: string,
  timeoutMs = 5000,
): Promise<{ final: V1Deployment; seen: V1Deployment[] }> {
  const deadline = Date.now() + timeoutMs;
  const seen: V1Deployment[] = [];
  for (;;) {
    const d = await apps.readNamespacedDeployment({ name, namespace: NS });
    seen.push(d);
    if (rolloutState(d) !== 'waiting') return { final: d, seen };
    if (Date.now() > deadline)
      throw new Error(`rollout of ${name} still waiting after ${timeoutMs}ms: ${JSON.stringify(d.status)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Parses the Status body @kubernetes/client-node exposes on ApiException (a JSON string). */
export function statusOf(err: unknown): { code: number; reason: string; message: string; details?: unknown } {
  const body = (err as { body?: unknown }).body;
  if (typeof body !== 'string') throw new Error(`expected ApiException with a string body, got ${String(err)}`);
  return JSON.parse(body) as { code: number; reason: string; message: string };
}
