import { createLogger } from '../../src/logger.ts';
import {
  examplePolicyPath,
  startSandboxWorld,
  type SandboxWorld,
  type WorldOptions,
} from '@eafix/sandbox/sandbox-world';
import { loadPolicy, type Policy } from '../../src/config/policy.ts';
import { isolate, type Isolation } from './isolation.ts';

export type TestWorld = SandboxWorld & { isolation: Isolation };

/** The real bot on its own schema and Redis prefix, wired to a fresh Slack emulator. */
export async function startWorld(label: string, options: Partial<WorldOptions> = {}): Promise<TestWorld> {
  const isolation = isolate(label);
  const policy = withoutDrClockTicks(options.policy ?? (await loadPolicy(options.policyPath ?? examplePolicyPath)));
  const world = await startSandboxWorld({
    policy,
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

/**
 * The example policy with its Disaster Recovery schedules off: a backup taken at the top of an hour (or
 * the 06:00 verification) would land in whichever test is running then. Tests tick them by hand
 * (`onDrScheduleTick`), as BullMQ's scheduler would.
 */
function withoutDrClockTicks(policy: Policy): Policy {
  const dr = policy.disasterRecovery;
  const off = <T extends { enabled: boolean }>(schedule: T): T => ({ ...schedule, enabled: false });
  return {
    ...policy,
    disasterRecovery: {
      ...dr,
      fullBackup: off(dr.fullBackup),
      hourlyBackup: off(dr.hourlyBackup),
      verification: off(dr.verification),
      drill: off(dr.drill),
    },
  };
}

/** Plain text of an ack or message body, blocks included, for assertions. */
export function textOf(body: unknown): string {
  return JSON.stringify(body ?? '')
    .replace(/\\n/g, '\n')
    .replace(/\\"/g, '"');
}
