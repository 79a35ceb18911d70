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

describe('files upload v2', () => {
  it('works end to end with WebClient.filesUploadV2 into a thread', async () => {
    const parent = await h.client.chat.postMessage({ channel: 'eafix-ops', text: 'incident' });
    const res = await h.client.filesUploadV2({
      channel_id: parent.channel!,
      thread_ts: parent.ts!,
      content: 'log line 1\nlog line 2',
      filename: 'a.txt',
      initial_comment: 'logs attached',
    });
    expect(res.ok).toBe(true);
    const file = [...h.emu.state.files.values()][0];
    expect(file).toMatchObject({ name: 'a.txt', mimetype: 'text/plain', size: 21, completed: true });
    expect(file?.content?.toString('utf8')).toBe('log line 1\nlog line 2');

    const thread = h.emu.thread('eafix-ops', parent.ts!);
    expect(thread).toHaveLength(2);
    expect(thread[1]).toMatchObject({
      text: 'logs attached',
      thread_ts: parent.ts,
      files: [{ id: file?.id, name: 'a.txt' }],
    });
    expect(h.emu.callsTo('files.completeUploadExternal')[0]?.args).toMatchObject({
      channel_id: parent.channel,
      thread_ts: parent.ts,
    });

    const urlPrivate = String((thread[1]?.files?.[0] as { url_private: string }).url_private);
    const download = await fetch(urlPrivate, { headers: { authorization: `Bearer ${BOT_TOKEN}` } });
    expect(await download.text()).toBe('log line 1\nlog line 2');
  });

  it('accepts raw bytes on the upload URL and rejects unknown files on completion', async () => {
    const url = await h.client.files.getUploadURLExternal({ filename: 'dump.bin', length: 3 });
    expect(url.upload_url).toBe(`${h.emu.url}/upload/${url.file_id}`);
    const up = await fetch(url.upload_url!, { method: 'POST', body: new Uint8Array([1, 2, 3]) });
    expect(up.status).toBe(200);
    expect([...(h.emu.state.files.get(url.file_id!)?.content ?? [])]).toEqual([1, 2, 3]);
    const missing = await slackError(
      h.client.files.completeUploadExternal({ files: [{ id: 'F0NOPE' }], channel_id: h.emu.channelId('eafix-ops') }),
    );
    expect(missing.error).toBe('file_not_found');
    await h.client.files.completeUploadExternal({ files: [{ id: url.file_id!, title: 'Dump' }] });
    expect(h.emu.state.files.get(url.file_id!)?.title).toBe('Dump');
    expect(h.emu.messages('eafix-ops')).toEqual([]);
  });
});
