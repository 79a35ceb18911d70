import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import { withTimeout } from '../redis/redis-connection.ts';
import { isSlackRateLimited } from '../slack/slack-poster.ts';
import type { SlackPoster } from '../slack/slack-poster.ts';
import type { PgRunStore } from './pg-run-store.ts';
import { milestoneText, renderRunStatus } from './progress-message.ts';
import type { RunEvent, RunObserver } from './run-events.ts';

export interface ThreadProgressOptions {
  store: Pick<PgRunStore, 'getRun' | 'setStatusMessage'>;
  slack: SlackPoster;
  logger: Logger;
  /** Least time between two edits of one status message (Slack: chat.update is tier 3). */
  minEditIntervalMs?: number;
  /** How long `run-finished` waits for the final state to land before letting the job complete. */
  flushTimeoutMs?: number;
  /** Tries for a call failing with something other than a 429, before it is given up. */
  maxFailures?: number;
  /** How long `queued` waits for the status message to be posted. */
  queuedWaitMs?: number;
}

interface RunSlot {
  /** The stored state changed since the status message was last rendered. */
  dirty: boolean;
  editing: Promise<void> | undefined;
  nextEditAt: number;
  replies: string[];
  replying: Promise<void> | undefined;
  nextReplyAt: number;
  touchedAt: number;
}

const IDLE_SLOT_MS = 15 * 60_000;

/**
 * Progress of a run in its Slack thread: ONE status message, created on the first event and edited as
 * steps progress, plus replies for milestones (a failed step, a resumption, the end). Edits are
 * coalesced: one chat.update in flight per run, at most one per `minEditIntervalMs`, each rendering
 * the latest stored state, so intermediate states may be skipped but the last one always lands.
 * A 429 postpones the next edit by Retry-After instead of replaying stale content.
 */
export class ThreadProgress implements RunObserver {
  private readonly slots = new Map<string, RunSlot>();
  private readonly minEditIntervalMs: number;
  private readonly flushTimeoutMs: number;
  private readonly maxFailures: number;
  private readonly queuedWaitMs: number;

  constructor(private readonly options: ThreadProgressOptions) {
    this.minEditIntervalMs = options.minEditIntervalMs ?? 1_000;
    this.flushTimeoutMs = options.flushTimeoutMs ?? 60_000;
    this.maxFailures = options.maxFailures ?? 5;
    this.queuedWaitMs = options.queuedWaitMs ?? 3_000;
  }

  async onEvent(event: RunEvent): Promise<void> {
    this.prune();
    const slot = this.slot(event.runId);
    slot.dirty = true;
    const editing = this.startEditing(event.runId, slot);
    const milestone = event.type === 'resumed' || event.type === 'run-finished' || (event.type === 'step-failed' && !event.willRetry);
    const run = milestone ? await this.options.store.getRun(event.runId) : undefined;
    const reply = run?.thread ? milestoneText(event, run) : undefined;
    if (reply) {
      slot.replies.push(reply);
      this.startReplying(event.runId, slot);
    }
    // The first render creates the status message; wait for it (briefly: the caller is answering a
    // person) so that it exists before the job does and the worker edits it instead of posting another.
    if (event.type === 'queued') await withTimeout(editing, this.queuedWaitMs, 'status message').catch(() => undefined);
    if (event.type === 'run-finished') {
      await this.flush(event.runId).catch((err: unknown) => this.options.logger.warn({ err, runId: event.runId }, 'final run state not delivered to Slack in time'));
      this.slots.delete(event.runId);
    }
  }

  /** Resolves once the latest state and every pending reply have been delivered. */
  async flush(runId: string): Promise<void> {
    const slot = this.slots.get(runId);
    if (!slot) return;
    const settled = async (): Promise<void> => {
      while (slot.editing || slot.replying) await Promise.all([slot.editing, slot.replying]);
    };
    await withTimeout(settled(), this.flushTimeoutMs, 'progress flush');
  }

  private slot(runId: string): RunSlot {
    let slot = this.slots.get(runId);
    if (!slot) {
      slot = { dirty: false, editing: undefined, nextEditAt: 0, replies: [], replying: undefined, nextReplyAt: 0, touchedAt: Date.now() };
      this.slots.set(runId, slot);
    }
    slot.touchedAt = Date.now();
    return slot;
  }

  private prune(): void {
    const cutoff = Date.now() - IDLE_SLOT_MS;
    for (const [runId, slot] of this.slots) {
      if (slot.touchedAt < cutoff && !slot.editing && !slot.replying) this.slots.delete(runId);
    }
  }

  private startEditing(runId: string, slot: RunSlot): Promise<void> {
    slot.editing ??= this.editLoop(runId, slot).finally(() => {
      slot.editing = undefined;
    });
    return slot.editing;
  }

  private async editLoop(runId: string, slot: RunSlot): Promise<void> {
    let failures = 0;
    while (slot.dirty) {
      const wait = slot.nextEditAt - Date.now();
      if (wait > 0) await delay(wait);
      slot.dirty = false;
      try {
        await this.render(runId);
        failures = 0;
        slot.nextEditAt = Date.now() + this.minEditIntervalMs;
      } catch (err) {
        if (isSlackRateLimited(err)) {
          slot.nextEditAt = Date.now() + err.retryAfterMs;
        } else if (++failures >= this.maxFailures) {
          this.options.logger.warn({ err, runId }, 'giving up on the status message edit');
          return;
        } else {
          slot.nextEditAt = Date.now() + this.minEditIntervalMs * 2 ** failures;
        }
        slot.dirty = true;
      }
    }
  }

  /** Renders the run as stored now: posts the status message the first time, edits it after. */
  private async render(runId: string): Promise<void> {
    const run = await this.options.store.getRun(runId);
    if (!run?.thread) return;
    const view = renderRunStatus(run);
    const { channel, ts: threadTs } = run.thread;
    if (run.statusMessageTs) {
      await this.options.slack.update({ channel, ts: run.statusMessageTs, ...view });
      return;
    }
    const posted = await this.options.slack.postMessage({ channel, thread_ts: threadTs, ...view });
    const saved = await this.options.store.setStatusMessage(runId, posted.ts);
    // Another process created one first: keep theirs, bring it up to date.
    if (saved !== posted.ts) await this.options.slack.update({ channel, ts: saved, ...view });
  }

  private startReplying(runId: string, slot: RunSlot): void {
    slot.replying ??= this.replyLoop(runId, slot).finally(() => {
      slot.replying = undefined;
    });
  }

  private async replyLoop(runId: string, slot: RunSlot): Promise<void> {
    let failures = 0;
    while (slot.replies.length > 0) {
      const wait = slot.nextReplyAt - Date.now();
      if (wait > 0) await delay(wait);
      const text = slot.replies[0] as string;
      try {
        const run = await this.options.store.getRun(runId);
        if (run?.thread) await this.options.slack.postMessage({ channel: run.thread.channel, thread_ts: run.thread.ts, text });
        slot.replies.shift();
        failures = 0;
      } catch (err) {
        if (isSlackRateLimited(err)) {
          slot.nextReplyAt = Date.now() + err.retryAfterMs;
        } else if (++failures >= this.maxFailures) {
          this.options.logger.warn({ err, runId }, 'giving up on a progress reply');
          slot.replies.shift();
          failures = 0;
        } else {
          slot.nextReplyAt = Date.now() + this.minEditIntervalMs * 2 ** failures;
        }
      }
    }
  }
}
