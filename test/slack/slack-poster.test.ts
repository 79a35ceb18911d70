import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { SlackEmulator } from '@eafix/sandbox/slack';
import { SlackRateLimitedError, WebApiSlackPoster } from '../../src/slack/slack-poster.ts';
import { createSlackClient } from '../../src/slack/slack-client.ts';

const BOT_TOKEN = 'xoxb-poster-test';
let emu: SlackEmulator;
let poster: WebApiSlackPoster;
let channel: string;

beforeAll(async () => {
  emu = new SlackEmulator({
    botToken: BOT_TOKEN,
    signingSecret: 'poster-secret',
    rateLimits: { tiers: { 'chat.update': { perMinute: 1, burst: 1 } } },
  });
  await emu.start();
  channel = emu.addChannel({ name: 'eafix-ops', botMember: true }).id;
  poster = new WebApiSlackPoster(
    createSlackClient({ token: BOT_TOKEN, apiUrl: emu.apiUrl }, createLogger({ level: 'silent' })),
  );
});
afterAll(async () => {
  await emu.stop();
});

describe('WebApiSlackPoster', () => {
  it('posts, replies in a thread, edits and uploads over the real Web API client', async () => {
    const parent = await poster.postMessage({ channel, text: 'Rollback approved' });
    const reply = await poster.postMessage({
      channel,
      text: 'status',
      thread_ts: parent.ts,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*status*' } }],
    });
    await poster.update({ channel, ts: reply.ts, text: 'status: done' });
    const file = await poster.uploadFile({
      channel,
      thread_ts: parent.ts,
      filename: 'rollout.log',
      content: 'line 1\nline 2\n',
      title: 'Rollout log',
    });

    expect(parent.channel).toBe(channel);
    const thread = emu.thread(channel, parent.ts);
    expect(thread.map((m) => m.text)).toContain('status: done');
    expect(thread.find((m) => m.ts === reply.ts)?.edited).toBeDefined();
    expect(file.fileId).toMatch(/^F/);
    expect(emu.state.files.get(file.fileId!)?.content?.toString()).toBe('line 1\nline 2\n');
  });

  it('finds its own shared file by id, and says where it cannot tell (a DM, a refused history)', async () => {
    const since = new Date(Date.now() - 1_000);
    const reserved: string[] = [];
    const { fileId } = await poster.uploadFile({ channel, filename: 'a.txt', content: 'a' }, async (id) => {
      reserved.push(id);
      // Recorded before the file exists anywhere: Slack has not been asked to share it yet.
      expect(emu.callsTo('files.completeUploadExternal').some((c) => JSON.stringify(c.args).includes(id))).toBe(false);
    });
    expect(reserved).toEqual([fileId]);
    expect(await poster.findSharedFile({ channel, fileIds: ['F0OTHER', fileId], oldest: since })).toBe(true);
    expect(await poster.findSharedFile({ channel, fileIds: ['F0ELSEWHERE'], oldest: since })).toBe(false);
    const dm = emu.state.imChannelFor(emu.addUser({ name: 'alice' }).id).id;
    const reads = emu.callsTo('conversations.history').length;
    expect(await poster.findSharedFile({ channel: dm, fileIds: [fileId], oldest: since })).toBeUndefined();
    expect(emu.callsTo('conversations.history')).toHaveLength(reads);
    // A channel whose history Slack refuses the bot (not a member): unknown, not "not there".
    const elsewhere = emu.addChannel({ name: 'not-joined', botMember: false }).id;
    expect(await poster.findSharedFile({ channel: elsewhere, fileIds: [fileId], oldest: since })).toBeUndefined();
  });

  it('surfaces a 429 as SlackRateLimitedError with Retry-After, without retrying', async () => {
    const message = await poster.postMessage({ channel, text: 'x' });
    const before = emu.callsTo('chat.update').length;
    const error = await poster.update({ channel, ts: message.ts, text: 'y' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackRateLimitedError);
    expect((error as SlackRateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect((error as SlackRateLimitedError).kind).toBe('upstream');
    expect(
      emu
        .callsTo('chat.update')
        .slice(before)
        .map((c) => c.status),
    ).toEqual([429]);
  });

  it('maps Slack refusals to domain AppErrors carrying the Slack error', async () => {
    await expect(poster.postMessage({ channel: 'C_NOPE', text: 'x' })).rejects.toMatchObject({
      code: 'slack_channel_not_found',
      kind: 'domain',
    });
  });
});
