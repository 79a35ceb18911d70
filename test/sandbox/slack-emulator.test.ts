import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOT_TOKEN, slackError, startHarness } from './slack-emulator-helpers.ts';
import type { Harness } from './slack-emulator-helpers.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.emu.stop();
});

describe('auth and dispatch', () => {
  it('auth.test answers with the bot identity', async () => {
    const res = await h.client.auth.test();
    expect(res).toMatchObject({ ok: true, team_id: 'T0EAFIX', user_id: h.emu.botUserId, bot_id: 'B0EAFIXBOT' });
  });

  it('rejects a wrong token with invalid_auth and a missing one with not_authed (HTTP 200)', async () => {
    const wrong = await fetch(`${h.emu.apiUrl}auth.test`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-nope' },
    });
    expect(wrong.status).toBe(200);
    expect(await wrong.json()).toEqual({ ok: false, error: 'invalid_auth' });
    const missing = await fetch(`${h.emu.apiUrl}auth.test`, { method: 'POST' });
    expect(await missing.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('accepts the token as a form field and reports unknown methods', async () => {
    const form = await fetch(`${h.emu.apiUrl}auth.test`, {
      method: 'POST',
      body: new URLSearchParams({ token: BOT_TOKEN }),
    });
    expect(await form.json()).toMatchObject({ ok: true });
    expect((await slackError(h.client.apiCall('nope.nothing'))).error).toBe('unknown_method');
  });

  it('accepts JSON bodies with a bearer token', async () => {
    const res = await fetch(`${h.emu.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: h.emu.channelId('eafix-ops'), text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, message: { text: 'json' } });
    expect(h.emu.latestMessage('eafix-ops')?.blocks?.[0]).toMatchObject({ type: 'divider' });
  });

  it('logs every call with its outcome and hides the token', async () => {
    await h.client.auth.test();
    await slackError(h.client.chat.postMessage({ channel: 'C_NOPE', text: 'x' }));
    expect(h.emu.calls.map((c) => [c.method, c.ok, c.error, c.status])).toEqual([
      ['auth.test', true, undefined, 200],
      ['chat.postMessage', false, 'channel_not_found', 200],
    ]);
    expect(h.emu.calls.every((c) => !('token' in c.args))).toBe(true);
  });
});

describe('chat', () => {
  it('posts by channel name and returns channel, ts and message like Slack', async () => {
    const res = await h.client.chat.postMessage({ channel: '#eafix-ops', text: 'hello' });
    expect(res.channel).toBe(h.emu.channelId('eafix-ops'));
    expect(res.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(res.message).toMatchObject({
      type: 'message',
      text: 'hello',
      user: h.emu.botUserId,
      bot_id: 'B0EAFIXBOT',
      ts: res.ts,
    });
    expect(h.emu.messages('eafix-ops').map((m) => m.text)).toEqual(['hello']);
  });

  it('issues strictly increasing ts values even when the clock stands still', async () => {
    const a = await h.client.chat.postMessage({ channel: '#eafix-ops', text: 'a' });
    const b = await h.client.chat.postMessage({ channel: '#eafix-ops', text: 'b' });
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
  });

  it('threads replies, counts them and shows broadcasts in the channel', async () => {
    const parent = await h.client.chat.postMessage({ channel: 'eafix-ops', text: 'parent' });
    await h.client.chat.postMessage({ channel: 'eafix-ops', text: 'r1', thread_ts: parent.ts! });
    const r2 = await h.client.chat.postMessage({
      channel: 'eafix-ops',
      text: 'r2',
      thread_ts: parent.ts!,
      reply_broadcast: true,
    });
    expect(r2.message?.thread_ts).toBe(parent.ts);
    expect(h.emu.thread('eafix-ops', parent.ts!).map((m) => m.text)).toEqual(['parent', 'r1', 'r2']);
    expect(h.emu.messages('eafix-ops').map((m) => m.text)).toEqual(['parent', 'r2']);
    const replies = await h.client.conversations.replies({ channel: res(parent.channel), ts: parent.ts! });
    expect(replies.messages?.[0]).toMatchObject({ text: 'parent', reply_count: 2, latest_reply: r2.ts });
  });

  it('updates, deletes and permalinks messages', async () => {
    const posted = await h.client.chat.postMessage({ channel: 'eafix-ops', text: 'v1' });
    const channel = res(posted.channel);
    const updated = await h.client.chat.update({ channel, ts: posted.ts!, text: 'v2' });
    expect(updated).toMatchObject({ ok: true, ts: posted.ts, text: 'v2' });
    expect(h.emu.latestMessage('eafix-ops')).toMatchObject({ text: 'v2', edited: { user: h.emu.botUserId } });
    const link = await h.client.chat.getPermalink({ channel, message_ts: posted.ts! });
    expect(link.permalink).toBe(`https://eafix.slack.com/archives/${channel}/p${posted.ts!.replace('.', '')}`);
    await h.client.chat.delete({ channel, ts: posted.ts! });
    expect(h.emu.messages('eafix-ops')).toEqual([]);
    expect((await slackError(h.client.chat.update({ channel, ts: posted.ts!, text: 'x' }))).error).toBe(
      'message_not_found',
    );
  });

  it('stores ephemerals per user and refuses users outside the channel', async () => {
    const channel = h.emu.channelId('eafix-ops');
    const res1 = await h.client.chat.postEphemeral({ channel, user: h.emu.userId('alice'), text: 'psst' });
    expect(res1.message_ts).toMatch(/^\d+\.\d+$/);
    expect(h.emu.ephemerals('alice').map((e) => e.text)).toEqual(['psst']);
    expect(h.emu.ephemerals('bob')).toEqual([]);
    const err = await slackError(h.client.chat.postEphemeral({ channel, user: h.emu.userId('carol'), text: 'x' }));
    expect(err.error).toBe('user_not_in_channel');
  });

  it('enforces channel visibility: unknown, private non-member, archived', async () => {
    expect((await slackError(h.client.chat.postMessage({ channel: 'C0MISSING', text: 'x' }))).error).toBe(
      'channel_not_found',
    );
    expect((await slackError(h.client.chat.postMessage({ channel: '#secret-ops', text: 'x' }))).error).toBe(
      'not_in_channel',
    );
    const open = h.emu.addChannel({ name: 'public-no-bot' });
    await expect(h.client.chat.postMessage({ channel: open.id, text: 'chat:write.public' })).resolves.toMatchObject({
      ok: true,
    });
    const channel = h.emu.channelId('eafix-ops');
    await h.client.conversations.archive({ channel });
    expect((await slackError(h.client.conversations.archive({ channel }))).error).toBe('already_archived');
    expect((await slackError(h.client.chat.postMessage({ channel, text: 'x' }))).error).toBe('is_archived');
  });

  it('rejects empty and oversized messages', async () => {
    expect((await slackError(h.client.chat.postMessage({ channel: 'eafix-ops', text: '' }))).error).toBe('no_text');
    const long = 'x'.repeat(40_001);
    expect((await slackError(h.client.chat.postMessage({ channel: 'eafix-ops', text: long }))).error).toBe(
      'msg_too_long',
    );
    await expect(h.client.chat.postMessage({ channel: 'eafix-ops', text: 'x'.repeat(40_000) })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('posting to a user id opens the bot DM', async () => {
    const alice = h.emu.userId('alice');
    const posted = await h.client.chat.postMessage({ channel: alice, text: 'dm' });
    expect(posted.channel).toMatch(/^D/);
    expect(h.emu.state.channels.get(res(posted.channel))).toMatchObject({ is_im: true, user: alice });
  });
});

describe('conversations', () => {
  it('creates channels and enforces Slack naming rules', async () => {
    const created = await h.client.conversations.create({ name: 'inc-42', is_private: true });
    expect(created.channel).toMatchObject({ name: 'inc-42', is_private: true, is_member: true });
    expect(h.emu.channelByName('inc-42').members).toEqual([h.emu.botUserId]);
    expect((await slackError(h.client.conversations.create({ name: 'inc-42' }))).error).toBe('name_taken');
    expect((await slackError(h.client.conversations.create({ name: 'Bad Name' }))).error).toBe('invalid_name_specials');
    expect((await slackError(h.client.conversations.create({ name: 'a'.repeat(81) }))).error).toBe(
      'invalid_name_maxlength',
    );
    await expect(h.client.conversations.create({ name: 'a'.repeat(80) })).resolves.toMatchObject({ ok: true });
  });

  it('invites users, failing the whole call on one bad user unless force is set', async () => {
    const { channel } = await h.client.conversations.create({ name: 'inc-7' });
    const id = res(channel?.id);
    const [alice, bob] = [h.emu.userId('alice'), h.emu.userId('bob')];
    const partial = await slackError(h.client.conversations.invite({ channel: id, users: `${alice},U0GHOST` }));
    expect(partial.error).toBe('user_not_found');
    expect(partial.data.errors).toEqual([{ user: 'U0GHOST', ok: false, error: 'user_not_found' }]);
    expect(h.emu.channelByName('inc-7').members).toEqual([h.emu.botUserId]);

    const forced = await h.client.conversations.invite({ channel: id, users: `${alice},U0GHOST`, force: true });
    expect(forced.ok).toBe(true);
    expect((forced as { errors?: unknown[] }).errors).toHaveLength(1);
    expect(h.emu.channelByName('inc-7').members).toContain(alice);

    expect((await slackError(h.client.conversations.invite({ channel: id, users: alice }))).error).toBe(
      'already_in_channel',
    );
    expect((await slackError(h.client.conversations.invite({ channel: id, users: h.emu.botUserId }))).error).toBe(
      'cant_invite_self',
    );
    await h.client.conversations.invite({ channel: id, users: bob });
    const members = await h.client.conversations.members({ channel: id });
    expect(members.members).toEqual([h.emu.botUserId, alice, bob]);
  });

  it('sets topic and purpose, visible through conversations.info', async () => {
    const channel = h.emu.channelId('eafix-ops');
    await h.client.conversations.setTopic({ channel, topic: 'SEV2: payments' });
    await h.client.conversations.setPurpose({ channel, purpose: 'ops' });
    const info = await h.client.conversations.info({ channel });
    expect(info.channel).toMatchObject({ topic: { value: 'SEV2: payments' }, purpose: { value: 'ops' } });
  });

  it('joins public channels and reads history only as a member', async () => {
    const open = h.emu.addChannel({ name: 'general' });
    expect((await slackError(h.client.conversations.history({ channel: open.id }))).error).toBe('not_in_channel');
    await h.client.conversations.join({ channel: open.id });
    await expect(h.client.conversations.history({ channel: open.id })).resolves.toMatchObject({
      ok: true,
      messages: [],
    });
  });

  it('pages history newest first with next_cursor', async () => {
    const channel = h.emu.channelId('eafix-ops');
    for (let i = 1; i <= 5; i += 1) await h.client.chat.postMessage({ channel, text: `m${i}` });
    const first = await h.client.conversations.history({ channel, limit: 2 });
    expect(first.messages?.map((m) => m.text)).toEqual(['m5', 'm4']);
    expect(first.has_more).toBe(true);
    const cursor = first.response_metadata?.next_cursor;
    expect(cursor).toBeTruthy();
    const second = await h.client.conversations.history({ channel, limit: 2, cursor });
    expect(second.messages?.map((m) => m.text)).toEqual(['m3', 'm2']);
    const all: string[] = [];
    for await (const page of h.client.paginate('conversations.history', { channel, limit: 2 })) {
      all.push(...((page as { messages?: Array<{ text: string }> }).messages ?? []).map((m) => m.text));
    }
    expect(all).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
  });

  it('pins messages once and rejects unknown ones', async () => {
    const channel = h.emu.channelId('eafix-ops');
    const posted = await h.client.chat.postMessage({ channel, text: 'pin me' });
    await h.client.pins.add({ channel, timestamp: posted.ts! });
    expect(h.emu.state.pins.get(channel)?.map((p) => p.ts)).toEqual([posted.ts]);
    expect((await slackError(h.client.pins.add({ channel, timestamp: posted.ts! }))).error).toBe('already_pinned');
    expect((await slackError(h.client.pins.add({ channel, timestamp: '1.000001' }))).error).toBe('message_not_found');
  });
});

describe('users and usergroups', () => {
  it('resolves users and usergroup members', async () => {
    const group = h.emu.addUsergroup({ handle: 'eafix-oncall', users: ['alice', 'bob'] });
    const users = await h.client.usergroups.users.list({ usergroup: group.id });
    expect(users.users).toEqual([h.emu.userId('alice'), h.emu.userId('bob')]);
    const list = await h.client.usergroups.list({ include_users: true });
    expect(list.usergroups?.[0]).toMatchObject({ id: group.id, handle: 'eafix-oncall', user_count: 2 });
    expect((await slackError(h.client.usergroups.users.list({ usergroup: 'S0NOPE' }))).error).toBe('no_such_subteam');
    const info = await h.client.users.info({ user: h.emu.userId('alice') });
    expect(info.user).toMatchObject({ name: 'alice', real_name: 'Alice Ops', is_bot: false, team_id: 'T0EAFIX' });
    expect((await slackError(h.client.users.info({ user: 'U0NOPE' }))).error).toBe('user_not_found');
    const all = await h.client.users.list({});
    expect(all.members?.map((m) => m.name)).toEqual(['eafix', 'alice', 'bob', 'carol']);
  });
});

function res(value: string | undefined): string {
  if (!value) throw new Error('missing value');
  return value;
}
