/**
 * The Deployment controller's arithmetic, as pure functions: how big each
 * (implicit) ReplicaSet should be on this reconcile, following the upstream
 * rolling-update algorithm (surge up the new set, clean up unhealthy old
 * pods, then scale old sets down while keeping minAvailable).
 */
import type { Deployment } from './types.ts';

function resolve(value: number | string | undefined, fallback: string, total: number, roundUp: boolean): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const pct = Number.parseInt(v.replace('%', ''), 10);
  const raw = (pct * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

export function rollingParams(d: Deployment, desired: number): { surge: number; unavailable: number } {
  const ru = d.spec.strategy?.rollingUpdate;
  const surge = resolve(ru?.maxSurge, '25%', desired, true);
  let unavailable = resolve(ru?.maxUnavailable, '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, desired) };
}

export interface SetState {
  size: number;
  /** Ready (available) pods currently in the set. */
  ready: number;
  /** Live pods, terminating excluded. */
  pods: number;
}

/**
 * New sizes for every hash. `sets` holds the current sizes; `current` is the
 * hash of the deployment's template.
 */
export function targetSizes(d: Deployment, current: string, sets: Map<string, SetState>): Map<string, number> {
  const desired = d.spec.replicas ?? 1;
  const out = new Map<string, number>([...sets].map(([h, s]) => [h, s.size]));
  const olds = [...sets.keys()].filter((h) => h !== current && (out.get(h) ?? 0) > 0);
  const oldPods = olds.reduce((n, h) => n + (sets.get(h)?.pods ?? 0), 0);

  if (d.spec.strategy?.type === 'Recreate') {
    for (const h of olds) out.set(h, 0);
    // Recreate waits until every old pod is gone before starting new ones.
    out.set(current, oldPods > 0 ? 0 : desired);
    return out;
  }
  if (olds.length === 0) {
    out.set(current, desired);
    return out;
  }

  const { surge, unavailable } = rollingParams(d, desired);
  const total = () => [...out.values()].reduce((a, b) => a + b, 0);
  const newState = sets.get(current) ?? { size: 0, ready: 0, pods: 0 };

  let newSize = out.get(current) ?? 0;
  if (newSize > desired) newSize = desired;
  else if (newSize < desired) newSize = Math.min(desired, newSize + Math.max(0, desired + surge - total()));
  out.set(current, newSize);

  const minAvailable = desired - unavailable;
  const newUnavailable = Math.max(0, newSize - newState.ready);
  const maxScaledDown = total() - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return out;

  // Unhealthy old pods go first: removing them costs no availability.
  let cleaned = 0;
  for (const h of olds) {
    const s = sets.get(h);
    const size = out.get(h) ?? 0;
    const unhealthy = Math.max(0, size - Math.min(size, s?.ready ?? 0));
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    out.set(h, size - n);
    cleaned += n;
  }

  const available = [...sets.entries()].reduce((n, [h, s]) => n + Math.min(s.ready, out.get(h) ?? 0), 0);
  let budget = available - minAvailable;
  for (const h of olds) {
    if (budget <= 0) break;
    const size = out.get(h) ?? 0;
    const n = Math.min(size, budget);
    out.set(h, size - n);
    budget -= n;
  }
  return out;
}
