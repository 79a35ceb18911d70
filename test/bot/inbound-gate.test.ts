import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { AuditEntry, AuditLog } from '../../src/audit/audit-log.ts';
import { InboundGate, SIGNATURE_REFUSALS_PER_MINUTE } from '../../src/bot/inbound-gate.ts';
import type { ReplayGuard } from '../../src/bot/replay-guard.ts';
import { createLogger } from '../../src/logger.ts';

describe('the inbound gate', () => {
  it('audits a flood sampled, each minute, with a row counting those left out when the minute ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    const rows: AuditEntry[] = [];
    const audit = { record: async (entry: AuditEntry) => void rows.push(entry) } as unknown as AuditLog;
    let now = 1_000_000;
    const gate = new InboundGate(
      () => undefined,
      {} as ReplayGuard,
      audit,
      () => now,
    );
    const meta = { requestId: 'req', logger: createLogger({ level: 'silent' }), ip: '203.0.113.9' };

    for (let i = 0; i < 100; i++) await gate.refuseSignature('bad_signature', meta);
    expect(rows).toHaveLength(SIGNATURE_REFUSALS_PER_MINUTE);
    expect(rows.every((r) => r.arguments?.['count'] === 1)).toBe(true);

    // The minute's end writes one row for the requests left out, even if no request comes after.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(rows.at(-1)).toMatchObject({
      action: 'slack.signature-refused',
      outcome: 'rejected:sampled',
      arguments: { count: 100 - SIGNATURE_REFUSALS_PER_MINUTE },
    });
    now += 60_000;
    await gate.refuseSignature('stale_timestamp', meta);
    expect(rows.at(-1)).toMatchObject({ outcome: 'rejected:stale_timestamp', arguments: { count: 1 } });
    expect(rows).toHaveLength(SIGNATURE_REFUSALS_PER_MINUTE + 2);
  });

  it('refuses and audits a replayed command that claims to be a Slack retry (Slack retries only events)', async () => {
    const rows: AuditEntry[] = [];
    const audit = { record: async (entry: AuditEntry) => void rows.push(entry) } as unknown as AuditLog;
    const installation = () => ({ identity: { teamId: 'T0EAFIX', appId: 'A0EAFIX' }, allowedTeams: [] });
    const seenBefore = { check: async () => 'duplicate' } as unknown as ReplayGuard;
    const gate = new InboundGate(installation, seenBefore, audit);
    const command = {
      command: '/eafix',
      text: 'cache clear',
      user_id: 'U0MALLORY',
      channel_id: 'C0OPS',
      team_id: 'T0EAFIX',
      api_app_id: 'A0EAFIX',
      trigger_id: '1.2.abc',
      response_url: 'https://hooks.slack.com/commands/T0EAFIX/1/abc',
    };
    const meta = { requestId: 'req', logger: createLogger({ level: 'silent' }), retryNum: 1 };
    expect(await gate.admit(command, meta)).toMatchObject({ admit: false, status: 200 });
    expect(rows.map((r) => r.action)).toEqual(['slack.replay-refused']);
  });
});
