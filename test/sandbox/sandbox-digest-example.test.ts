import { describe, it } from 'vitest';
import { playsGreen } from './sandbox-play.ts';

describe('sandbox examples', () => {
  // Its scheduled pulse digest comes within the minute the script waits for it.
  it('digest.eafix plays green and shows its runbook outcome', () => playsGreen('digest.eafix'), 240_000);
});
