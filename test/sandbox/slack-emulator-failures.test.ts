import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackEmulator } from '@eafix/sandbox/slack';

const TOKEN = 'xoxb-failures-test';
let emu: SlackEmulator;
let channel: string;

beforeAll(async () => {
  emu = new SlackEmulator({ botToken: TOKEN, signingSecret: 'failures-secret' });
  await emu.start();
  channel = emu.addChannel({ name: 'failures', botMember: true }).id;
});
afterAll(async () => {
  await emu.stop();
});

const call = (method: string, args: Record<string, unknown>) =>
  fetch(`${emu.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(args),
  });

describe('Slack emulator failure injection and message metadata', () => {
  it('returns message metadata from history and replies only with include_all_metadata', async () => {
    const metadata = { event_type: 'eafix_outbox', event_payload: { key: 'k1' } };
    const posted = (await (await call('chat.postMessage', { channel, text: 'with metadata', metadata })).json()) as {
      ts: string;
    };
    const plain = (await (await call('conversations.history', { channel })).json()) as {
      messages: Array<{ metadata?: unknown }>;
    };
    expect(plain.messages[0]?.metadata).toBeUndefined();
    const full = (await (await call('conversations.history', { channel, include_all_metadata: true })).json()) as {
      messages: Array<{ ts: string; metadata?: unknown }>;
    };
    expect(full.messages[0]).toMatchObject({ ts: posted.ts, metadata });
    const replies = (await (
      await call('conversations.replies', { channel, ts: posted.ts, include_all_metadata: true })
    ).json()) as { messages: Array<{ metadata?: unknown }> };
    expect(replies.messages[0]?.metadata).toEqual(metadata);
  });

  it('answers 5xx, 429 with Retry-After and internal_error without doing the call, then recovers', async () => {
    const before = emu.messages(channel).length;
    emu.injectFailure({ kind: 'http-5xx', method: 'chat.postMessage', times: 1, status: 502 });
    emu.injectFailure({ kind: 'ratelimited', method: 'chat.postMessage', times: 1, retryAfterSeconds: 42 });
    emu.injectFailure({ kind: 'internal_error', method: 'chat.postMessage', times: 1 });
    const first = await call('chat.postMessage', { channel, text: 'x' });
    expect(first.status).toBe(502);
    const second = await call('chat.postMessage', { channel, text: 'x' });
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, '42']);
    expect(await (await call('chat.postMessage', { channel, text: 'x' })).json()).toEqual({
      ok: false,
      error: 'internal_error',
    });
    expect(emu.messages(channel)).toHaveLength(before);
    expect(((await (await call('chat.postMessage', { channel, text: 'through' })).json()) as { ok: boolean }).ok).toBe(
      true,
    );
    expect(emu.messages(channel)).toHaveLength(before + 1);
  });

  it('loses the answer of a call it did, and resets a connection before doing one', async () => {
    const before = emu.messages(channel).length;
    const lift = emu.injectFailure({ kind: 'lost-answer', method: 'chat.postMessage', channel });
    await expect(call('chat.postMessage', { channel, text: 'landed, answer lost' })).rejects.toThrow();
    lift();
    expect(
      emu
        .messages(channel)
        .slice(before)
        .map((m) => m.text),
    ).toEqual(['landed, answer lost']);
    emu.injectFailure({ kind: 'reset', method: 'chat.update', times: 1 });
    await expect(
      call('chat.update', { channel, ts: emu.messages(channel).at(-1)!.ts, text: 'edited' }),
    ).rejects.toThrow();
    expect(emu.messages(channel).at(-1)?.text).toBe('landed, answer lost');
    emu.clearFailures();
  });
});
