import { describe, expect, it } from 'vitest';
import { deepFreeze, jsonBytes } from '../src/frozen.ts';
import { toSlackResponse } from '../src/bot/slack-response.ts';

describe('deepFreeze and jsonBytes', () => {
  it('freezes nested objects and arrays', () => {
    const value = deepFreeze({ blocks: [{ type: 'section', text: { text: 'a' } }] });
    expect(Object.isFrozen(value.blocks)).toBe(true);
    expect(Object.isFrozen(value.blocks[0]?.text)).toBe(true);
    expect(() => {
      (value.blocks as unknown as unknown[]).push({});
    }).toThrow(TypeError);
  });

  it('encodes a frozen value once and a mutable one every time', () => {
    const frozen = deepFreeze({ text: 'héllo' });
    expect(jsonBytes(frozen)).toBe(jsonBytes(frozen));
    expect(jsonBytes(frozen).toString('utf8')).toBe('{"text":"héllo"}');
    const mutable: { text: string } = { text: 'before' };
    expect(jsonBytes(mutable).toString()).toBe('{"text":"before"}');
    mutable.text = 'after';
    expect(jsonBytes(mutable).toString()).toBe('{"text":"after"}');
  });

  it('shares the Slack response of a frozen reply, and builds a fresh one for a mutable reply', () => {
    const shared = deepFreeze({ text: 'list', blocks: [{ type: 'divider' }] });
    expect(toSlackResponse(shared)).toBe(toSlackResponse(shared));
    expect(toSlackResponse(shared)).toEqual({
      response_type: 'ephemeral',
      text: 'list',
      blocks: [{ type: 'divider' }],
    });
    const own = { text: 'mine', visibility: 'in_channel' as const };
    expect(toSlackResponse(own)).not.toBe(toSlackResponse(own));
    expect(toSlackResponse(own)).toEqual({ response_type: 'in_channel', text: 'mine' });
  });
});
