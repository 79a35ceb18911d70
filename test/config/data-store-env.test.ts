import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.ts';
import { sentinelSettingsFrom } from '../../src/config/data-store-env.ts';

const base = {
  SLACK_SIGNING_SECRET: 'signing-secret',
  SLACK_BOT_TOKEN: 'xoxb-1',
  DATABASE_URL: 'postgres://bot@pgbouncer:6432/eafix',
  REDIS_URL: 'redis://:secret@redis:6379/2',
  EAFIX_CONFIG: '/etc/eafix/policy.yml',
};

describe('highly available data store settings', () => {
  it('take Sentinels as host:port pairs, with the master group name and password', () => {
    const env = parseEnv({
      ...base,
      REDIS_SENTINELS: 'sentinel-0:26379, sentinel-1:26379,[::1]:26380',
      REDIS_SENTINEL_NAME: 'eafix',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    expect(sentinelSettingsFrom(env)).toEqual({
      sentinels: [
        { host: 'sentinel-0', port: 26379 },
        { host: 'sentinel-1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'eafix',
      password: 'sentinel-secret',
    });
  });

  it('use plain REDIS_URL without Sentinels, and default the master group name', () => {
    const env = parseEnv(base);
    expect(sentinelSettingsFrom(env)).toBeUndefined();
    expect(parseEnv({ ...base, REDIS_SENTINELS: 's:1' }).REDIS_SENTINEL_NAME).toBe('mymaster');
  });

  it('name the field of a malformed Sentinel list or direct database URL', () => {
    expect(() => parseEnv({ ...base, REDIS_SENTINELS: 'sentinel-0' })).toThrow(/REDIS_SENTINELS/);
    expect(() => parseEnv({ ...base, DATABASE_DIRECT_URL: 'mysql://db/eafix' })).toThrow(/DATABASE_DIRECT_URL/);
    expect(parseEnv({ ...base, DATABASE_DIRECT_URL: 'postgres://bot@db:5432/eafix' }).DATABASE_DIRECT_URL).toBe(
      'postgres://bot@db:5432/eafix',
    );
  });
});
