import { describe, expect, it } from 'vitest';
import { CachedDirectory, type SlackDirectory } from '../../src/permissions/directory.ts';

/** Slack's answers as they stand; `asked` counts the calls that reached it. */
function slack() {
  const state = { names: new Map([['C0OPS', 'eafix-ops']]), members: ['U0ALICE'], asked: 0, down: false };
  const directory: SlackDirectory = {
    channelName: async (id) => {
      state.asked += 1;
      if (state.down) throw new Error('slack_unavailable');
      return state.names.get(id) ?? 'unknown';
    },
    usergroupMembers: async () => {
      state.asked += 1;
      if (state.down) throw new Error('slack_unavailable');
      return state.members;
    },
  };
  return { state, directory };
}

describe('CachedDirectory', () => {
  it('asks Slack once per TTL, and sees a renamed channel once it expires', async () => {
    let now = 0;
    const { state, directory } = slack();
    const cached = new CachedDirectory(directory, 60_000, () => now);
    expect(await cached.channelName('C0OPS')).toBe('eafix-ops');
    expect(await cached.channelName('C0OPS')).toBe('eafix-ops');
    expect(state.asked).toBe(1);
    state.names.set('C0OPS', 'eafix-ops-old');
    now += 60_000;
    expect(await cached.channelName('C0OPS')).toBe('eafix-ops-old');
  });

  it('keeps no failure: the next request asks Slack again', async () => {
    const { state, directory } = slack();
    const cached = new CachedDirectory(directory, 60_000, () => 0);
    state.down = true;
    await expect(cached.usergroupMembers('@oncall')).rejects.toThrow('slack_unavailable');
    state.down = false;
    expect(await cached.usergroupMembers('@oncall')).toEqual(['U0ALICE']);
  });
});
