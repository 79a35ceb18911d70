import { describe, expect, it } from 'vitest';
import { digestsSchema } from '../../src/config/monitoring-policy.ts';
import { missedTicks, type TickLog } from '../../src/jobs/digest-catch-up.ts';

const now = new Date('2026-11-30T08:20:00.000Z');
const daily = (overrides: Record<string, unknown> = {}) =>
  digestsSchema.parse([{ name: 'daily', cron: '0 8 * * *', timezone: 'UTC', channel: 'eafix-ops', ...overrides }]);
const logOf = (handled: string[]): TickLog => ({
  handled: async (_digest, keys) => new Set(keys.filter((k) => handled.includes(k))),
});
const yesterday = '2026-11-29T08:00:00.000Z';
const today = '2026-11-30T08:00:00.000Z';

describe('missed digest ticks', () => {
  it('finds the latest tick nobody claimed when the one before it was handled', async () => {
    expect(await missedTicks(daily(), logOf([yesterday]), now)).toEqual([{ digest: 'daily', due: new Date(today) }]);
  });

  it('leaves a tick that was claimed or posted alone', async () => {
    expect(await missedTicks(daily(), logOf([yesterday, today]), now)).toEqual([]);
  });

  it('does not post a tick from before a digest was scheduled at all (no earlier tick handled)', async () => {
    expect(await missedTicks(daily(), logOf([]), now)).toEqual([]);
  });

  it('gives BullMQ its grace before calling a tick missed, and lets stale news go', async () => {
    expect(await missedTicks(daily(), logOf([yesterday]), new Date('2026-11-30T08:01:00.000Z'))).toEqual([]);
    expect(await missedTicks(daily(), logOf([yesterday]), new Date('2026-11-30T09:30:00.000Z'))).toEqual([]);
  });

  it('reads the cron in the digest time zone and skips disabled digests', async () => {
    const newYork = digestsSchema.parse([
      { name: 'ny', cron: '0 3 * * *', timezone: 'America/New_York', channel: 'eafix-ops' },
    ]);
    // 03:00 in New York is 08:00 UTC in winter.
    expect(await missedTicks(newYork, logOf([yesterday]), now)).toEqual([{ digest: 'ny', due: new Date(today) }]);
    expect(await missedTicks(daily({ enabled: false }), logOf([yesterday]), now)).toEqual([]);
  });
});
