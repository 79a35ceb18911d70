import type { RunEvent, RunObserver } from '../jobs/run-events.ts';
import type { BotMetrics } from './bot-metrics.ts';

/** Runs finished and step durations, from the run engine's events (worker role). */
export class RunMetricsObserver implements RunObserver {
  constructor(
    private readonly metrics: BotMetrics,
    /** The run's kind (rollback, scale, ...): events carry only its id. */
    private readonly kindOf: (runId: string) => Promise<string | undefined>,
  ) {}

  async onEvent(event: RunEvent): Promise<void> {
    if (event.type !== 'step-finished' && event.type !== 'run-finished') return;
    const kind = (await this.kindOf(event.runId)) ?? 'unknown';
    if (event.type === 'step-finished')
      this.metrics.stepSeconds.observe({ kind, step: event.stepId }, event.durationMs / 1000);
    else this.metrics.runs.inc({ kind, outcome: event.status });
  }
}
