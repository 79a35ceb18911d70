import { createLogger } from '../../src/logger.ts';
import { startSandboxWorld, type SandboxWorld, type WorldOptions } from '@eafix/sandbox/sandbox-world';
import { isolate, type Isolation } from './isolation.ts';

export type TestWorld = SandboxWorld & { isolation: Isolation };

/** The real bot on its own schema and Redis prefix, wired to a fresh Slack emulator. */
export async function startWorld(label: string, options: Partial<WorldOptions> = {}): Promise<TestWorld> {
  const isolation = isolate(label);
  const world = await startSandboxWorld({
    databaseUrl: isolation.databaseUrl,
    redisUrl: isolation.redisUrl,
    schema: isolation.schema,
    redisPrefix: isolation.redisPrefix,
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...options,
  });
  return {
    ...world,
    isolation,
    stop: async () => {
      await world.stop();
      await isolation.cleanup();
    },
  };
}

/** Plain text of an ack or message body, blocks included, for assertions. */
export function textOf(body: unknown): string {
  return JSON.stringify(body ?? '')
    .replace(/\\n/g, '\n')
    .replace(/\\"/g, '"');
}
