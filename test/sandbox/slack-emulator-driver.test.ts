import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackDriver, signSlackRequest } from '@eafix/sandbox/slack';
import { BotStub } from './slack-bot-stub.ts';
import { SIGNING_SECRET, startHarness } from './slack-emulator-helpers.ts';
import type { Harness } from './slack-emulator-helpers.ts';

let h: Harness;
let bot: BotStub;
let driver: SlackDriver;

beforeEach(async () => {
  h = await startHarness();
  bot = new BotStub(SIGNING_SECRET);
  await bot.start();
  driver = new SlackDriver({ emulator: h.emu, requestUrl: bot.url, signingSecret: SIGNING_SECRET });
});
afterEach(async () => {
  await bot.stop();
  await h.emu.stop();
});

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const buttons = (...labels: string[]) => [
  { type: 'section', text: { type: 'mrkdwn', text: 'Restart payments?' } },
  {
    type: 'actions',
    block_id: 'confirm',
    elements: labels.map((l) => ({
      type: 'button',
      action_id: `act_${l.toLowerCase()}`,
      text: { type: 'plain_text', text: l },
      value: `v_${l}`,
    })),
  },
];

describe('signing', () => {
  it('matches an independent HMAC computation', () => {
    const body = 'token=x&text=hi';
    const expected = `v0=${createHmac('sha256', 'secret').update(`v0:1700000000:${body}`).digest('hex')}`;
    expect(signSlackRequest('secret', 1700000000, body)).toBe(expected);
    expect(signSlackRequest('other', 1700000000, body)).not.toBe(expected);
  });
});

describe('slash commands', () => {
  it('sends the real form fields, signed, with a usable trigger_id and response_url', async () => {
    const result = await driver.command({ user: 'alice', channel: 'eafix-ops', text: 'status payments' });
    const req = bot.last();
    expect(req.signatureValid).toBe(true);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Math.abs(Number(req.headers['x-slack-request-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(req.body).toMatchObject({
      command: '/eafix',
      text: 'status payments',
      user_id: h.emu.userId('alice'),
      user_name: 'alice',
      channel_id: h.emu.channelId('eafix-ops'),
      channel_name: 'eafix-ops',
      team_id: 'T0EAFIX',
      team_domain: 'eafix',
      api_app_id: h.emu.appId,
      is_enterprise_install: 'false',
      response_url: result.responseUrl,
      trigger_id: result.triggerId,
    });
    expect(result.responseUrl.startsWith(`${h.emu.url}/response/`)).toBe(true);
    const modal = { type: 'modal', title: { type: 'plain_text', text: 'Hi' }, blocks: [] } as never;
    await expect(h.client.views.open({ trigger_id: String(req.body.trigger_id), view: modal })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('records the synchronous ack as an ephemeral for the invoker; in_channel posts', async () => {
    bot.reply = () => ({ body: { text: 'Usage: /eafix status', blocks: buttons('Help') } });
    const result = await driver.command({ user: 'alice', channel: 'eafix-ops', text: 'help' });
    expect(result.body).toMatchObject({ text: 'Usage: /eafix status' });
    expect(h.emu.ephemerals('alice')).toMatchObject([{ text: 'Usage: /eafix status', source: 'command_ack' }]);
    bot.reply = () => ({ body: '' });
    await driver.command({ user: 'alice', channel: 'eafix-ops', text: 'quiet' });
    expect(h.emu.ephemerals('alice')).toHaveLength(1);
    bot.reply = () => ({ body: { response_type: 'in_channel', text: 'Everyone: deploy frozen' } });
    await driver.command({ user: 'alice', channel: 'eafix-ops', text: 'freeze' });
    expect(h.emu.latestMessage('eafix-ops')?.text).toBe('Everyone: deploy frozen');
  });

  it('reports a failed ack the way Slack shows it', async () => {
    bot.reply = () => ({ status: 500, body: 'boom' });
    const result = await driver.command({ user: 'bob', channel: 'eafix-ops', text: 'x' });
    expect(result.status).toBe(500);
    expect(result.failure).toBe('http_service_error');
    expect(h.emu.ephemerals('bob')[0]?.text).toContain('http_service_error');
  });
});

describe('response_url', () => {
  it('is ephemeral by default, in_channel on request, and usable five times within 30 minutes', async () => {
    const { responseUrl } = await driver.command({ user: 'alice', channel: 'eafix-ops', text: 'x' });
    expect((await postJson(responseUrl, { text: 'only you' })).status).toBe(200);
    expect(h.emu.ephemerals('alice').map((e) => e.text)).toEqual(['only you']);
    await postJson(responseUrl, { text: 'everyone', response_type: 'in_channel' });
    expect(h.emu.latestMessage('eafix-ops')?.text).toBe('everyone');
    for (let i = 0; i < 3; i += 1) expect((await postJson(responseUrl, { text: `n${i}` })).status).toBe(200);
    const sixth = await postJson(responseUrl, { text: 'too many' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toMatchObject({ error: 'used_url' });

    const fresh = await driver.command({ user: 'alice', channel: 'eafix-ops', text: 'y' });
    h.clock.advance(30 * 60 * 1000 + 1);
    const late = await postJson(fresh.responseUrl, { text: 'late' });
    expect(late.status).toBe(404);
    expect(await late.json()).toMatchObject({ error: 'expired_url' });
  });
});

describe('block_actions', () => {
  it('clicks a message button by label with the real payload, and replace_original edits it', async () => {
    const posted = await h.client.chat.postMessage({
      channel: 'eafix-ops',
      text: 'confirm',
      blocks: buttons('Approve', 'Deny'),
    });
    const click = await driver.clickButton({ user: 'bob', channel: 'eafix-ops', messageTs: posted.ts!, label: 'Deny' });
    const req = bot.last();
    expect(req.signatureValid).toBe(true);
    expect(req.body).toMatchObject({
      type: 'block_actions',
      user: { id: h.emu.userId('bob'), username: 'bob', name: 'bob', team_id: 'T0EAFIX' },
      container: { type: 'message', message_ts: posted.ts, channel_id: posted.channel, is_ephemeral: false },
      channel: { id: posted.channel, name: 'eafix-ops' },
      team: { id: 'T0EAFIX', domain: 'eafix' },
      message: { ts: posted.ts, text: 'confirm' },
      trigger_id: click.triggerId,
      response_url: click.responseUrl,
      actions: [
        { action_id: 'act_deny', block_id: 'confirm', value: 'v_Deny', type: 'button', text: { text: 'Deny' } },
      ],
    });
    await postJson(click.responseUrl!, { replace_original: true, text: 'Denied by bob' });
    expect(h.emu.latestMessage('eafix-ops')).toMatchObject({ ts: posted.ts, text: 'Denied by bob' });
    expect(h.emu.latestMessage('eafix-ops')?.blocks).toBeUndefined();
    await expect(
      driver.clickButton({ user: 'bob', channel: 'eafix-ops', messageTs: posted.ts!, label: 'Deny' }),
    ).rejects.toThrow(/No button/);
  });

  it('clicks buttons in ephemerals and in views', async () => {
    const channel = h.emu.channelId('eafix-ops');
    const eph = await h.client.chat.postEphemeral({
      channel,
      user: h.emu.userId('alice'),
      text: 'pick',
      blocks: buttons('Yes'),
    });
    const click = await driver.clickButton({ user: 'alice', channel, messageTs: eph.message_ts!, actionId: 'act_yes' });
    expect(bot.last().body).toMatchObject({ container: { is_ephemeral: true, message_ts: eph.message_ts } });
    await postJson(click.responseUrl!, { delete_original: true });
    expect(h.emu.ephemerals('alice')).toEqual([]);

    const home = await h.client.views.publish({
      user_id: h.emu.userId('alice'),
      view: { type: 'home', blocks: buttons('Refresh') } as never,
    });
    await driver.clickButton({ user: 'alice', viewId: home.view!.id!, label: 'Refresh' });
    expect(bot.last().body).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: home.view?.id },
      view: { type: 'home' },
      actions: [{ action_id: 'act_refresh' }],
    });
  });
});

describe('view_submission', () => {
  it('pushes a second modal with response_action push and pops back on a plain ack', async () => {
    const first = await openModal();
    const pushed = { type: 'modal', title: { type: 'plain_text', text: 'Confirm' }, blocks: [] };
    bot.reply = () => ({ body: { response_action: 'push', view: pushed } });
    expect((await driver.submitView({ user: 'alice', viewId: first, values: { reason: 'x' } })).outcome).toBe('pushed');
    const stack = h.emu.openModals('alice');
    expect(stack.map((v) => v.view.title)).toMatchObject([{ text: 'Restart' }, { text: 'Confirm' }]);
    expect(stack[1]?.view.previous_view_id).toBe(first);
    bot.reply = () => ({ status: 200 });
    await driver.submitView({ user: 'alice', viewId: stack[1]!.id });
    expect(h.emu.openModals('alice').map((v) => v.id)).toEqual([first]);
  });

  const openModal = async (extra: Record<string, unknown> = {}) => {
    const view = {
      type: 'modal',
      callback_id: 'restart',
      private_metadata: '{"svc":"payments"}',
      title: { type: 'plain_text', text: 'Restart' },
      submit: { type: 'plain_text', text: 'Go' },
      blocks: [
        {
          type: 'input',
          block_id: 'reason_block',
          label: { type: 'plain_text', text: 'Reason' },
          element: { type: 'plain_text_input', action_id: 'reason' },
        },
        {
          type: 'input',
          block_id: 'sev_block',
          label: { type: 'plain_text', text: 'Severity' },
          element: {
            type: 'static_select',
            action_id: 'sev',
            options: [{ text: { type: 'plain_text', text: 'SEV2' }, value: 'sev2' }],
          },
        },
      ],
      ...extra,
    } as never;
    const res = await h.client.views.open({ trigger_id: h.emu.issueTriggerId('alice'), view });
    return res.view!.id!;
  };

  it('sends state.values shaped like Slack and surfaces response_action errors', async () => {
    const viewId = await openModal();
    bot.reply = () => ({ body: { response_action: 'errors', errors: { reason_block: 'Too short' } } });
    const result = await driver.submitView({
      user: 'alice',
      viewId,
      values: { reason: 'disk', sev_block: { sev: 'sev2' } },
    });
    expect(result.outcome).toBe('errors');
    expect(result.errors).toEqual({ reason_block: 'Too short' });
    expect(bot.last().body).toMatchObject({
      type: 'view_submission',
      view: {
        id: viewId,
        callback_id: 'restart',
        private_metadata: '{"svc":"payments"}',
        hash: expect.any(String),
        state: {
          values: {
            reason_block: { reason: { type: 'plain_text_input', value: 'disk' } },
            sev_block: { sev: { type: 'static_select', selected_option: { value: 'sev2', text: { text: 'SEV2' } } } },
          },
        },
      },
    });
    expect(h.emu.openModals('alice').map((v) => v.id)).toEqual([viewId]);
  });

  it('submits the fields left out with what they started with (initial value and options), as Slack does', async () => {
    const option = (value: string) => ({ text: { type: 'plain_text', text: value.toUpperCase() }, value });
    const input = (id: string, element: Record<string, unknown>) => ({
      type: 'input',
      block_id: id,
      label: { type: 'plain_text', text: id },
      element: { action_id: id, ...element },
    });
    const viewId = await openModal({
      blocks: [
        input('version', { type: 'plain_text_input', initial_value: '2.5.0' }),
        input('env', { type: 'static_select', options: [option('prod'), option('dr')], initial_option: option('dr') }),
        input('items', { type: 'checkboxes', options: [option('a'), option('b')], initial_options: [option('b')] }),
        input('reason', { type: 'plain_text_input' }),
      ],
    });
    bot.reply = () => ({ body: {} });
    await driver.submitView({ user: 'alice', viewId, values: { reason: 'why', items: ['a'] } });
    expect((bot.last().body as { view: { state: unknown } }).view.state).toMatchObject({
      values: {
        version: { version: { value: '2.5.0' } },
        env: { env: { selected_option: { value: 'dr' } } },
        items: { items: { selected_options: [{ value: 'a' }] } },
        reason: { reason: { value: 'why' } },
      },
    });
  });

  it('applies update, and closes on a plain ack', async () => {
    const viewId = await openModal();
    bot.reply = () => ({
      body: {
        response_action: 'update',
        view: { type: 'modal', title: { type: 'plain_text', text: 'Done' }, blocks: [] },
      },
    });
    expect((await driver.submitView({ user: 'alice', viewId, values: { reason: 'x' } })).outcome).toBe('updated');
    expect(h.emu.view(viewId)?.view.title).toMatchObject({ text: 'Done' });
    bot.reply = () => ({ status: 200 });
    expect((await driver.submitView({ user: 'alice', viewId })).outcome).toBe('closed');
    expect(h.emu.openModals('alice')).toEqual([]);
  });

  it('sends view_closed only when notify_on_close is set', async () => {
    const quiet = await openModal();
    expect(await driver.closeView({ user: 'alice', viewId: quiet })).toBeUndefined();
    expect(bot.received).toHaveLength(0);
    const loud = await openModal({ notify_on_close: true });
    await driver.closeView({ user: 'alice', viewId: loud });
    expect(bot.last().body).toMatchObject({ type: 'view_closed', view: { id: loud }, is_cleared: false });
  });
});

describe('Events API', () => {
  it('wraps events in the envelope with retry headers', async () => {
    const sent = await driver.event(
      { type: 'app_home_opened', user: 'alice', tab: 'home' },
      { retryNum: 1, retryReason: 'http_timeout' },
    );
    const req = bot.last();
    expect(req.signatureValid).toBe(true);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-slack-retry-num']).toBe('1');
    expect(req.headers['x-slack-retry-reason']).toBe('http_timeout');
    expect(req.body).toMatchObject({
      type: 'event_callback',
      team_id: 'T0EAFIX',
      api_app_id: h.emu.appId,
      event_id: sent.eventId,
      event: {
        type: 'app_home_opened',
        user: h.emu.userId('alice'),
        tab: 'home',
        channel: expect.stringMatching(/^D/),
      },
    });
    expect(typeof req.body.event_time).toBe('number');
  });

  it('answers url_verification and lets security tests forge requests', async () => {
    bot.reply = (r) => ({ body: { challenge: r.body.challenge } });
    expect((await driver.urlVerification('abc123')).body).toEqual({ challenge: 'abc123' });
    expect(bot.last().body).toMatchObject({ type: 'url_verification', challenge: 'abc123' });
    await driver.rawPost({ body: '{}', signature: 'v0=forged', timestamp: 1 });
    expect(bot.last().signatureValid).toBe(false);
    expect(bot.last().headers['x-slack-request-timestamp']).toBe('1');
    await driver.rawPost({ body: '{}', signature: null });
    expect(bot.last().headers['x-slack-signature']).toBeUndefined();
  });
});

describe('waitFor', () => {
  it('resolves on a later change, immediately when already true, and rejects on timeout', async () => {
    const waiting = h.emu.waitFor(
      (emu) => emu.latestMessage('eafix-ops')?.text === 'later' && emu.latestMessage('eafix-ops'),
    );
    await h.client.chat.postMessage({ channel: 'eafix-ops', text: 'later' });
    await expect(waiting).resolves.toMatchObject({ text: 'later' });
    await expect(h.emu.waitFor(() => true)).resolves.toBe(true);
    await expect(h.emu.waitFor(() => false, { timeoutMs: 30, description: 'a miracle' })).rejects.toThrow(/a miracle/);
  });

  it('treats a throwing predicate as not yet (e.g. a channel the bot has yet to create)', async () => {
    const waiting = h.emu.waitFor((emu) => emu.channelByName('inc-99'), { description: 'incident channel' });
    await h.client.conversations.create({ name: 'inc-99' });
    await expect(waiting).resolves.toMatchObject({ name: 'inc-99' });
    await expect(h.emu.waitFor((emu) => emu.channelByName('never'), { timeoutMs: 30 })).rejects.toThrow(
      /no channel never/,
    );
  });
});
