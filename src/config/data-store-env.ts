import { z } from 'zod';

const address = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

/**
 * Highly available data stores, as teams run them: Redis behind Sentinel, PostgreSQL behind a
 * transaction-pooling PgBouncer (with a direct connection for what holds session state).
 */
export const dataStoreEnv = {
  /**
   * Redis through Sentinel: the Sentinels' `host:port`, comma-separated. The master is asked of them
   * (and again after a failover); REDIS_URL's host and port are then not used, its user, password,
   * database number and `rediss:` (TLS) still are.
   */
  REDIS_SENTINELS: z
    .string()
    .transform((value) => value.split(',').map((s) => s.trim()))
    .pipe(z.array(z.string().regex(address, 'must be host:port, comma-separated')).min(1))
    .optional(),
  /** The master group the Sentinels monitor (`sentinel monitor <name> ...`). */
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('mymaster'),
  /** The Sentinels' own password (`requirepass` in sentinel.conf), when they have one. */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /**
   * A direct PostgreSQL connection (not through a transaction pooler) for what keeps session state:
   * migrations and the session advisory locks (the migration lock, incident locks, the Slack outbox's
   * delivery leader with its LISTEN). Set it when DATABASE_URL points at PgBouncer in transaction
   * pooling mode; the pooled connections then send no session settings (see the README).
   */
  DATABASE_DIRECT_URL: z
    .string()
    .refine((value) => {
      try {
        return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, 'must be a URL (postgres: or postgresql:)')
    .optional(),
};

export interface SentinelSettings {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  password?: string;
}

/** The Sentinel settings from the environment, or undefined for a plain REDIS_URL. */
export function sentinelSettingsFrom(env: {
  REDIS_SENTINELS?: string[] | undefined;
  REDIS_SENTINEL_NAME: string;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
}): SentinelSettings | undefined {
  if (!env.REDIS_SENTINELS) return undefined;
  return {
    sentinels: env.REDIS_SENTINELS.map((entry) => {
      const at = entry.lastIndexOf(':');
      return { host: entry.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(entry.slice(at + 1)) };
    }),
    name: env.REDIS_SENTINEL_NAME,
    ...(env.REDIS_SENTINEL_PASSWORD ? { password: env.REDIS_SENTINEL_PASSWORD } : {}),
  };
}
