/**
 * Injected failures: per-deployment pod failures the controller honours, and
 * API-level faults (errors, latency) the HTTP layer applies.
 */
import { ApiError, reasonForCode } from './status.ts';

export type PodFailureKind = 'crashLoop' | 'imagePull' | 'progressDeadline';

export interface ApiErrorRule {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Substring of the request path to match. */
  pathIncludes: string;
  status: number;
  /** How many matching requests fail (default 1; `Infinity` for all). */
  times?: number;
  reason?: string;
  message?: string;
  /** Sent as the Retry-After header and in the Status details, as the API server does for 429s. */
  retryAfterSeconds?: number;
}

/** Requests to match by method and path. */
export interface RequestMatch {
  method?: string;
  pathIncludes: string;
}

export interface LatencyRule {
  ms: number;
  pathIncludes?: string;
}

export class Failures {
  /** `ns/deployment` → failure kind → simulated time it was injected. */
  private readonly podFailures = new Map<string, Map<PodFailureKind, number>>();
  private apiErrors: (ApiErrorRule & { remaining: number })[] = [];
  private latencies: LatencyRule[] = [];
  private lostAnswers: (RequestMatch & { remaining: number })[] = [];
  private hooks: (RequestMatch & { run: () => void })[] = [];

  injectPodFailure(namespace: string, deployment: string, kind: PodFailureKind, now: number): void {
    const k = `${namespace}/${deployment}`;
    const byKind = this.podFailures.get(k) ?? new Map<PodFailureKind, number>();
    if (!byKind.has(kind)) byKind.set(kind, now);
    this.podFailures.set(k, byKind);
  }

  /** When the failure was injected, or undefined when it is not active. */
  podFailureSince(namespace: string, deployment: string, kind: PodFailureKind): number | undefined {
    return this.podFailures.get(`${namespace}/${deployment}`)?.get(kind);
  }

  hasPodFailure(namespace: string, deployment: string): boolean {
    return (this.podFailures.get(`${namespace}/${deployment}`)?.size ?? 0) > 0;
  }

  injectApiError(rule: ApiErrorRule): void {
    this.apiErrors.push({ ...rule, remaining: rule.times ?? 1 });
  }

  /** Consumes one matching error rule and returns the error to answer with. */
  takeApiError(method: string, path: string): ApiError | undefined {
    const rule = this.apiErrors.find(
      (r) => r.remaining > 0 && path.includes(r.pathIncludes) && (!r.method || r.method.toUpperCase() === method),
    );
    if (!rule) return undefined;
    rule.remaining--;
    this.apiErrors = this.apiErrors.filter((r) => r.remaining > 0);
    const reason = rule.reason ?? reasonForCode(rule.status);
    const details = rule.retryAfterSeconds !== undefined ? { retryAfterSeconds: rule.retryAfterSeconds } : undefined;
    return new ApiError(rule.status, reason, rule.message ?? `injected failure: ${reason} (${rule.status})`, details);
  }

  /** The next matching request is handled (a write is stored), then its connection is cut before the answer. */
  loseAnswer(match: RequestMatch, times = 1): void {
    this.lostAnswers.push({ ...match, remaining: times });
  }

  takeLostAnswer(method: string, path: string): boolean {
    const rule = this.lostAnswers.find((r) => r.remaining > 0 && matches(r, method, path));
    if (!rule) return false;
    rule.remaining--;
    this.lostAnswers = this.lostAnswers.filter((r) => r.remaining > 0);
    return true;
  }

  /** Runs `run` just before the next matching request is handled: a concurrent writer, a moving world. */
  beforeNext(match: RequestMatch, run: () => void): void {
    this.hooks.push({ ...match, run });
  }

  runHook(method: string, path: string): void {
    const hook = this.hooks.find((h) => matches(h, method, path));
    if (!hook) return;
    this.hooks = this.hooks.filter((h) => h !== hook);
    hook.run();
  }

  /** A rule without `pathIncludes` replaces the global latency; path rules add to the list. */
  setLatency(ms: number, options?: { pathIncludes?: string }): void {
    const pathIncludes = options?.pathIncludes;
    this.latencies = this.latencies.filter((l) => l.pathIncludes !== pathIncludes);
    if (ms > 0) this.latencies.push({ ms, pathIncludes });
  }

  latencyFor(path: string): number {
    let ms = 0;
    for (const l of this.latencies) {
      if (l.pathIncludes === undefined || path.includes(l.pathIncludes)) ms = Math.max(ms, l.ms);
    }
    return ms;
  }

  clear(): void {
    this.lostAnswers = [];
    this.hooks = [];
    this.podFailures.clear();
    this.apiErrors = [];
    this.latencies = [];
  }
}

function matches(m: RequestMatch, method: string, path: string): boolean {
  return path.includes(m.pathIncludes) && (!m.method || m.method.toUpperCase() === method);
}
