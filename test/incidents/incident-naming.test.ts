import { describe, expect, it } from 'vitest';
import { CHANNEL_NAME_MAX, warRoomName } from '../../src/handlers/incidents/incident-naming.ts';

const valid = /^[a-z0-9][a-z0-9_-]*$/;

describe('war-room channel names', () => {
  it('are the lowercase incident id under the prefix, without repeating "inc"', () => {
    expect(warRoomName('inc', 'INC-20261123-003')).toBe('inc-20261123-003');
    expect(warRoomName('sec-war', 'INC-20261123-003')).toBe('sec-war-20261123-003');
  });

  it('get a numeric suffix on later attempts (name_taken)', () => {
    expect(warRoomName('inc', 'INC-20261123-003', 2)).toBe('inc-20261123-003-2');
    expect(warRoomName('inc', 'INC-20261123-003', 11)).toBe('inc-20261123-003-11');
  });

  it('keep to Slack’s characters and 80-character limit, suffix included', () => {
    const long = `INC-20261123-${'9'.repeat(120)}`;
    for (const attempt of [1, 2, 19]) {
      const name = warRoomName('inc', long, attempt);
      expect(name.length).toBeLessThanOrEqual(CHANNEL_NAME_MAX);
      expect(name).toMatch(valid);
      if (attempt > 1) expect(name.endsWith(`-${attempt}`)).toBe(true);
    }
    expect(warRoomName('inc', long, 2)).not.toBe(warRoomName('inc', long, 3));
    expect(warRoomName('War Room!', 'INC.2026 11 23')).toMatch(valid);
  });
});
