import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
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
  },
});
