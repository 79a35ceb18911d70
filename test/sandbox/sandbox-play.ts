import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { runSandbox } from '@eafix/sandbox/run-sandbox';

/** Plays a script in the sandbox against the test run's PostgreSQL and Redis; the transcript and exit code. */
export async function play(scriptPath: string): Promise<{ code: number; transcript: string }> {
  const lines: string[] = [];
  const code = await runSandbox({
    scriptPath,
    databaseUrl: inject('databaseUrl'),
    redisUrl: inject('redisUrl'),
    write: (line) => lines.push(line),
  });
  return { code, transcript: lines.join('\n') };
}

/** Writes scripts to a temporary folder of their own. */
export async function scriptFolder(): Promise<{
  script(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'eafix-scripts-'));
  return {
    async script(name, text) {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** What each example must show: its runbook outcome, as the people in the script see it. */
export const exampleOutcomes: Record<string, string[]> = {
  'foundation.eafix': ['EAFIX runbook actions', 'is not an EAFIX action', '(ok: refused as expected'],
  'approval.eafix': [
    'You cannot approve your own request',
    'Trading STOPPED (graceful) in production by @alice',
    "Answered by the platform's `eafix-cli status`",
  ],
  'rollback.eafix': ['*rollback* `run_', '— succeeded', '*Live colour:* blue', '*blue* 3/3 ready'],
  'deploy.eafix': [
    '[modal] Deploy a version',
    'Not confirmed: Database migrations tested in staging',
    'prerequisites confirmed by the requester: All CI/CD pipeline tests passed',
    '*deploy* `run_',
    '*Live colour:* green 2.6.0',
    '*Rollback to:* blue 2.5.0',
    '*Live colour:* blue 2.5.0',
  ],
  'incident.eafix': [
    '*Acknowledged:* @bob',
    'resolved by @bob',
    '[pagerduty] trigger',
    '*Acknowledged:* @dave',
    'resolved by @dave',
  ],
  'digest.eafix': ['== EAFIX daily digest', '(digests on:', 'EAFIX pulse digest'],
  'dr.eafix': [
    'Backup integrity verified: eafix-backup-sandbox',
    'recovery completed in',
    'Restart services at their recorded replicas',
  ],
  'diagnose.eafix': ['Service diagnosis: risk-manager', 'Latency diagnosis', 'Orders diagnosis', 'Data feed diagnosis'],
  'config-change.eafix': [
    '+ max_position: 150',
    '9 passed, 0 failed',
    'You cannot approve your own request',
    '*config promote* `run_',
    'previous version kept as `eafix-risk-manager-config-before-apr-',
  ],
  'maintenance.eafix': [
    '*Maintenance windows*',
    'what maintenance/security-patches.yaml changes (server-side diff)',
    'serverside-applied',
    'Maintenance mode in production: *off*',
    'succeeded',
    '+ max_position: 150',
    '9 passed, 0 failed',
    '*config promote* `run_',
    'previous version kept as `eafix-risk-manager-config-before-apr-',
  ],
};

/** Plays an example and checks it passed and showed its outcome. */
export async function playsGreen(file: string): Promise<void> {
  const { code, transcript } = await play(join('examples', file));
  expect(transcript.split('\n').filter((line) => line.startsWith('!! '))).toEqual([]);
  for (const text of exampleOutcomes[file] ?? []) expect(transcript).toContain(text);
  expect(transcript).toContain('(script passed)');
  expect(code).toBe(0);
}
