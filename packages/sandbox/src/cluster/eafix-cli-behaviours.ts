/**
 * Default behaviours of the runbook's platform commands (`eafix-cli …`, `alembic upgrade head`) in
 * the simulated toolbox image: plausible output, success unless the platform state says otherwise,
 * the platform state changed where the command changes it, and a trailing JSON line as the command's
 * structured result (what the bot parses).
 */
import type { CommandBehaviours, CommandInvocation, CommandResult } from './command-behaviours.ts';
import type { PlatformState } from './platform-state.ts';
import { registerDiagnosisDefaults } from './eafix-cli-diagnosis-behaviours.ts';
import { CONFIG_CLI_RULES } from './config-cli-behaviours.ts';
import { registerMaintenanceDefaults } from './maintenance-cli-behaviours.ts';

/** `--key=value` and bare `--flag` (true) from an argv. */
function flags(argv: readonly string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (const word of argv) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(word);
    if (m?.[1]) out[m[1]] = m[2] ?? true;
  }
  return out;
}

const json = (value: unknown) => JSON.stringify(value);
const stateJson = (p: Readonly<PlatformState>) => ({
  trading: p.tradingEnabled ? 'enabled' : 'stopped',
  maintenance: p.maintenance,
  ...(p.maintenanceMessage ? { maintenanceMessage: p.maintenanceMessage } : {}),
  database: p.databaseHealthy ? 'healthy' : 'unreachable',
  site: p.site,
});

type Rule = [argv: string[], behaviour: (inv: CommandInvocation) => CommandResult];

function dbDown(what: string): CommandResult {
  return {
    stderr: [`ERROR ${what}: could not connect to server: Connection timed out (eafix-postgres:5432)`],
    stdout: [json({ ok: false, database: 'unreachable' })],
    exitCode: 1,
    durationMs: 800,
  };
}

/**
 * The platform a command acts on: its own namespace's, or the one `--namespace=` names (the runbook's
 * `test integration --namespace=eafix-dr-drill`); undefined with a failure when that namespace is missing.
 */
function target(inv: CommandInvocation): { platform: Readonly<PlatformState> } | { missing: CommandResult } {
  const ns = flags(inv.argv).namespace;
  if (typeof ns !== 'string') return { platform: inv.platform };
  const platform = inv.platformOf?.(ns);
  if (platform) return { platform };
  return {
    missing: {
      stderr: [`ERROR namespace ${ns} not found: nothing to check there`],
      stdout: [json({ ok: false, namespace: ns, error: 'namespace not found' })],
      exitCode: 1,
      durationMs: 200,
    },
  };
}

const RULES: Rule[] = [
  [
    ['eafix-cli', 'status'],
    (inv) => ({
      stdout: [
        `platform: ${inv.platform.tradingEnabled ? 'trading' : 'trading stopped'}${inv.platform.maintenance ? ', maintenance mode' : ''}`,
        json(stateJson(inv.platform)),
      ],
      durationMs: 300,
    }),
  ],
  [
    ['eafix-cli', 'doctor'],
    (inv) => ({
      stdout: [
        'configuration ok',
        `database ${inv.platform.databaseHealthy ? 'ok' : 'UNREACHABLE'}`,
        'broker bridges ok',
        json({ ok: inv.platform.databaseHealthy, checks: 12 }),
      ],
      exitCode: inv.platform.databaseHealthy ? 0 : 1,
      durationMs: 600,
    }),
  ],
  [
    ['eafix-cli', 'maintenance', 'enable'],
    (inv) => {
      const f = flags(inv.argv);
      const message =
        typeof f.message === 'string' ? f.message : f.scheduled ? 'Scheduled maintenance' : 'Maintenance in progress';
      return {
        stdout: [`Maintenance mode enabled: ${message}`, json({ maintenance: true, message })],
        effect: (p) => Object.assign(p, { maintenance: true, maintenanceMessage: message }),
      };
    },
  ],
  [
    ['eafix-cli', 'maintenance', 'disable'],
    () => ({
      stdout: ['Maintenance mode disabled', json({ maintenance: false })],
      effect: (p) => Object.assign(p, { maintenance: false, maintenanceMessage: undefined }),
    }),
  ],
  [
    ['eafix-cli', 'maintenance', 'status'],
    (inv) => ({
      stdout: [
        `Maintenance mode: ${inv.platform.maintenance ? 'on' : 'off'}`,
        json({ maintenance: inv.platform.maintenance }),
      ],
      durationMs: 200,
    }),
  ],
  [
    ['eafix-cli', 'trading', 'stop'],
    (inv) => {
      const graceful = flags(inv.argv).graceful === true;
      const lines = graceful
        ? ['Waiting for open orders to settle…', 'No open orders left', 'Trading STOPPED']
        : ['Trading STOPPED'];
      return {
        stdout: [...lines, json({ trading: 'stopped', graceful })],
        durationMs: graceful ? 1500 : 500,
        effect: (p) => Object.assign(p, { tradingEnabled: false }),
      };
    },
  ],
  [
    ['eafix-cli', 'trading', 'start'],
    () => ({
      stdout: ['Trading STARTED', json({ trading: 'enabled' })],
      effect: (p) => Object.assign(p, { tradingEnabled: true }),
    }),
  ],
  [
    ['eafix-cli', 'trading', 'enable'],
    (inv) => {
      const f = flags(inv.argv);
      if (f.site === 'dr' && f['confirm-dr'] !== true)
        return {
          stderr: ['refusing to enable trading on the DR site without --confirm-dr'],
          exitCode: 2,
          durationMs: 100,
        };
      return {
        stdout: [
          `Trading ENABLED${f.site ? ` on site ${String(f.site)}` : ''}`,
          json({ trading: 'enabled', site: f.site === 'dr' ? 'dr' : inv.platform.site }),
        ],
        effect: (p) => Object.assign(p, { tradingEnabled: true, ...(f.site === 'dr' ? { site: 'dr' } : {}) }),
      };
    },
  ],
  [
    ['eafix-cli', 'trading', 'status'],
    (inv) => ({
      stdout: [
        `Trading: ${inv.platform.tradingEnabled ? 'enabled' : 'stopped'}`,
        json({ trading: inv.platform.tradingEnabled ? 'enabled' : 'stopped' }),
      ],
      durationMs: 200,
    }),
  ],
  [
    ['eafix-cli', 'database', 'verify'],
    (inv) => {
      const where = target(inv);
      if ('missing' in where) return where.missing;
      if (!where.platform.databaseHealthy) return dbDown('database verify');
      const full = flags(inv.argv)['full-check'] === true;
      return {
        stdout: [
          'schema at head',
          'row counts consistent',
          ...(full ? ['checksums ok', 'replication ok'] : []),
          json({ ok: true, checks: full ? 24 : 8, migrations: 'head' }),
        ],
        durationMs: full ? 1500 : 700,
      };
    },
  ],
  [
    ['eafix-cli', 'database', 'ping'],
    (inv) =>
      inv.platform.databaseHealthy
        ? { stdout: ['PONG', json({ ok: true, latencyMs: 3 })], durationMs: 100 }
        : dbDown('database ping'),
  ],
  [
    ['eafix-cli', 'test'],
    (inv) => {
      // The real CLI refuses options it does not have (a misspelt flag must not test the wrong colour).
      const unknown = Object.keys(flags(inv.argv)).find((f) => f !== 'environment' && f !== 'namespace');
      if (unknown) return { stderr: [`Error: no such option: --${unknown}`], exitCode: 2, durationMs: 100 };
      const where = target(inv);
      if ('missing' in where) return where.missing;
      const suite = inv.argv[2] ?? 'smoke';
      const count = suite === 'integration' ? 64 : suite === 'trading' ? 18 : 12;
      return {
        stdout: [`running ${suite} tests`, `${count} passed, 0 failed`, json({ suite, passed: count, failed: 0 })],
        durationMs: suite === 'integration' ? 3000 : 1500,
      };
    },
  ],
  [
    ['eafix-cli', 'health-check'],
    (inv) => {
      const healthy = inv.platform.databaseHealthy;
      return {
        stdout: [
          `services ok`,
          `database ${healthy ? 'ok' : 'UNREACHABLE'}`,
          json({ ok: healthy, comprehensive: flags(inv.argv).comprehensive === true }),
        ],
        exitCode: healthy ? 0 : 1,
        durationMs: 900,
      };
    },
  ],
  [
    ['eafix-cli', 'dependencies', 'check'],
    (inv) => ({
      stdout: [
        'redis ok',
        `postgres ${inv.platform.databaseHealthy ? 'ok' : 'UNREACHABLE'}`,
        'broker bridges ok',
        json({ ok: inv.platform.databaseHealthy }),
      ],
      exitCode: inv.platform.databaseHealthy ? 0 : 1,
      durationMs: 600,
    }),
  ],
  [['eafix-cli', 'dashboard', 'verify'], () => ({ stdout: ['dashboards ok', json({ ok: true })], durationMs: 300 })],
  // The runbook's DR scripts (Scenario 2: data centre outage), run on the DR site's cluster.
  [
    ['activate-dr-site.sh'],
    () => ({
      stdout: ['DR site services scaled up', 'DR site active', json({ ok: true, site: 'dr' })],
      durationMs: 800,
    }),
  ],
  [
    ['restore-from-backup.sh'],
    (inv) => {
      const f = flags(inv.argv);
      return {
        stdout: [
          `restoring ${f.latest === true ? 'the latest backup' : String(f.backup ?? 'a backup')} on site ${String(f.site ?? 'primary')}`,
          'restore complete',
          json({ ok: true, site: f.site ?? 'primary' }),
        ],
        durationMs: 1500,
      };
    },
  ],
  [
    ['aws', 'route53', 'change-resource-record-sets'],
    () => ({
      stdout: [json({ ChangeInfo: { Id: '/change/C0SANDBOX', Status: 'PENDING' } })],
      durationMs: 400,
    }),
  ],
  [
    ['alembic', 'upgrade', 'head'],
    (inv) =>
      inv.platform.databaseHealthy
        ? {
            stdout: [
              'INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.',
              'INFO  [alembic.runtime.migration] Will assume transactional DDL.',
              json({ ok: true, revision: 'head' }),
            ],
            durationMs: 1200,
          }
        : dbDown('alembic upgrade head'),
  ],
];

/** Registers the defaults; later registrations (tests, the sandbox) take precedence. */
export function registerEafixCliDefaults(behaviours: CommandBehaviours): void {
  for (const [argv, behaviour] of [...RULES, ...CONFIG_CLI_RULES]) behaviours.register({ argv, behaviour });
  registerDiagnosisDefaults(behaviours);
  registerMaintenanceDefaults(behaviours);
}
