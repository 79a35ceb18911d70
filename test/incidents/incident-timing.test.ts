import { describe, expect, it } from 'vitest';
import { incidentPolicySchema } from '../../src/config/incident-policy.ts';
import { escalationDelayMs, reminderIntervalMs } from '../../src/handlers/incidents/incident-timing.ts';

const policy = incidentPolicySchema.parse({});
const MINUTE = 60_000;

describe('incident timing, from the runbook', () => {
  it('reminds every incident at the update interval: "Next Update: In 30 minutes"', () => {
    expect(reminderIntervalMs(policy, { severity: 'critical' })).toBe(30 * MINUTE);
    expect(reminderIntervalMs(policy, { severity: 'low' })).toBe(30 * MINUTE);
  });

  it('escalates operational incidents at 15 and 30 minutes (Escalation Procedures)', () => {
    const ops = { type: 'ops', severity: 'low' } as const;
    expect([escalationDelayMs(policy, 2, ops), escalationDelayMs(policy, 3, ops)]).toEqual([15 * MINUTE, 30 * MINUTE]);
  });

  it('escalates security incidents at their severity’s response time, and twice it (Incident Classification)', () => {
    const at = (severity: 'critical' | 'high' | 'medium' | 'low') =>
      [2, 3].map((level) => escalationDelayMs(policy, level, { type: 'security', severity }) / MINUTE);
    expect(at('critical')).toEqual([15, 30]);
    expect(at('high')).toEqual([60, 120]);
    expect(at('medium')).toEqual([240, 480]);
    expect(at('low')).toEqual([1440, 2880]);
  });

  it('refuses a policy whose level 3 would come before level 2, saying both values', () => {
    const parsed = incidentPolicySchema.safeParse({ escalation: { level2After: '30m', level3After: '15m' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['escalation', 'level3After'],
      message: 'level3After (15 min) must not be shorter than level2After (30 min): level 3 follows level 2',
    });
    // Equal is fine (a policy written that way before still starts): level 2 goes out first, then 3.
    expect(incidentPolicySchema.safeParse({ escalation: { level2After: '15m', level3After: '15m' } }).success).toBe(
      true,
    );
  });
});
