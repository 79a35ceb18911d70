import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackDriver } from '@eafix/sandbox/slack';
import { BOT_TOKEN, SIGNING_SECRET, startHarness } from './slack-emulator-helpers.ts';
import type { Harness } from './slack-emulator-helpers.ts';

let h: Harness;
let app: App;
let driver: SlackDriver;

beforeEach(async () => {
  // Real clock here: Bolt checks request timestamps against its own clock.
  h = await startHarness({ now: Date.now });
  app = new App({
    token: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    clientOptions: { slackApiUrl: h.emu.apiUrl, retryConfig: { retries: 0 } },
    logLevel: LogLevel.ERROR,
  });
  app.command('/eafix', async ({ ack, respond, command, client }) => {
    await ack({ text: `working on ${command.text}` });
    await respond({ text: 'done (ephemeral)' });
    await client.chat.postMessage({
      channel: command.channel_id,
      text: 'Approve restart?',
      blocks: [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' } }],
        },
      ],
    });
  });
  app.action('approve', async ({ ack, body, client }) => {
    await ack();
    const trigger = (body as { trigger_id: string }).trigger_id;
    await client.views.open({
      trigger_id: trigger,
      view: {
        type: 'modal',
        callback_id: 'why',
        title: { type: 'plain_text', text: 'Why?' },
        submit: { type: 'plain_text', text: 'OK' },
        blocks: [
          {
            type: 'input',
            block_id: 'b',
            label: { type: 'plain_text', text: 'Reason' },
            element: { type: 'plain_text_input', action_id: 'r' },
          },
        ],
      },
    });
  });
  app.view('why', async ({ ack, view }) => {
    const reason = view.state.values.b?.r?.value ?? '';
    if (reason.length < 3) await ack({ response_action: 'errors', errors: { b: 'Too short' } });
    else await ack();
  });
  const server = (await app.start(0)) as Server;
  const port = (server.address() as AddressInfo).port;
  driver = new SlackDriver({
    emulator: h.emu,
    requestUrl: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: SIGNING_SECRET,
  });
});
afterEach(async () => {
  await app.stop();
  await h.emu.stop();
});

describe('real Bolt app against the emulator and driver', () => {
  it('runs a command → button → modal → submission round trip', async () => {
    const res = await driver.command({ user: 'alice', channel: 'eafix-ops', text: 'payments' });
    expect(res.status).toBe(200);
    const prompt = await h.emu.waitFor((emu) => emu.messages('eafix-ops').find((m) => m.text === 'Approve restart?'));
    await h.emu.waitFor((emu) => emu.ephemerals('alice').some((e) => e.text === 'done (ephemeral)'));
    // The ack and respond() race on the wire, as they do against Slack.
    expect(h.emu.ephemerals('alice')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ text: 'working on payments', source: 'command_ack' }),
        expect.objectContaining({ text: 'done (ephemeral)', source: 'response_url' }),
      ]),
    );

    await driver.clickButton({ user: 'alice', channel: 'eafix-ops', messageTs: prompt.ts, label: 'Approve' });
    const modal = await h.emu.waitFor((emu) => emu.openModals('alice')[0], { description: 'modal opened' });

    const rejected = await driver.submitView({ user: 'alice', viewId: modal.id, values: { r: 'no' } });
    expect(rejected).toMatchObject({ outcome: 'errors', errors: { b: 'Too short' } });
    const accepted = await driver.submitView({ user: 'alice', viewId: modal.id, values: { r: 'disk full' } });
    expect(accepted.outcome).toBe('closed');

    const bad = await driver.rawPost({ body: '{"type":"event_callback"}', signature: 'v0=forged' });
    expect(bad.status).toBe(401);
    expect(h.emu.calls.filter((c) => c.status === 429)).toEqual([]);
  });
});
