import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { exampleOutcomes, playsGreen } from './sandbox-play.ts';

/** The digest example waits a minute for its schedule: it plays in a file of its own, beside these. */
const playedElsewhere = ['digest.eafix'];

describe('sandbox examples', () => {
  it('has an expected outcome for every example', async () => {
    expect((await readdir('examples')).filter((f) => f.endsWith('.eafix')).sort()).toEqual(
      Object.keys(exampleOutcomes).sort(),
    );
  });

  // One at a time: several worlds at once starve each other on a busy machine (Slack's 3 s ack deadline).
  describe('every example plays green and shows its runbook outcome', () => {
    for (const file of Object.keys(exampleOutcomes).filter((f) => !playedElsewhere.includes(f)))
      it(file, () => playsGreen(file), 240_000);
  });
});
