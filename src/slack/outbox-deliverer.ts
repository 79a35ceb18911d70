import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { newPostRow } from './slack-outbox.ts';
import type { OutboxLease, OutboxMessageInput, OutboxRow, PostClaims, SlackOutbox } from './slack-outbox.ts';
import { OutboxSlackCalls, operationOf, type Operation, type PostAttempt } from './outbox-slack-calls.ts';
import { backoffMs, slackFailure } from './slack-errors.ts';
import { SLACK_PACE, SlackPacer } from './slack-pacer.ts';
import type { PaceLimit } from './slack-pacer.ts';
import type { SlackPoster } from './slack-poster.ts';

export { OUTBOX_EVENT_TYPE } from './outbox-slack-calls.ts';

export interface OutboxDelivererOptions {
  outbox: SlackOutbox;
  slack: SlackPoster;
  logger: Logger;
  /** Called once a message has its `ts` and channel id (the run store records its status message's), before the row shows delivered. */
  onPosted?: (posted: { key: string; channel: string; ts: string }) => Promise<void>;
  pace?: Partial<typeof SLACK_PACE>;
  /** Calls in flight at once, over all channels. */
  maxInFlight?: number;
  /** Safety net under NOTIFY: how often pending rows are looked at anyway. */
  pollMs?: number;
  /** How often a standby process tries to take over delivery. */
  electionMs?: number;
  maxBackoffMs?: number;
  /**
   * How long an upload in flight keeps its row from every other deliverer (default 2 min): longer than an
   * attempt can take (the look-up for an earlier attempt's file, up to 5 history pages, and three calls, each
   * bounded by the client's timeout or the poster's upload timeout), so a process taking over delivery
   * meanwhile waits for its outcome instead of uploading the file again.
   */
  uploadHoldMs?: number;
  /**
   * How long an upload whose file was reserved waits after a failed attempt before it looks for that file
   * (default 30 s): Slack may finish a call whose answer was lost, and shares a completed file asynchronously.
   */
  uploadSettleMs?: number;
  /** Least time between two edits of one message: a run's quick steps become one edit, not five. */
  minEditIntervalMs?: number;
  /** Edit spacing is measured on it; the system clock by default. */
  clock?: Clock;
  /** How long a claimed post waits for its commit's notification before the loop takes it as any row (5 s). */
  claimMs?: number;
}

/** A post claimed at its write (PostClaims), posted once its transaction confirmed it and is heard committed. */
interface Claim {
  row: OutboxRow;
  bucket: string;
  /** The transaction that wrote it marked attempted (the store's answer). */
  txid?: string;
  /** Transactions heard committing a write of its key before the store answered (an autocommit write's NOTIFY may come first). */
  heard: Set<string>;
  /** Ends the placeholder that keeps the loop off the row. */
  done: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Delivers the Slack outbox. One process at a time delivers (a PostgreSQL advisory lock elects it; a
 * standby takes over when its session ends), so one set of buckets paces every call: posts FIFO per
 * channel at Slack's ~1/s, edits at Tier 3, Retry-After honoured however long. Slack's and the network's
 * trouble is retried with backoff until the row expires; refusals fail the row. A post whose answer
 * was lost is looked up by its metadata before it is posted again.
 */
export class OutboxDeliverer implements PostClaims {
  private readonly pacer = new SlackPacer();
  private readonly pace: typeof SLACK_PACE;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** When each message was last posted or edited (leader only), to space out its edits. */
  private readonly lastWrite = new Map<string, number>();
  private readonly stopping = new AbortController();
  private wake: () => void = () => undefined;
  /** Channels where a delivery failed on Slack's or the network's side since their last success. */
  private readonly troubled = new Set<string>();
  private running: Promise<void> | undefined;
  private readonly calls: OutboxSlackCalls;
  private readonly uploadSettleMs: number;
  /** Holds the lease: only then are posts claimed. */
  private leading = false;
  private readonly claims = new Map<string, Claim>();

  constructor(private readonly options: OutboxDelivererOptions) {
    this.pace = { ...SLACK_PACE, ...options.pace };
    this.calls = new OutboxSlackCalls(options);
    this.uploadSettleMs = options.uploadSettleMs ?? 30_000;
  }

  start(): void {
    this.running ??= this.elect();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake();
    await this.running;
    await Promise.allSettled([...this.inFlight.values()]);
    await this.options.outbox.standDown();
  }

  private now(): number {
    return (this.options.clock ?? systemClock).now().getTime();
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async elect(): Promise<void> {
    const { logger } = this.options;
    while (!this.stopped) {
      let lease: OutboxLease | undefined;
      try {
        lease = await this.options.outbox.tryLead();
      } catch (err) {
        logger.warn({ err }, 'slack outbox: could not reach PostgreSQL to elect a deliverer');
      }
      if (lease) {
        logger.debug('slack outbox: delivering');
        try {
          await this.lead(lease);
        } catch (err) {
          logger.warn({ err }, 'slack outbox: delivery loop failed; electing again');
        } finally {
          // Still the one deliverer until what it started ends: a successor must not repeat a call in flight.
          await Promise.allSettled([...this.inFlight.values()]);
          await lease.release();
        }
      }
      await sleep(this.options.electionMs ?? 1_000, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }

  private async lead(lease: OutboxLease): Promise<void> {
    let lost = false;
    void lease.lost.then(() => {
      lost = true;
      this.wake();
    });
    lease.onNotify((key, txid) => {
      this.committed(key, txid);
      this.wake();
    });
    this.leading = true;
    try {
      while (!this.stopped && !lost) {
        const woken = new Promise<void>((resolve) => (this.wake = resolve));
        const waitMs = await this.dispatch();
        await Promise.race([woken, sleep(waitMs, undefined, { ref: false })]);
      }
    } finally {
      // Whatever was claimed and not yet committed goes to whoever leads next, as any row.
      this.leading = false;
      for (const key of [...this.claims.keys()]) this.release(key);
    }
  }

  /**
   * A new post this leader will make the moment its write commits (PostClaims): it must have room in
   * flight and its channel's budget now; the store then checks no earlier post of the channel is pending.
   */
  claim(message: OutboxMessageInput): boolean {
    if (!this.leading || this.stopped || this.inFlight.has(message.key)) return false;
    if (this.inFlight.size >= (this.options.maxInFlight ?? 8) || this.troubled.has(message.channel)) return false;
    const bucket = `chat.postMessage:${message.channel}`;
    if (this.pacer.reserve(bucket, this.pace.post) > 0) return false;
    let done!: () => void;
    this.inFlight.set(message.key, new Promise<void>((resolve) => (done = resolve)));
    const timer = setTimeout(() => this.release(message.key), this.options.claimMs ?? 5_000);
    timer.unref();
    const row = newPostRow(message, new Date(this.now()));
    this.claims.set(message.key, { row, bucket, done, timer, heard: new Set() });
    return true;
  }

  confirm(key: string, txid: string): void {
    const claim = this.claims.get(key);
    if (!claim) return;
    claim.txid = txid;
    if (claim.heard.has(txid)) this.post(key, claim);
  }

  /** Not claimed after all (or never heard of): the loop delivers the row, if it exists, as any other. */
  release(key: string): void {
    const claim = this.claims.get(key);
    if (!claim) return;
    this.claims.delete(key);
    clearTimeout(claim.timer);
    this.pacer.refund(claim.bucket, this.pace.post);
    this.inFlight.delete(key);
    claim.done();
    this.wake();
  }

  /**
   * A write of `key` committed in `txid`: the claim's own is posted now. Another transaction's, after the
   * claim's write was answered, means the claim's transaction ended without committing (a write of the same
   * key would have waited for it): the row, if any, is the loop's.
   */
  private committed(key: string, txid: string): void {
    const claim = this.claims.get(key);
    if (!claim) return;
    if (claim.txid === undefined) claim.heard.add(txid);
    else if (claim.txid === txid) this.post(key, claim);
    else this.release(key);
  }

  /** Posts a claimed row: written marked attempted, committed, and never read back. */
  private post(key: string, claim: Claim): void {
    this.claims.delete(key);
    clearTimeout(claim.timer);
    const delivery = this.deliver(claim.row, 'post', claim.bucket, this.pace.post, true).finally(() => {
      this.inFlight.delete(key);
      this.lastWrite.set(key, this.now());
      this.wake();
    });
    this.inFlight.set(key, delivery);
    claim.done();
  }

  /** Starts every delivery that may go now; returns how long until something else may. */
  private async dispatch(): Promise<number> {
    const rows = await this.options.outbox.pending(500);
    const forgetBefore = this.now() - 60_000;
    for (const [key, at] of this.lastWrite) if (at < forgetBefore) this.lastWrite.delete(key);
    let waitMs = this.options.pollMs ?? 1_000;
    // Posts and uploads keep their order per channel: a later one waits while an earlier one is undelivered.
    const heldChannels = new Set<string>();
    for (const row of rows) {
      const operation = operationOf(row);
      const ordered = operation !== 'update';
      if (ordered && heldChannels.has(row.channel)) continue;
      if (ordered) heldChannels.add(row.channel);
      if (this.inFlight.has(row.key)) continue;
      if (row.expired) {
        await this.options.outbox.markGivenUp(row.key, 'expired', row.lastError ?? 'no longer meaningful');
        this.options.logger.warn(
          { key: row.key, lastError: row.lastError },
          'slack outbox: message expired undelivered',
        );
        continue;
      }
      if (row.dueInMs > 0) {
        waitMs = Math.min(waitMs, row.dueInMs);
        continue;
      }
      if (this.inFlight.size >= (this.options.maxInFlight ?? 8)) break;
      if (operation === 'update') {
        const spacing = (this.lastWrite.get(row.key) ?? 0) + (this.options.minEditIntervalMs ?? 2_000) - this.now();
        if (spacing > 0) {
          waitMs = Math.min(waitMs, spacing);
          continue;
        }
      }
      const [bucket, limit] = this.bucketOf(operation, row);
      const paceMs = this.pacer.reserve(bucket, limit);
      if (paceMs > 0) {
        waitMs = Math.min(waitMs, paceMs);
        continue;
      }
      const delivery = this.deliver(row, operation, bucket, limit).finally(() => {
        this.inFlight.delete(row.key);
        this.lastWrite.set(row.key, this.now());
        this.wake();
      });
      this.inFlight.set(row.key, delivery);
    }
    return Math.max(5, waitMs);
  }

  private bucketOf(operation: Operation, row: OutboxRow): [string, PaceLimit] {
    if (operation === 'post') return [`chat.postMessage:${row.channel}`, this.pace.post];
    if (operation === 'update') return ['chat.update', this.pace.update];
    return ['uploads', this.pace.upload];
  }

  private async deliver(
    row: OutboxRow,
    operation: Operation,
    bucket: string,
    limit: PaceLimit,
    markedAtWrite = false,
  ): Promise<void> {
    const { outbox, logger } = this.options;
    const attempt: PostAttempt = { posting: false, markedAtWrite };
    try {
      await this.calls.deliver(row, operation, attempt);
      await this.recovered(row.channel);
    } catch (error) {
      const failure = slackFailure(error);
      const reason = error instanceof Error ? error.message : String(error);
      try {
        if (failure.retry === 'never') {
          logger.warn({ err: error, key: row.key, channel: row.channel }, 'slack outbox: Slack refused the message');
          await outbox.markGivenUp(row.key, 'failed', reason);
        } else if (failure.retry === 'after') {
          this.pacer.block(bucket, limit, failure.delayMs);
          await outbox.markRetry(row.key, failure.delayMs, reason, 'retry-after', attempt.posting);
        } else if (attempt.uploading) {
          // Its file may yet be shared: waited out in full (as a Retry-After, which Slack answering again in
          // the channel does not cut short) before the next attempt looks for it.
          const delay = Math.max(backoffMs(row.attempts, this.options.maxBackoffMs ?? 30_000), this.uploadSettleMs);
          logger.info({ key: row.key, delayMs: delay, reason }, 'slack outbox: upload outcome unknown; looking later');
          await outbox.markRetry(row.key, delay, reason, 'retry-after');
        } else {
          const delay = backoffMs(row.attempts, this.options.maxBackoffMs ?? 30_000);
          logger.info(
            { key: row.key, attempts: row.attempts + 1, delayMs: delay, reason },
            'slack outbox: delivery failed; retrying',
          );
          await outbox.markRetry(row.key, delay, reason, 'backoff');
          this.troubled.add(row.channel);
        }
      } catch (err) {
        logger.warn({ err, key: row.key }, 'slack outbox: could not record a failed delivery');
      }
    }
  }

  /** After trouble, the first success in a channel means Slack answers again: what backs off there goes now, not in 30 s. */
  private async recovered(channel: string): Promise<void> {
    if (!this.troubled.delete(channel)) return;
    const woken = await this.options.outbox.retryBackedOff(channel);
    if (woken > 0)
      this.options.logger.info({ woken, channel }, 'slack outbox: Slack answers again; retrying what was backing off');
  }
}
