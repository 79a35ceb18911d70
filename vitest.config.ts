import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The fast deterministic tier (`npm test`): domain logic, parsing, policies, rendering and in-memory
 * ports checked by the same contract tests as their PostgreSQL adapters. No PostgreSQL, Redis, emulator
 * or process. Everything else is the end-to-end tier (`npm run test:e2e`); ./scripts/test.sh runs both.
 */
const fastTier = [
  'test/incidents/incident-escalation.test.ts',
  'test/handlers/disaster-recovery/dr-schedules.test.ts',
  'test/handlers/disaster-recovery/rollback-database-failure.test.ts',
  'test/handlers/run-decide.test.ts',
  'test/handlers/maintenance/maintenance-windows.test.ts',
  'test/bot/slack-http-receiver.test.ts',
  'test/bot/bolt.test.ts',
  'test/audit/held-audit-row.test.ts',
  'test/bot/inbound-gate.test.ts',
  'test/config/read-yaml.test.ts',
  'test/bot/slack-router.test.ts',
  'test/frozen.test.ts',
  'test/bot/slack-scopes.test.ts',
  'test/alerts/alert-intake.test.ts',
  'test/alerts/alert-message.test.ts',
  'test/alerts/alertmanager-route.test.ts',
  'test/bot/verify-signature.test.ts',
  'test/charts/vega-png-charts.test.ts',
  'test/cluster/deployment-rollout.test.ts',
  'test/config/config.test.ts',
  'test/config/monitoring-policy.test.ts',
  'test/deploy/grafana-dashboard.test.ts',
  'test/deploy/rbac-manifests.test.ts',
  'test/deploy/toolbox-rbac.test.ts',
  'test/handlers/action-input.test.ts',
  'test/handlers/cluster-sites.test.ts',
  'test/handlers/troubleshooting/service-targets.test.ts',
  'test/handlers/core/change-meta.test.ts',
  'test/handlers/chapter-folders.test.ts',
  'test/handlers/command-parser.test.ts',
  'test/handlers/deployment/deploy-form.test.ts',
  'test/handlers/help-chapters.test.ts',
  'test/handlers/monitoring/digest-message.test.ts',
  'test/handlers/monitoring/doctor-checks.test.ts',
  'test/handlers/monitoring/toolbox-check.test.ts',
  'test/handlers/monitoring/review-trends.test.ts',
  'test/handlers/maintenance/config-diff.test.ts',
  'test/handlers/maintenance/config-production-request.test.ts',
  'test/handlers/maintenance/config-staging.test.ts',
  'test/handlers/security/checklist-items.test.ts',
  'test/handlers/registry.test.ts',
  'test/incidents/incident-naming.test.ts',
  'test/incidents/incident-template.test.ts',
  'test/incidents/incident-timing.test.ts',
  'test/jobs/digest-catch-up.test.ts',
  'test/jobs/progress-message.test.ts',
  'test/jobs/run-progress.test.ts',
  'test/jobs/run-pause.test.ts',
  'test/jobs/run-queue-submit.test.ts',
  'test/lint/import-boundaries.test.ts',
  'test/logger.test.ts',
  'test/packaging.test.ts',
  'test/permissions/approval-decisions.test.ts',
  'test/permissions/approval-expiry.test.ts',
  'test/permissions/approval-execution.test.ts',
  'test/start-up-imports.test.ts',
  'test/permissions/approval-message.test.ts',
  'test/permissions/authorizer.test.ts',
  'test/permissions/cached-directory.test.ts',
  'test/sandbox/cluster-simulator-patch.test.ts',
  // The in-memory ports, held to the contracts their PostgreSQL adapters pass in the e2e tier.
  'test/**/memory-*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Hooks start worlds (bot, emulators, migrations) and sometimes processes: slow on a busy machine.
    hookTimeout: 120_000,
    pool: 'forks',
    // A worker keeps its imported modules from one test file to the next instead of forking afresh for
    // each: importing the bot (Bolt, client-node, BullMQ and our sources) cost ~3 s of CPU per file, most
    // of the suite's time on 2 cores. Safe because nothing in src/ keeps state at module level and every
    // test file starts and stops its own world, schema and key prefix.
    isolate: false,
    // Most test time is spent waiting on PostgreSQL, Redis, emulators and timers, not on the CPU: on a
    // 2-core machine four files at once finish far sooner than the default of one per spare core.
    maxWorkers: 4,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
    experimental: {
      // Transformed TypeScript is cached on disk (node_modules/.experimental-vitest-cache) between runs.
      fsModuleCache: true,
    },
    projects: [
      { extends: true, test: { name: 'fast', include: fastTier } },
      {
        extends: true,
        test: {
          name: 'e2e',
          // A bound for a hung test, not a speed check: a busy machine makes whole user stories slow.
          testTimeout: 120_000,
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...fastTier],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
