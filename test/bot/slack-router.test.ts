import { describe, expect, it } from 'vitest';
import { App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import { SlackRouter } from '../../src/bot/slack-router.ts';

/** A Bolt app with no transport: requests are handed to processEvent as our receiver does. */
function boltApp(): App {
  const receiver: Receiver = { init: () => undefined, start: async () => undefined, stop: async () => undefined };
  return new App({ receiver, authorize: async () => ({ botToken: 'xoxb-test', botId: 'B1', botUserId: 'U0BOT' }) });
}

function deliver(app: App, body: Record<string, unknown>): Promise<{ acked: boolean }> {
  const seen = { acked: false };
  const event: ReceiverEvent = {
    body,
    ack: async () => {
      seen.acked = true;
    },
  };
  return app.processEvent(event).then(() => seen);
}

const click = (actionId: string) => ({
  type: 'block_actions',
  team: { id: 'T1' },
  user: { id: 'U1' },
  api_app_id: 'A1',
  token: 't',
  trigger_id: 'tr',
  container: { type: 'message', message_ts: '1.1', channel_id: 'C1' },
  channel: { id: 'C1' },
  actions: [{ type: 'button', action_id: actionId, block_id: 'b', action_ts: '1.2', value: 'v' }],
});

const submit = (callbackId: string) => ({
  type: 'view_submission',
  team: { id: 'T1' },
  user: { id: 'U1' },
  api_app_id: 'A1',
  token: 't',
  trigger_id: 'tr',
  view: { id: 'V1', callback_id: callbackId, state: { values: {} }, private_metadata: '', hash: 'h' },
});

describe('SlackRouter', () => {
  it('runs the listener of the clicked action id only, once', async () => {
    const app = boltApp();
    const router = new SlackRouter();
    const calls: string[] = [];
    router.action('approval:approve', async ({ ack }) => {
      calls.push('approve');
      await ack();
    });
    router.action('approval:reject', async ({ ack }) => {
      calls.push('reject');
      await ack();
    });
    router.mount(app);
    const seen = await deliver(app, click('approval:approve'));
    expect(calls).toEqual(['approve']);
    expect(seen.acked).toBe(true);
  });

  it('matches patterns and runs every matching listener, as Bolt would', async () => {
    const app = boltApp();
    const router = new SlackRouter();
    const calls: string[] = [];
    router.action(/^diagnose:remedy:\d+$/, async () => void calls.push('pattern'));
    router.action('diagnose:remedy:2', async () => void calls.push('exact'));
    router.action(/^incident:/, async () => void calls.push('other'));
    router.mount(app);
    await deliver(app, click('diagnose:remedy:2'));
    expect(calls.sort()).toEqual(['exact', 'pattern']);
  });

  it('leaves an action nobody listens for unacknowledged for the receiver to answer', async () => {
    const app = boltApp();
    const router = new SlackRouter();
    const calls: string[] = [];
    router.action('approval:approve', async () => void calls.push('approve'));
    router.mount(app);
    const seen = await deliver(app, click('unknown:button'));
    expect(calls).toEqual([]);
    expect(seen.acked).toBe(false);
  });

  it('routes view submissions by callback id', async () => {
    const app = boltApp();
    const router = new SlackRouter();
    const calls: string[] = [];
    router.view('deploy:form', async ({ ack }) => {
      calls.push('deploy');
      await ack();
    });
    router.view('incident:form', async () => void calls.push('incident'));
    router.mount(app);
    await deliver(app, submit('deploy:form'));
    expect(calls).toEqual(['deploy']);
  });

  it('hands a listener failure to Bolt error handling', async () => {
    const app = boltApp();
    const errors: unknown[] = [];
    app.error(async (error) => void errors.push(error));
    const router = new SlackRouter();
    router.action('boom', async () => {
      throw new Error('listener broke');
    });
    router.mount(app);
    await deliver(app, click('boom'));
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error & { original?: Error }).original ?? errors[0])).toContain('listener broke');
  });

  it('adds one global middleware and no Bolt listener, however many listeners there are', async () => {
    const app = boltApp();
    const internals = app as unknown as { listeners: unknown[]; middleware: unknown[] };
    const middlewareBefore = internals.middleware.length;
    const router = new SlackRouter();
    router.command('/eafix', async () => undefined);
    for (let i = 0; i < 20; i++) router.action(`button:${i}`, async () => undefined);
    router.view('form', async () => undefined);
    router.event('app_home_opened', async () => undefined);
    router.mount(app);
    expect(internals.listeners).toHaveLength(0);
    expect(internals.middleware).toHaveLength(middlewareBefore + 1);
  });

  it('routes slash commands by name and hands anything unrouted on to Bolt listeners', async () => {
    const app = boltApp();
    const router = new SlackRouter();
    const calls: string[] = [];
    router.command('/eafix', async ({ ack, command }) => {
      calls.push(`eafix ${command.text}`);
      await ack();
    });
    router.mount(app);
    app.command('/other', async ({ ack }) => {
      calls.push('bolt listener');
      await ack();
    });
    const command = (name: string) => ({
      command: name,
      text: 'help',
      team_id: 'T1',
      user_id: 'U1',
      channel_id: 'C1',
      api_app_id: 'A1',
      trigger_id: 'tr',
      response_url: 'http://127.0.0.1:9/r',
      token: 't',
    });
    expect((await deliver(app, command('/eafix'))).acked).toBe(true);
    expect((await deliver(app, command('/other'))).acked).toBe(true);
    expect(calls).toEqual(['eafix help', 'bolt listener']);
  });

  it('does not take a closed view for a submission', async () => {
    const app = boltApp();
    const router = new SlackRouter();
    const calls: string[] = [];
    router.view('deploy:form', async () => void calls.push('submitted'));
    router.mount(app);
    await deliver(app, { ...submit('deploy:form'), type: 'view_closed', is_cleared: false });
    expect(calls).toEqual([]);
  });
});
