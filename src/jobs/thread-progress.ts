import type { Logger } from '../logger.ts';
import type { OutboxTransaction, OutboxWriter } from '../slack/slack-outbox.ts';
import type { RunStore } from './run-store.ts';
import { milestoneText, renderRunStatus } from './progress-message.ts';
import type { RunEvent, RunObserver } from './run-events.ts';
import type { RunRecord, RunWithSteps } from './run-record.ts';

/** Where progress goes: the durable Slack outbox. */
export type ProgressOutbox = Pick<OutboxWriter, 'putMessage'>;

export interface ThreadProgressOptions {
  store: Pick<RunStore, 'getRun'>;
  outbox: ProgressOutbox;
  logger: Logger;
  /** The store writes the status message with the run (statusInTransaction): `queued` needs no render. */
  statusWrittenWithRun?: boolean;
}

/** The outbox key of a run's status message (the deliverer records its ts on the run). */
export const runStatusKey = (runId: string): string => `run:${runId}:status`;

/** The outbox key of the "started by" message a run without an approval thread hangs under. */
export const runStartKey = (requestId: string): string => `run-start:${requestId}`;

export function runIdOfStatusKey(key: string): string | undefined {
  return /^run:(.+):status$/.exec(key)?.[1];
}

/** One key per milestone, so an event seen twice (a retried job) replies once. */
function milestoneKey(event: RunEvent, run: RunWithSteps): string | undefined {
  switch (event.type) {
    case 'resumed':
      return `run:${run.id}:resumed:${run.resumedCount}`;
    case 'step-failed':
      return event.willRetry ? undefined : `run:${run.id}:step-failed:${event.stepIndex}`;
    case 'run-finished':
      return `run:${run.id}:finished`;
    default:
      return undefined;
  }
}

/**
 * The run's final reply, written in the transaction that ends the run (PgRunStore's OnRunFinished): a
 * crash right after the commit cannot lose it. The run-finished event writes the same row again (no-op).
 */
export function finalReplyInTransaction(outbox: ProgressOutbox) {
  return async (client: OutboxTransaction, run: RunRecord): Promise<void> => {
    if (!run.thread || run.status === 'queued' || run.status === 'running' || run.status === 'paused') return;
    const event: RunEvent = {
      type: 'run-finished',
      runId: run.id,
      status: run.status,
      summary: run.summary,
      error: run.error,
    };
    const text = milestoneText(event, { ...run, steps: [] });
    const { channel, ts } = run.thread;
    const thread = ts ? { threadTs: ts } : { threadKey: runStartKey(run.requestId) };
    if (text) await outbox.putMessage({ key: `run:${run.id}:finished`, channel, ...thread, text }, client);
  };
}

/**
 * The run's status message, written in the transaction that creates the run (PgRunStore's OnRunCreated):
 * it reaches the outbox without a read-back on the approval click's path, and no run exists without it.
 */
export function statusInTransaction(outbox: ProgressOutbox) {
  return async (client: OutboxTransaction, run: RunWithSteps): Promise<void> => {
    if (!run.thread) return;
    const { channel, ts } = run.thread;
    const thread = ts ? { threadTs: ts } : { threadKey: runStartKey(run.requestId) };
    await outbox.putMessage({ key: runStatusKey(run.id), channel, ...thread, ...renderRunStatus(run) }, client);
  };
}

/** Events that only move the status message along: rendered behind the run, never holding up its next step. */
const passing = (event: RunEvent): boolean =>
  event.type === 'step-started' || event.type === 'step-finished' || (event.type === 'step-failed' && event.willRetry);

/**
 * Progress of a run in its Slack thread: ONE status message, rendered from the store on every event and
 * written to the outbox under the run's key (the deliverer posts it once and then edits it, coalescing
 * to the latest state), plus replies for milestones (a failed step, a resumption, the end). Slack being
 * slow or down delays the report; it never holds up or fails the run.
 *
 * A step starting or finishing is rendered in the background, one render at a time per run, coalesced
 * (the engine awaits observers, and four database round trips per step would sit on the run's critical
 * path). Losing such a render to a crash loses nothing: the status is rendered from the store, and the
 * resumption, the failure and the end are rendered and awaited, after any render still under way, so
 * the last write is the newest state.
 */
export class ThreadProgress implements RunObserver {
  /** Per run, the background render under way and whether another event arrived since it read the store. */
  private readonly rendering = new Map<string, { done: Promise<void>; again: boolean }>();

  constructor(private readonly options: ThreadProgressOptions) {}

  async onEvent(event: RunEvent): Promise<void> {
    if (event.type === 'queued' && this.options.statusWrittenWithRun) return;
    if (passing(event)) {
      this.renderBehind(event);
      return;
    }
    await this.rendering.get(event.runId)?.done;
    await this.render(event);
  }

  /** Whatever is still being rendered for the run (tests, shutdown). */
  async settled(runId: string): Promise<void> {
    await this.rendering.get(runId)?.done;
  }

  private renderBehind(event: RunEvent): void {
    const under = this.rendering.get(event.runId);
    if (under) {
      under.again = true;
      return;
    }
    const entry = { done: Promise.resolve(), again: true };
    entry.done = (async () => {
      while (entry.again) {
        entry.again = false;
        try {
          await this.render(event);
        } catch (err) {
          this.options.logger.warn(
            { err, runId: event.runId },
            'run status message not rendered; the next event renders it',
          );
        }
      }
      this.rendering.delete(event.runId);
    })();
    this.rendering.set(event.runId, entry);
  }

  private async render(event: RunEvent): Promise<void> {
    const run = await this.options.store.getRun(event.runId);
    if (!run?.thread) return;
    const { channel, ts } = run.thread;
    // No thread ts yet: the run hangs under its "started by" message, still in the outbox.
    const thread = ts ? { threadTs: ts } : { threadKey: runStartKey(run.requestId) };
    await this.options.outbox.putMessage({ key: runStatusKey(run.id), channel, ...thread, ...renderRunStatus(run) });
    const key = milestoneKey(event, run);
    const text = key ? milestoneText(event, run) : undefined;
    if (key && text) await this.options.outbox.putMessage({ key, channel, ...thread, text });
  }
}
