import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '@slack/bolt';
import { request } from 'undici';
import pino from 'pino';
import { SlackHttpReceiver } from '../../src/bot/slack-http-receiver.ts';
import type { InboundGate } from '../../src/bot/inbound-gate.ts';

const secret = 'receiver-test-secret';

function signedHeaders(body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signature,
  };
}

describe('SlackHttpReceiver', () => {
  const admitted: Record<string, unknown>[] = [];
  // The gate's own checks have their tests; here it admits everything and remembers what it saw.
  const gate = {
    admit: async (body: Record<string, unknown>) => {
      admitted.push(body);
      return { admit: true, request: {}, replayUnverified: false };
    },
    refuseSignature: async () => undefined,
  } as unknown as InboundGate;
  const receiver = new SlackHttpReceiver({
    signingSecret: secret,
    port: 0,
    host: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    gate,
    readiness: async () => ({ database: 'ok' }),
  });
  let url = '';

  beforeAll(async () => {
    const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-test', botUserId: 'U0BOT' }) });
    app.command('/eafix', async ({ ack, command }) =>
      ack({ response_type: 'ephemeral', text: `echo ${command.text}` }),
    );
    await receiver.start();
    url = `http://127.0.0.1:${receiver.port}/slack/events`;
  });
  afterAll(() => receiver.stop());

  it('reads a signed command and answers with the listener ack', async () => {
    const body = new URLSearchParams({
      command: '/eafix',
      text: 'héllo wörld',
      team_id: 'T1',
      user_id: 'U1',
      channel_id: 'C1',
      api_app_id: 'A1',
      trigger_id: '1.2.3',
      response_url: 'http://127.0.0.1:9/response',
      token: 'x',
    }).toString();
    const res = await request(url, { method: 'POST', headers: signedHeaders(body), body });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ response_type: 'ephemeral', text: 'echo héllo wörld' });
    expect(admitted.at(-1)?.text).toBe('héllo wörld');
  });

  it('refuses a body over 1 MiB with 413 before checking its signature or admitting it', async () => {
    const before = admitted.length;
    const body = `text=${'a'.repeat(1024 * 1024 + 10)}`;
    const res = await request(url, { method: 'POST', headers: signedHeaders(body), body });
    expect(res.statusCode).toBe(413);
    expect(await res.body.json()).toEqual({ error: 'body_too_large' });
    expect(admitted.length).toBe(before);
  });

  it('refuses a request whose signature does not match its body', async () => {
    const body = 'command=%2Feafix&text=help';
    const res = await request(url, { method: 'POST', headers: signedHeaders(`${body}&x=1`), body });
    expect(res.statusCode).toBe(401);
  });
});
