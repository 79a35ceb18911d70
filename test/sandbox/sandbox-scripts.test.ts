import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { runSandbox } from '@eafix/sandbox/run-sandbox';

/** Plays a script in the sandbox against the test run's PostgreSQL and Redis; the transcript and exit code. */
async function play(scriptPath: string): Promise<{ code: number; transcript: string }> {
  const lines: string[] = [];
  const code = await runSandbox({
    scriptPath,
    databaseUrl: inject('databaseUrl'),
    redisUrl: inject('redisUrl'),
    write: (line) => lines.push(line),
  });
  return { code, transcript: lines.join('\n') };
}

let dir: string;
async function script(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eafix-scripts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What each example must show: its runbook outcome, as the people in the script see it. */
const outcomes: Record<string, string[]> = {
  'foundation.eafix': ['EAFIX runbook actions', 'is not an EAFIX action', '(ok: refused as expected'],
  'approval.eafix': [
    'You cannot approve your own request',
    'Trading STOPPED (graceful) in production by @alice',
    "Answered by the platform's `eafix-cli status`",
  ],
  'rollback.eafix': ['*rollback* `run_', '— succeeded', '*Live colour:* blue', '*blue* 3/3 ready'],
  'deploy.eafix': [
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
};

describe('sandbox scripts', () => {
  it('has an expected outcome for every example', async () => {
    expect((await readdir('examples')).filter((f) => f.endsWith('.eafix')).sort()).toEqual(
      Object.keys(outcomes).sort(),
    );
  });

  // One at a time: five worlds at once starve each other on a busy machine (Slack's 3 s ack deadline).
  describe('every example plays green and shows its runbook outcome', () => {
    for (const [file, shows] of Object.entries(outcomes)) {
      it(
        file,
        async () => {
          const { code, transcript } = await play(join('examples', file));
          expect(transcript.split('\n').filter((line) => line.startsWith('!! '))).toEqual([]);
          for (const text of shows) expect(transcript).toContain(text);
          expect(transcript).toContain('(script passed)');
          expect(code).toBe(0);
        },
        240_000,
      );
    }
  });

  it('fails on an error nobody expected, an unmet expect, and an expect-error that did not happen', async () => {
    const { code, transcript } = await play(
      await script(
        'bad.eafix',
        ['/eafix nonsense', '/eafix version', 'expect no such words', '/eafix help', 'expect-error refused'].join('\n'),
      ),
    );
    expect(transcript).toContain('!! `/eafix nonsense` ended in an error or refusal that no expect-error excused');
    expect(transcript).toContain('!! expected "no such words" after `/eafix version`');
    expect(transcript).toContain('!! expected `/eafix help` to end in an error saying "refused", but it succeeded');
    expect(transcript).toContain('(script failed: 3 line(s)');
    expect(code).toBe(1);
  }, 120_000);

  it('resets to a clean world: no incident, war room or digest schedule survives', async () => {
    const { code, transcript } = await play(
      await script(
        'reset.eafix',
        [
          '/eafix incident create --title "Left over" --severity low --type ops --systems gateway',
          '/eafix incidents',
          'expect 1 open incident(s)',
          '/digests on',
          'reset',
          '/eafix incidents',
          'expect No open incidents',
          '/in #inc-',
          'expect-error No channel #inc-',
          '/eafix doctor',
        ].join('\n'),
      ),
    );
    expect(transcript).toContain('(a clean world: acting as alice in #eafix-ops)');
    // The schedules `/digests on` made are gone with the old world's Redis keys.
    const after = transcript.split('(a clean world')[1] ?? '';
    expect(after).toContain('disabled in the policy');
    expect(after).not.toContain('still scheduled');
    expect(transcript).toContain('(script passed)');
    expect(code).toBe(0);
  }, 120_000);

  it('fills a modal by field name and waits for the war room before the next line', async () => {
    const { code, transcript } = await play(
      await script(
        'modal.eafix',
        [
          '/eafix incident create',
          'submit title="Quotes are stale" severity=critical type=ops systems=market-data,data-ingestor description="No ticks since 09:12"',
          '/in #inc-',
          'press Acknowledge',
          'expect *Acknowledged:* @alice',
          'submit nothing-open=1',
          'expect-error No modal is open',
        ].join('\n'),
      ),
    );
    expect(transcript).toContain('CRITICAL: Incident - Quotes are stale');
    expect(transcript).toContain('market-data, data-ingestor');
    expect(transcript).toContain('(script passed)');
    expect(code).toBe(0);
  }, 120_000);
});
