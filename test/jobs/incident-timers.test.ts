/**
 * Incident timers in a real Redis: a re-schedule brings a timer forward when it is due later than asked (it was
 * worked out before the clock it derives from moved on, e.g. during a Redis outage), and never pushes one back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { IncidentTimerQueue, timerJobId } from '../../src/jobs/incident-timers.ts';
import { createLogger } from '../../src/logger.ts';
import type { TimerJob } from '../../src/handlers/incidents/incident-types.ts';
import { isolate, type Isolation } from '../support/isolation.ts';

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
});
