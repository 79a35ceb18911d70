import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { play, scriptFolder } from './sandbox-play.ts';

let folder: Awaited<ReturnType<typeof scriptFolder>>;
const script = (name: string, text: string) => folder.script(name, text);

beforeAll(async () => {
  folder = await scriptFolder();
});
afterAll(async () => {
  await folder?.remove();
});

describe('sandbox scripts', () => {
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
