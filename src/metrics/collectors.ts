import type { QueueHandle } from '../jobs/queue-handles.ts';
import type { Logger } from '../logger.ts';
import type { Pool } from '../store/database.ts';
import type { PgOpsGauges } from '../store/pg-ops-gauges.ts';
import { withTimeout } from '../redis/redis-connection.ts';
import type { BotMetrics } from './bot-metrics.ts';

/** Job states shown per queue (BullMQ's getJobCounts names). */
export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'prioritized',
  'waiting-children',
  'completed',
] as const;

/** A scrape must answer even when PostgreSQL or Redis does not: each source gets this long. */
const SOURCE_TIMEOUT_MS = 2_000;

export interface CollectorSources {
  pool: Pool;
  gauges: PgOpsGauges;
  queues: readonly QueueHandle[];
  logger: Logger;
}

/**
 * Reads the gauges that describe shared state (runs, outbox, queues) and this process's pool, just
 * before a scrape. A source that fails is reported by `collector_up 0` and its series are left out.
 */
export async function collectGauges(metrics: BotMetrics, sources: CollectorSources): Promise<void> {
  const { pool } = sources;
  metrics.dbPoolConnections.set({ state: 'total' }, pool.totalCount);
  metrics.dbPoolConnections.set({ state: 'idle' }, pool.idleCount);
  metrics.dbPoolConnections.set({ state: 'waiting' }, pool.waitingCount);
  await Promise.all([
    source(
      metrics,
      sources.logger,
      'postgres',
      async () => {
        const [runs, outbox] = await Promise.all([sources.gauges.activeRuns(), sources.gauges.outboxBacklog()]);
        metrics.runsActive.reset();
        metrics.runOldestActiveSeconds.reset();
        for (const r of runs) {
          metrics.runsActive.set({ kind: r.kind, status: r.status }, r.count);
          metrics.runOldestActiveSeconds.set({ kind: r.kind, status: r.status }, r.oldestSeconds);
        }
        metrics.outboxPending.set(outbox.pending);
        metrics.outboxOldestPendingSeconds.set(outbox.oldestSeconds);
      },
      () => {
        metrics.runsActive.reset();
        metrics.runOldestActiveSeconds.reset();
        metrics.outboxPending.reset();
        metrics.outboxOldestPendingSeconds.reset();
      },
    ),
    source(
      metrics,
      sources.logger,
      'queues',
      async () => {
        const counts = await Promise.all(
          sources.queues.map(async (q) => [q.name, await (await q.open()).getJobCounts(...QUEUE_STATES)] as const),
        );
        metrics.queueJobs.reset();
        for (const [queue, byState] of counts) {
          for (const state of QUEUE_STATES) metrics.queueJobs.set({ queue, state }, byState[state] ?? 0);
        }
      },
      () => metrics.queueJobs.reset(),
    ),
  ]);
}

async function source(
  metrics: BotMetrics,
  logger: Logger,
  name: string,
  read: () => Promise<void>,
  clear: () => void,
): Promise<void> {
  try {
    await withTimeout(read(), SOURCE_TIMEOUT_MS, `metrics: ${name}`);
    metrics.collectorUp.set({ collector: name }, 1);
  } catch (err) {
    logger.debug({ err, collector: name }, 'metrics source unavailable');
    clear();
    metrics.collectorUp.set({ collector: name }, 0);
  }
}
