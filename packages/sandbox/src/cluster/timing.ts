/** Simulated durations. Small values make tests fast; the defaults feel like a real cluster, sped up. */
export interface Timing {
  /** Pod creation → container Running. */
  podStartMs: number;
  /** Pod creation → Ready (clamped to at least podStartMs). */
  podReadyMs: number;
  /** Controller reconcile period. */
  tickMs: number;
  /** How long a deleted pod stays Terminating. Default: podStartMs. */
  podStopMs: number;
  /** Time between restarts of a crash-looping container. Default: 2 × podReadyMs. */
  restartBackoffMs: number;
  /** Multiplies `spec.progressDeadlineSeconds` (600 s by default): 0.01 → 6 s. */
  progressDeadlineScale: number;
  /** Multiplies a Job command's duration (its behaviour's `durationMs`): 0.1 → ten times faster. */
  commandScale: number;
  /** How long a deleted Namespace stays Terminating at least while its content is removed. */
  namespaceDeletionMs: number;
  /** How long a Velero Backup or Restore takes from InProgress to its final phase. */
  veleroRunMs: number;
}

export function resolveTiming(partial: Partial<Timing> | undefined): Timing {
  const podStartMs = partial?.podStartMs ?? 300;
  const podReadyMs = Math.max(podStartMs, partial?.podReadyMs ?? 500);
  return {
    podStartMs,
    podReadyMs,
    tickMs: partial?.tickMs ?? 50,
    podStopMs: partial?.podStopMs ?? podStartMs,
    restartBackoffMs: partial?.restartBackoffMs ?? podReadyMs * 2,
    progressDeadlineScale: partial?.progressDeadlineScale ?? 0.01,
    commandScale: partial?.commandScale ?? 1,
    veleroRunMs: partial?.veleroRunMs ?? 3000,
    namespaceDeletionMs: partial?.namespaceDeletionMs ?? 1000,
  };
}
