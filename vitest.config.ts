import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The fast deterministic tier (`npm test`): domain logic, parsing, policies, rendering and in-memory
 * ports checked by the same contract tests as their PostgreSQL adapters. No PostgreSQL, Redis, emulator
 * or process. Everything else is the end-to-end tier (`npm run test:e2e`); ./scripts/test.sh runs both.
 */
const fastTier = [
  'test/alerts/alert-intake.test.ts',
  'test/alerts/alert-message.test.ts',
  'test/alerts/alertmanager-route.test.ts',
  'test/bot/verify-signature.test.ts',
  'test/cluster/deployment-rollout.test.ts',
  'test/config/config.test.ts',
  'test/config/monitoring-policy.test.ts',
  'test/handlers/action-input.test.ts',
  'test/handlers/chapter-folders.test.ts',
  'test/handlers/command-parser.test.ts',
  'test/handlers/monitoring/digest-message.test.ts',
  'test/handlers/monitoring/doctor-checks.test.ts',
  'test/handlers/registry.test.ts',
  'test/incidents/incident-naming.test.ts',
  'test/incidents/incident-template.test.ts',
  'test/jobs/digest-catch-up.test.ts',
  'test/jobs/progress-message.test.ts',
  'test/lint/import-boundaries.test.ts',
  'test/logger.test.ts',
  'test/packaging.test.ts',
  'test/permissions/authorizer.test.ts',
  'test/sandbox/cluster-simulator-patch.test.ts',
  'test/store/memory-audit-log.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Hooks start worlds (bot, emulators, migrations) and sometimes processes: slow on a busy machine.
    hookTimeout: 120_000,
    pool: 'forks',
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
