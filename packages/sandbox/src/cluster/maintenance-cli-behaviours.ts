/**
 * Default behaviours of the runbook's Scheduled Maintenance commands in the simulated toolbox image:
 * the weekly database and clean-up commands, the manifests' server-side diff and apply (a source
 * differs until it is applied), the monthly benchmark, capacity report and `cmctl renew`, each with a
 * trailing JSON line as its structured result, failing where the platform says the database is down.
 */
import type { CommandBehaviours, CommandInvocation, CommandResult } from './command-behaviours.ts';

const json = (value: unknown) => JSON.stringify(value);

const dbDown = (what: string): CommandResult => ({
  stderr: [`ERROR ${what}: could not connect to server: Connection timed out (eafix-postgres:5432)`],
  stdout: [json({ ok: false, database: 'unreachable' })],
  exitCode: 1,
  durationMs: 800,
});

const flag = (inv: CommandInvocation, name: string) =>
  inv.argv.find((w) => w.startsWith(`--${name}=`))?.slice(name.length + 3);

/** The `-f` source of a kubectl invocation. */
const source = (inv: CommandInvocation) => inv.argv[inv.argv.indexOf('-f') + 1] ?? '';

const database =
  (what: string, lines: string[], result: Record<string, unknown>, durationMs: number) =>
  (inv: CommandInvocation): CommandResult =>
    inv.platform.databaseHealthy ? { stdout: [...lines, json({ ok: true, ...result })], durationMs } : dbDown(what);

/** What the sandbox's security manifests change until they are applied. */
function manifestDiff(file: string): string[] {
  const image = file.includes('updates') ? 'eafix-node-agent' : 'eafix-gateway';
  return [
    `diff -u -N /tmp/LIVE/apps.v1.Deployment.eafix-production.${image} /tmp/MERGED/apps.v1.Deployment.eafix-production.${image}`,
    `--- /tmp/LIVE/apps.v1.Deployment.eafix-production.${image}`,
    `+++ /tmp/MERGED/apps.v1.Deployment.eafix-production.${image}`,
    '@@ -31,7 +31,7 @@',
    `-        image: registry.eafix.local/eafix/${image}:2.4.0`,
    `+        image: registry.eafix.local/eafix/${image}:2.4.0-security.1`,
  ];
}

const RULES: Array<[string[], (inv: CommandInvocation) => CommandResult]> = [
  [
    ['eafix-cli', 'database', 'vacuum'],
    database('database vacuum', ['VACUUM (ANALYZE) done on 42 tables'], { tables: 42 }, 2000),
  ],
  [
    ['eafix-cli', 'database', 'reindex'],
    database('database reindex', ['REINDEX done on 9 critical tables'], { tables: 9 }, 1500),
  ],
  [
    ['eafix-cli', 'logs', 'cleanup'],
    (inv) => ({
      stdout: [`removed log files older than ${flag(inv, 'older-than') ?? '30d'}`, json({ ok: true, removed: 214 })],
      durationMs: 600,
    }),
  ],
  [
    ['prometheus-cleanup.sh'],
    (inv) => ({
      stdout: [
        `deleted series older than ${flag(inv, 'retention') ?? '30d'}`,
        json({ ok: true, retention: flag(inv, 'retention') ?? '30d' }),
      ],
      durationMs: 800,
    }),
  ],
  [
    ['kubectl', 'diff', '--server-side'],
    (inv) => {
      const file = source(inv);
      const applied = inv.platform.appliedManifests?.includes(file) ?? false;
      // kubectl diff exits 1 when something differs.
      return applied ? { stdout: [], durationMs: 300 } : { stdout: manifestDiff(file), exitCode: 1, durationMs: 300 };
    },
  ],
  [
    ['kubectl', 'apply', '--server-side'],
    (inv) => {
      const file = source(inv);
      const image = file.includes('updates') ? 'eafix-node-agent' : 'eafix-gateway';
      return {
        stdout: [`deployment.apps/${image} serverside-applied`],
        durationMs: 700,
        effect: (p) => Object.assign(p, { appliedManifests: [...new Set([...(p.appliedManifests ?? []), file])] }),
      };
    },
  ],
  [
    ['eafix-cli', 'benchmark', 'run'],
    database(
      'benchmark run',
      ['order round-trip p50 8 ms, p99 41 ms', 'results saved'],
      { p50Ms: 8, p99Ms: 41, saved: true },
      2500,
    ),
  ],
  [
    ['eafix-cli', 'capacity', 'analyze'],
    () => ({
      stdout: [
        'CPU 41% (3-month forecast 55%)',
        'report written to reports/capacity.html',
        json({ ok: true, report: 'reports/capacity.html' }),
      ],
      durationMs: 1200,
    }),
  ],
  [
    ['cmctl', 'renew'],
    (inv) => ({ stdout: [`Manually triggered issuance of Certificate ${inv.argv[2] ?? ''}`], durationMs: 300 }),
  ],
];

/** Registers the maintenance commands' defaults (before any test's own registrations). */
export function registerMaintenanceDefaults(behaviours: CommandBehaviours): void {
  for (const [argv, behaviour] of RULES) behaviours.register({ argv, behaviour });
}
