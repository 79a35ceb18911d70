import { CronExpressionParser } from 'cron-parser';
import type { DigestSpec } from '../config/monitoring-policy.ts';
import type { Logger } from '../logger.ts';

/** A scheduled tick BullMQ should have run by now, had its job not been lost with Redis. */
const GRACE_MS = 2 * 60_000;
/** A digest older than this is news no longer: a missed tick is logged, not posted. */
const STALE_MS = 60 * 60_000;

export interface MissedTick {
  digest: string;
  due: Date;
}

/** Which of a digest's ticks were claimed or posted (PgDigestPosts). */
export interface TickLog {
  handled(digest: string, tickKeys: string[]): Promise<Set<string>>;
}

export interface CatchUpQueue {
  catchUp(tick: MissedTick): Promise<void>;
}

/**
 * The ticks a lost Redis (or a scheduler re-created after one) skipped: a digest's latest due tick,
 * past the grace BullMQ gets and not yet stale, that nobody claimed while the tick before it was
 * handled. Requiring the earlier tick keeps a digest just added to the policy from posting a tick
 * that was never scheduled, and bounds catch-up to one post per digest.
 */
export async function missedTicks(digests: readonly DigestSpec[], log: TickLog, now: Date): Promise<MissedTick[]> {
  const missed: MissedTick[] = [];
  for (const digest of digests.filter((d) => d.enabled)) {
    const ticks = CronExpressionParser.parse(digest.cron, {
      tz: digest.timezone,
      currentDate: new Date(now.getTime() - GRACE_MS),
    });
    const latest = ticks.prev().toDate();
    const before = ticks.prev().toDate();
    if (now.getTime() - latest.getTime() > STALE_MS) continue;
    const handled = await log.handled(digest.name, [latest.toISOString(), before.toISOString()]);
    if (!handled.has(latest.toISOString()) && handled.has(before.toISOString()))
      missed.push({ digest: digest.name, due: latest });
  }
  return missed;
}

/** The reconciler's pass: queues each missed tick once (the queue's job id and the tick's claim dedupe). */
export async function catchUpMissedTicks(options: {
  digests: readonly DigestSpec[];
  log: TickLog;
  queue: CatchUpQueue;
  logger: Logger;
  now?: Date;
}): Promise<MissedTick[]> {
  const missed = await missedTicks(options.digests, options.log, options.now ?? new Date());
  for (const tick of missed) {
    options.logger.warn(
      { digest: tick.digest, due: tick.due.toISOString() },
      'digest tick was missed; posting it late',
    );
    await options.queue.catchUp(tick);
  }
  return missed;
}
