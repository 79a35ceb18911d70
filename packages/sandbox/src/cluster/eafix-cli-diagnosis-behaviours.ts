/**
 * Default behaviours of the runbook's read-only diagnosis commands (Troubleshooting Guide) in the
 * simulated toolbox image: a healthy platform's answers, failing where the platform state says the
 * database is down, each with a trailing JSON line as its structured result. Tests register their own
 * (most recent wins) to make a check warn or fail.
 */
import type { CommandBehaviours, CommandInvocation, CommandResult } from './command-behaviours.ts';

const json = (value: unknown) => JSON.stringify(value);

const dbDown = (what: string): CommandResult => ({
  stderr: [`ERROR ${what}: could not connect to server: Connection timed out (eafix-postgres:5432)`],
  stdout: [json({ ok: false, database: 'unreachable' })],
  exitCode: 1,
  durationMs: 800,
});

const RULES: Array<[string[], (inv: CommandInvocation) => CommandResult]> = [
  [
    ['eafix-cli', 'database', 'performance'],
    (inv) =>
      inv.platform.databaseHealthy
        ? {
            stdout: [
              'connections 42/200',
              'slow queries (>1s, 15m): 0',
              json({ slowQueries: 0, p95Ms: 12, connections: 42 }),
            ],
            durationMs: 600,
          }
        : dbDown('database performance'),
  ],
  [
    ['eafix-cli', 'broker', 'status'],
    () => ({
      stdout: [
        'mt4_live connected (latency 18 ms)',
        json({ brokers: [{ name: 'mt4_live', connected: true, latencyMs: 18 }] }),
      ],
      durationMs: 400,
    }),
  ],
  [
    ['eafix-cli', 'risk', 'status'],
    (inv) => ({
      stdout: [
        'risk manager healthy, limits 38% used',
        json({ healthy: true, limitsUsedPercent: 38, blocking: false }),
      ],
      exitCode: inv.platform.databaseHealthy ? 0 : 1,
      durationMs: 300,
    }),
  ],
  [
    ['eafix-cli', 'orders', 'list'],
    () => ({ stdout: ['no failed orders', json({ orders: [], count: 0 })], durationMs: 400 }),
  ],
  [
    ['eafix-cli', 'account', 'balance'],
    () => ({
      stdout: [
        'mt4_live: 1,250,000.00 USD (margin level 912%)',
        json({ accounts: [{ name: 'mt4_live', marginLevelPercent: 912 }] }),
      ],
      durationMs: 300,
    }),
  ],
  [
    ['eafix-cli', 'data-feed', 'status'],
    () => ({
      stdout: [
        'primary connected, backup standby',
        json({
          providers: [
            { name: 'primary', connected: true },
            { name: 'backup', connected: true },
          ],
        }),
      ],
      durationMs: 300,
    }),
  ],
  [
    ['eafix-cli', 'data', 'latest'],
    (inv) => {
      const symbol = inv.argv.find((w) => w.startsWith('--symbol='))?.slice('--symbol='.length) ?? 'EURUSD';
      return { stdout: [`${symbol} 1.08421 (0.4 s ago)`, json({ symbol, ageSeconds: 0.4 })], durationMs: 200 };
    },
  ],
  [
    ['eafix-cli', 'data-feed', 'test'],
    () => ({ stdout: ['primary ok (21 ms)', 'backup ok (35 ms)', json({ ok: true, failed: [] })], durationMs: 700 }),
  ],
];

/** The runbook's resolutions for the same issues: they succeed on a healthy platform. */
const REMEDIES: Array<[string[], (inv: CommandInvocation) => CommandResult]> = [
  [
    ['eafix-cli', 'cache', 'clear'],
    (inv) => ({
      stdout: [
        `cleared keys matching ${inv.argv.find((w) => w.startsWith('--pattern='))?.slice(10) ?? '*'}`,
        json({ ok: true, cleared: 128 }),
      ],
    }),
  ],
  [
    ['eafix-cli', 'database', 'optimize'],
    (inv) =>
      inv.platform.databaseHealthy
        ? { stdout: ['ANALYZE done on 42 tables', json({ ok: true, tables: 42 })], durationMs: 1500 }
        : dbDown('database optimize'),
  ],
  [['eafix-cli', 'broker', 'reconnect'], () => ({ stdout: ['reconnected', json({ ok: true, connected: true })] })],
  [
    ['eafix-cli', 'risk', 'limits', 'reset'],
    () => ({ stdout: ['risk limits reset', json({ ok: true, limitsUsedPercent: 0 })] }),
  ],
  [['eafix-cli', 'orders', 'cleanup'], () => ({ stdout: ['0 stuck orders cleared', json({ ok: true, cleared: 0 })] })],
  [['eafix-cli', 'data-feed', 'restart'], () => ({ stdout: ['feed connections restarted', json({ ok: true })] })],
  [
    ['eafix-cli', 'data-feed', 'switch'],
    (inv) => ({
      stdout: [
        'switched',
        json({ ok: true, active: inv.argv.find((w) => w.startsWith('--to='))?.slice(5) ?? 'backup' }),
      ],
    }),
  ],
];

/** Registers the diagnosis commands' defaults (before any test's own registrations). */
export function registerDiagnosisDefaults(behaviours: CommandBehaviours): void {
  for (const [argv, behaviour] of [...RULES, ...REMEDIES]) behaviours.register({ argv, behaviour });
}
