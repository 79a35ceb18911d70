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

  it('runs a timer again, with fresh attempts, when asked for it after its job failed for good', async () => {
    const page: TimerJob = { incidentId: 'INC-20261130-010', kind: 'escalate', n: 2 };
    const runs: number[] = [];
    const worker = new IncidentTimerWorker({
      connection: redis,
      prefix: isolation.redisPrefix,
      logger: createLogger({ level: 'silent' }),
      handle: async (job) => {
        // The test above left its own timers in the queue.
        if (job.incidentId !== page.incidentId) return;
        runs.push(runs.length + 1);
        // The first run fails for good (a domain error is not retried); the second goes through.
        if (runs.length === 1) throw new AppError('incident_store_refused', 'refused');
      },
    });
    await timers.schedule(page, 0);
    await worker.start();
    try {
      await eventually(async () => (await stateOf(page)) === 'failed', 'the timer failed');
      // The reconciler's rebuild asks for it again: the incident still has not paged anyone.
      await timers.schedule(page, 0);
      await eventually(async () => (await stateOf(page)) === 'completed', 'the timer ran again');
      expect(runs).toEqual([1, 2]);
    } finally {
      await worker.close();
    }
  });
});
