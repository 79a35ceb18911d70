/**
 * Incident timers in a real Redis: a re-schedule brings a timer forward when it is due later than asked (it was
 * worked out before the clock it derives from moved on, e.g. during a Redis outage), and never pushes one back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AppError } from '../../src/app-error.ts';
import { IncidentTimerQueue, IncidentTimerWorker, timerJobId } from '../../src/jobs/incident-timers.ts';
import { createLogger } from '../../src/logger.ts';
import type { TimerJob } from '../../src/handlers/incidents/incident-types.ts';
import { isolate, type Isolation } from '../support/isolation.ts';
import { eventually } from '../support/eventually.ts';

let isolation: Isolation;
let redis: Redis;
let timers: IncidentTimerQueue;
const MINUTE = 60_000;

beforeAll(() => {
  isolation = isolate('incident_timers');
  redis = new Redis(isolation.redisUrl, { maxRetriesPerRequest: null });
  timers = new IncidentTimerQueue({
    connection: redis,
    prefix: isolation.redisPrefix,
    logger: createLogger({ level: 'silent' }),
  });
});
afterAll(async () => {
  await timers.close();
  redis.disconnect();
  await isolation.cleanup();
});

const stateOf = async (job: TimerJob) => (await (await timers.queue.open()).getJob(timerJobId(job)))?.getState();

describe('IncidentTimerQueue.schedule', () => {
  it('brings forward a timer due later than a re-schedule asks, and never pushes one back', async () => {
    const level2: TimerJob = { incidentId: 'INC-20261130-009', kind: 'escalate', n: 2 };
    // Worked out while the incident was 0 minutes old: due in 15 minutes.
    await timers.schedule(level2, 15 * MINUTE);
    expect(await stateOf(level2)).toBe('delayed');
    // Asked again once it is overdue (the reconciler's rebuild, after Redis came back): due now.
    await timers.schedule(level2, 0);
    expect(await stateOf(level2)).toBe('waiting');
    // A later ask for a later time does not move it back.
    await timers.schedule(level2, 30 * MINUTE);
    expect(await stateOf(level2)).toBe('waiting');

    const level3: TimerJob = { incidentId: 'INC-20261130-009', kind: 'escalate', n: 3 };
    await timers.schedule(level3, 10 * MINUTE);
    await timers.schedule(level3, 20 * MINUTE);
    const job = await (await timers.queue.open()).getJob(timerJobId(level3));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.delay).toBe(10 * MINUTE);
  });

  it('runs a timer again, with fresh attempts, when asked for it after every attempt failed; not one refused for good', async () => {
    // One try per timer, so "every attempt failed" takes one run, not 15 s of back-off.
    const once = new IncidentTimerQueue({
      connection: redis,
      prefix: isolation.redisPrefix,
      logger: createLogger({ level: 'silent' }),
      attempts: 1,
    });
    const page: TimerJob = { incidentId: 'INC-20261130-010', kind: 'escalate', n: 2 };
    const refused: TimerJob = { incidentId: 'INC-20261130-011', kind: 'escalate', n: 2 };
    const runs: string[] = [];
    const worker = new IncidentTimerWorker({
      connection: redis,
      prefix: isolation.redisPrefix,
      logger: createLogger({ level: 'silent' }),
      handle: async (job) => {
        runs.push(job.incidentId);
        // PostgreSQL is down for the page's first run; the other is refused, which retries would not change.
        if (job.incidentId === refused.incidentId) throw new AppError('pagerduty_refused', 'refused');
        if (job.incidentId === page.incidentId && runs.filter((id) => id === page.incidentId).length === 1)
          throw new AppError('database_unavailable', 'PostgreSQL is down', { kind: 'upstream' });
      },
    });
    await once.schedule(page, 0);
    await timers.schedule(refused, 0);
    await worker.start();
    try {
      await eventually(
        async () => (await stateOf(page)) === 'failed' && (await stateOf(refused)) === 'failed',
        'both timers failed',
      );
      // The reconciler's rebuild asks for both again: the incident still has not paged anyone.
      await timers.schedule(page, 0);
      await timers.schedule(refused, 0);
      await eventually(async () => (await stateOf(page)) === 'completed', 'the page ran again');
      expect(runs.filter((id) => id === page.incidentId)).toHaveLength(2);
      const job = await (await timers.queue.open()).getJob(timerJobId(page));
      expect(job?.attemptsMade).toBe(1);
      expect(await stateOf(refused)).toBe('failed');
      expect(runs.filter((id) => id === refused.incidentId)).toHaveLength(1);
    } finally {
      await worker.close();
      await once.close();
    }
  });
});
