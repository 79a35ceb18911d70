import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parseEnv } from '../../src/config/env.ts';
import { parsePolicy } from '../../src/config/policy.ts';
import { ConfigError } from '../../src/config/format-issues.ts';

const validEnv = {
  SLACK_SIGNING_SECRET: 'sekrit-signing-secret',
  SLACK_BOT_TOKEN: 'xoxb-123-456-abcdef',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
  REDIS_URL: 'redis://127.0.0.1:6379',
  EAFIX_CONFIG: 'config/eafix-policy.example.yml',
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('environment', () => {
  it('applies defaults', () => {
    const env = parseEnv(validEnv);
    expect(env.PORT).toBe(3000);
    expect(env.SLACK_API_URL).toBe('https://slack.com/api/');
    expect(env.REDIS_PREFIX).toBe('eafix');
    expect(env.LOG_PRETTY).toBe(false);
  });

  it('lists every problem with its variable, never the secret values', () => {
    const problems = problemsOf(() =>
      parseEnv({
        ...validEnv,
        SLACK_BOT_TOKEN: 'xoxp-user-token-value',
        PORT: '99999',
        DATABASE_URL: 'mysql://x',
        REDIS_URL: undefined,
      }),
    );
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/SLACK_BOT_TOKEN: must be a bot token/);
    expect(problems.join('\n')).toMatch(/PORT:/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL: must be a URL/);
    expect(problems.join('\n')).toMatch(/REDIS_URL: is required/);
    expect(problems.join('\n')).not.toContain('xoxp-user-token-value');
  });
});

describe('policy file', () => {
  it('accepts the shipped example', async () => {
    const policy = parsePolicy(await readFile('config/eafix-policy.example.yml', 'utf8'));
    expect(policy.channels.ops).toBe('eafix-ops');
    expect(policy.topology.environments.production?.namespace).toBe('eafix-production');
    expect(policy.topology.services.map((s) => s.name)).toContain('execution-engine');
  });

  it('lists every problem with its path', () => {
    const problems = problemsOf(() =>
      parsePolicy(`
channels: { ops: "Not A Channel", incidents: eafix-incidents }
topology:
  environments: {}
  gateway: { service: eafix-gateway }
  colours:
    blue: { deployment: eafix-blue, replicas: { min: 0, max: 10, default: 3 } }
    green: { deployment: Eafix_Green, replicas: { min: 5, max: 1, default: 3 } }
  services: []
`),
    );
    const text = problems.join('\n');
    expect(text).toContain('channels.ops:');
    expect(text).toContain('channels.security: is required');
    expect(text).toContain('topology.environments:');
    expect(text).toContain('topology.colours.green.deployment:');
    expect(text).toContain('topology.colours.green.replicas: replica bounds must satisfy');
    expect(text).toContain('topology.services:');
  });

  it('reports YAML syntax errors', () => {
    expect(problemsOf(() => parsePolicy('channels: [unclosed'))[0]).toMatch(/^YAML:/);
  });
});
