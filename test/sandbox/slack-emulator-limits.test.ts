import { WebAPIRateLimitedError } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_TOKEN, slackError, startHarness } from './slack-emulator-helpers.ts';
import type { Harness } from './slack-emulator-helpers.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.emu.stop();
  h = undefined;
});

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (actionId: string, text = 'Go', value = 'v') => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text },
  value,
});
const plain = (text: string) => ({ type: 'plain_text', text });

const INVALID: Array<[string, unknown[], string]> = [
  ['more than 50 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), '/blocks'],
  ['section text over 3000', [section('x'.repeat(3001))], '/blocks/0/text/text'],
  [
    'more than 10 fields',
    [{ type: 'section', fields: Array.from({ length: 11 }, () => plain('f')) }],
    '/blocks/0/fields',
  ],
  ['field over 2000', [{ type: 'section', fields: [plain('x'.repeat(2001))] }], '/blocks/0/fields/0/text'],
  ['header over 150', [{ type: 'header', text: plain('h'.repeat(151)) }], '/blocks/0/text/text'],
  ['header in mrkdwn', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], '/blocks/0/text/type'],
  [
    'more than 25 actions',
    [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`a${i}`)) }],
    '/blocks/0/elements',
  ],
  [
    'button text over 75',
    [{ type: 'actions', elements: [button('a', 'b'.repeat(76))] }],
    '/blocks/0/elements/0/text/text',
  ],
  ['action_id over 255', [{ type: 'actions', elements: [button('a'.repeat(256))] }], '/blocks/0/elements/0/action_id'],
  [
    'button value over 2000',
    [{ type: 'actions', elements: [button('a', 'Go', 'v'.repeat(2001))] }],
    '/blocks/0/elements/0/value',
  ],
  [
    'duplicate action_id',
    [{ type: 'actions', elements: [button('same'), button('same')] }],
    '/blocks/0/elements/1/action_id',
  ],
  [
    'duplicate block_id',
    [
      { ...section('a'), block_id: 'b1' },
      { ...section('b'), block_id: 'b1' },
    ],
    '/blocks/1/block_id',
  ],
  ['block_id over 255', [{ ...section('a'), block_id: 'b'.repeat(256) }], '/blocks/0/block_id'],
  [
    'context over 10',
    [{ type: 'context', elements: Array.from({ length: 11 }, () => plain('c')) }],
    '/blocks/0/elements',
  ],
  ['unknown block type', [{ type: 'carousel' }], '/blocks/0/type'],
];

describe('Block Kit validation', () => {
  it.each(INVALID)('rejects %s with invalid_blocks', async (_name, blocks, pointer) => {
    h = await startHarness();
    const err = await slackError(
      h.client.chat.postMessage({ channel: 'eafix-ops', text: 't', blocks: blocks as never }),
    );
    expect(err.error).toBe('invalid_blocks');
    const messages = (err.data.response_metadata as { messages: string[] }).messages;
    expect(messages.some((m) => m.startsWith('[ERROR]') && m.includes(`[json-pointer:${pointer}]`))).toBe(true);
    expect(h.emu.messages('eafix-ops')).toEqual([]);
  });

  it('accepts blocks at the limits and fills in block_ids', async () => {
    h = await startHarness();
    const blocks = [
      section('x'.repeat(3000)),
      { type: 'actions', elements: Array.from({ length: 25 }, (_, i) => button(`a${i}`, 'b'.repeat(75))) },
      ...Array.from({ length: 48 }, () => ({ type: 'divider' })),
    ];
    const res = await h.client.chat.postMessage({ channel: 'eafix-ops', text: 't', blocks });
    expect(res.ok).toBe(true);
    expect(h.emu.latestMessage('eafix-ops')?.blocks?.every((b) => typeof b.block_id === 'string')).toBe(true);
  });

  it('reports malformed blocks JSON as invalid_blocks_format', async () => {
    h = await startHarness();
    const res = await fetch(`${h.emu.apiUrl}chat.postMessage`, {
      method: 'POST',
      body: new URLSearchParams({ token: BOT_TOKEN, channel: h.emu.channelId('eafix-ops'), blocks: '[{not json' }),
    });
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_blocks_format' });
  });

  it('validates modal titles, buttons and block counts in views', async () => {
    h = await startHarness();
    const trigger = () => h!.emu.issueTriggerId('alice');
    const modal = (extra: Record<string, unknown>) =>
      ({ type: 'modal', title: plain('Ok'), blocks: [], ...extra }) as never;
    const long = await slackError(
      h.client.views.open({ trigger_id: trigger(), view: modal({ title: plain('t'.repeat(25)) }) }),
    );
    expect(long.error).toBe('invalid_arguments');
    expect(JSON.stringify(long.data.response_metadata)).toContain('/view/title/text');
    const submit = await slackError(
      h.client.views.open({ trigger_id: trigger(), view: modal({ submit: plain('s'.repeat(25)) }) }),
    );
    expect(JSON.stringify(submit.data.response_metadata)).toContain('/view/submit/text');
    const many = await slackError(
      h.client.views.open({
        trigger_id: trigger(),
        view: modal({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }),
      }),
    );
    expect(JSON.stringify(many.data.response_metadata)).toContain('/view/blocks');
    await expect(
      h.client.views.open({
        trigger_id: trigger(),
        view: modal({ blocks: Array.from({ length: 100 }, () => ({ type: 'divider' })) }),
      }),
    ).resolves.toMatchObject({ ok: true });
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a tightened tier is exhausted, and recovers as time passes', async () => {
    h = await startHarness({ rateLimits: { enabled: true, tiers: { 'chat.update': { perMinute: 5 } } } });
    const posted = await h.client.chat.postMessage({ channel: 'eafix-ops', text: 'v0' });
    const update = (text: string) => h!.client.chat.update({ channel: posted.channel!, ts: posted.ts!, text });
    for (let i = 1; i <= 5; i += 1) await update(`v${i}`);
    const limited = await update('v6').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(WebAPIRateLimitedError);
    expect((limited as WebAPIRateLimitedError).retryAfter).toBe(12);
    expect(h.emu.callsTo('chat.update').at(-1)).toMatchObject({ status: 429, error: 'ratelimited', ok: false });

    h.clock.advance(11_000);
    expect(await update('still').catch((e: unknown) => e)).toBeInstanceOf(WebAPIRateLimitedError);
    h.clock.advance(1_000);
    await expect(update('v7')).resolves.toMatchObject({ ok: true });
  });

  it('sends the Retry-After header on the wire', async () => {
    h = await startHarness({ rateLimits: { enabled: true, tiers: { 'auth.test': { perMinute: 1 } } } });
    const call = () =>
      fetch(`${h!.emu.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${BOT_TOKEN}` } });
    expect((await call()).status).toBe(200);
    const second = await call();
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('60');
    expect(await second.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('limits chat.postMessage to 1/s per channel after a short burst', async () => {
    h = await startHarness({ rateLimits: { enabled: true, postMessagePerChannelPerSecond: 1, postMessageBurst: 2 } });
    const post = (channel: string) => h!.client.chat.postMessage({ channel, text: 'x' });
    await post('eafix-ops');
    await post('#eafix-ops');
    const third = await post('eafix-ops').catch((e: unknown) => e);
    expect(third).toBeInstanceOf(WebAPIRateLimitedError);
    expect((third as WebAPIRateLimitedError).retryAfter).toBe(1);
    const other = h.emu.addChannel({ name: 'other', botMember: true });
    await expect(post(other.id)).resolves.toMatchObject({ ok: true });
    h.clock.advance(1000);
    await expect(post('eafix-ops')).resolves.toMatchObject({ ok: true });
  });

  it('uses Slack tiers by default and can be disabled', async () => {
    h = await startHarness({ rateLimits: {} });
    for (let i = 0; i < 20; i += 1) await h.client.conversations.create({ name: `tier2-${i}` });
    expect(await h.client.conversations.create({ name: 'tier2-x' }).catch((e: unknown) => e)).toBeInstanceOf(
      WebAPIRateLimitedError,
    );
    await h.emu.stop();

    h = await startHarness({ rateLimits: { enabled: false } });
    for (let i = 0; i < 30; i += 1) await h.client.conversations.create({ name: `free-${i}` });
    expect(h.emu.calls.every((c) => c.status === 200)).toBe(true);
  });
});

describe('views', () => {
  const modal = { type: 'modal', title: { type: 'plain_text', text: 'Restart' }, blocks: [section('Sure?')] } as never;

  it('requires a valid, unused, unexpired trigger_id for views.open', async () => {
    h = await startHarness();
    expect((await slackError(h.client.views.open({ trigger_id: 'made-up', view: modal }))).error).toBe(
      'invalid_trigger_id',
    );
    const trigger = h.emu.issueTriggerId('alice');
    const opened = await h.client.views.open({ trigger_id: trigger, view: modal });
    expect(opened.view).toMatchObject({ type: 'modal', id: expect.stringMatching(/^V/), hash: expect.any(String) });
    expect(h.emu.openModals('alice').map((v) => v.id)).toEqual([opened.view?.id]);
    expect((await slackError(h.client.views.open({ trigger_id: trigger, view: modal }))).error).toBe(
      'exchanged_trigger_id',
    );
    const stale = h.emu.issueTriggerId('alice');
    h.clock.advance(3001);
    expect((await slackError(h.client.views.open({ trigger_id: stale, view: modal }))).error).toBe(
      'expired_trigger_id',
    );
  });

  it('updates views by id or external_id and detects hash conflicts', async () => {
    h = await startHarness();
    const opened = await h.client.views.open({
      trigger_id: h.emu.issueTriggerId('alice'),
      view: { ...(modal as object), external_id: 'restart-1' } as never,
    });
    const { id, hash } = opened.view as { id: string; hash: string };
    const updated = await h.client.views.update({
      view_id: id,
      hash,
      view: { ...(modal as object), blocks: [section('Done')] } as never,
    });
    expect(updated.view?.hash).not.toBe(hash);
    expect((await slackError(h.client.views.update({ view_id: id, hash, view: modal }))).error).toBe('hash_conflict');
    await h.client.views.update({
      external_id: 'restart-1',
      view: { ...(modal as object), blocks: [section('Again')] } as never,
    });
    expect(JSON.stringify(h.emu.view(id)?.view.blocks)).toContain('Again');
  });

  it('publishes one App Home per user', async () => {
    h = await startHarness();
    const alice = h.emu.userId('alice');
    const home = { type: 'home', blocks: [section('Welcome')] } as never;
    const first = await h.client.views.publish({ user_id: alice, view: home });
    await h.client.views.publish({ user_id: alice, view: { type: 'home', blocks: [section('Updated')] } as never });
    expect(h.emu.homeView('alice')?.id).toBe(first.view?.id);
    expect(JSON.stringify(h.emu.homeView('alice')?.view.blocks)).toContain('Updated');
    expect(h.emu.homeView('bob')).toBeUndefined();
  });
});
