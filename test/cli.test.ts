import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isolate } from './support/isolation.ts';

function run(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/eafix.js', ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

// Each test spawns the CLI, which compiles TypeScript on start: generous bounds for a busy machine.
describe('eafix command line', { timeout: 120_000 }, () => {
  it('lists every configuration problem, never a secret, and exits non-zero', async () => {
    const { code, out } = await run(['web'], {
      SLACK_BOT_TOKEN: 'xoxp-not-a-bot-token-secret',
      SLACK_SIGNING_SECRET: 'short',
      DATABASE_URL: 'postgres://u:p@127.0.0.1/x',
      EAFIX_CONFIG: 'test/fixtures/does-not-exist.yml',
    });
    expect(code).toBe(1);
    expect(out).toContain('invalid configuration, nothing started');
    expect(out).toContain('SLACK_SIGNING_SECRET');
    expect(out).toContain('SLACK_BOT_TOKEN: must be a bot token');
    expect(out).toContain('REDIS_URL: is required');
    expect(out).toContain('cannot read it: ENOENT');
    expect(out).not.toContain('xoxp-not-a-bot-token-secret');
  });

  it('plays a sandbox script: help, then a typo with suggestions, and exits cleanly', async () => {
    const isolation = isolate('cli_sandbox');
    const { code, out } = await run(['sandbox', '--script', 'examples/foundation.eafix'], {
      DATABASE_URL: isolation.databaseUrl,
      REDIS_URL: isolation.redisUrl,
    });
    await isolation.cleanup();
    expect(out).toContain('EAFIX runbook actions');
    expect(out).toContain('`nonsense` is not an EAFIX action');
    expect(out).toContain('/eafix help');
    expect(code).toBe(0);
  }, 180_000);
});
