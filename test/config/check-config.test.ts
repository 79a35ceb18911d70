import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/check-config.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';

let dir: string;
let broken: string;

/** The example policy with three different mistakes: an approve typo, a bad cron, impossible bounds. */
async function brokenPolicy(): Promise<string> {
  const text = (await readFile(examplePolicyPath, 'utf8'))
    .replace('cluster.scale, cluster.restart', 'cluster.scael, cluster.restart')
    .replace('cron: "0 8 * * 1-5"', 'cron: "0 8 * * mon-funday"')
    .replace(
      'appLabel: eafix-data-ingestor, replicas: { min: 1, max: 10, default: 2 }',
      'appLabel: eafix-data-ingestor, replicas: { min: 5, max: 10, default: 2 }',
    );
  const path = join(dir, 'broken.yml');
  await writeFile(path, text);
  return path;
}

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // No DATABASE_URL, REDIS_URL or Slack token: nothing to connect to, and nothing is needed.
    const child = spawn(process.execPath, ['bin/eafix.js', ...args], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eafix-check-config-'));
  broken = await brokenPolicy();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('eafix check-config', () => {
  it('lists three different mistakes in one run, the RBAC coverage one included', async () => {
    const report = await checkConfig({ policyPath: broken });
    expect(report.errors).toHaveLength(3);
    expect(report.errors.join('\n')).toContain(
      'rbac.roles.operator.approve: "cluster.scael" matches no action\'s permission',
    );
    expect(report.errors.join('\n')).toContain('digests.0.cron: not a cron pattern');
    expect(report.errors.join('\n')).toContain(
      'topology.services.0.replicas: replica bounds must satisfy min <= default <= max',
    );
  });

  it('checks references across sections: digest environments, impersonated roles, containment commands', async () => {
    const text = (await readFile(examplePolicyPath, 'utf8'))
      .replace('    environment: production\n', '    environment: prod\n')
      .replace('    operator: { user: "eafix:operator"', '    operater: { user: "eafix:operator"')
      .replace("command: 'trading stop --reason", "command: 'trading halt --reason");
    const path = join(dir, 'references.yml');
    await writeFile(path, text);
    const report = await checkConfig({ policyPath: path });
    expect(report.errors).toEqual([
      expect.stringContaining('digests.0.environment: "prod" is not an environment of the topology'),
      expect.stringContaining('kubernetes.impersonate.operater: there is no role "operater"'),
    ]);
    expect(report.warnings).toEqual([expect.stringContaining('incidents.containmentActions.1.command: "trading halt')]);
  });

  it('checks the Disaster Recovery schedules and DR site name environments of the topology', async () => {
    const text = (await readFile(examplePolicyPath, 'utf8'))
      .replace(
        'hourlyBackup: { cron: "0 9-17 * * 1-5", timezone: UTC, environment: production',
        'hourlyBackup: { cron: "0 9-17 * * 1-5", timezone: UTC, environment: prod',
      )
      .replace('disasterRecovery:\n', 'disasterRecovery:\n  site: { environment: dr-site }\n');
    const path = join(dir, 'dr.yml');
    await writeFile(path, text);
    const report = await checkConfig({ policyPath: path });
    expect(report.errors).toEqual([
      expect.stringContaining(
        'disasterRecovery.hourlyBackup.environment: "prod" is not an environment of the topology',
      ),
    ]);
    expect(report.warnings).toEqual([
      expect.stringContaining('disasterRecovery.site.environment: "dr-site" is not an environment of the topology'),
    ]);
  });

  it('checks the environment too when no file is named', async () => {
    const report = await checkConfig({
      env: { EAFIX_CONFIG: examplePolicyPath, SLACK_BOT_TOKEN: 'xoxp-not-a-bot-token' },
    });
    expect(report.errors.join('\n')).toContain('environment: SLACK_BOT_TOKEN: must be a bot token');
    expect(report.errors.join('\n')).toContain('environment: DATABASE_URL: is required');
    expect(report.errors.join('\n')).not.toContain('xoxp-not-a-bot-token');
    expect(report.errors.join('\n')).not.toContain('policy file');
  });

  it('exits 1 listing every problem with no database reachable, and 0 on a valid policy', async () => {
    const bad = await cli(['check-config', broken]);
    expect(bad.out).toContain('3 configuration problem(s)');
    expect(bad.out).toContain('cluster.scael');
    expect(bad.code).toBe(1);
    const good = await cli(['check-config', examplePolicyPath]);
    expect(good.out).toContain('Configuration is valid');
    expect(good.code).toBe(0);
  }, 180_000);
});
