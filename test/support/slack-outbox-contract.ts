import { afterEach, describe, expect, it } from 'vitest';
import type { SlackOutbox } from '../../src/slack/slack-outbox.ts';

export interface SlackOutboxSubject {
  outbox: SlackOutbox;
  close(): Promise<void>;
}

const HOUR = 3600_000;

/** What every SlackOutbox adapter must do: the PostgreSQL one and the in-memory one of the fast tier. */
export function slackOutboxContract(name: string, open: () => Promise<SlackOutboxSubject>): void {
  describe(`${name} (SlackOutbox contract)`, () => {
    let subject: SlackOutboxSubject | undefined;
    const start = async () => (subject = await open());
    afterEach(async () => {
      await subject?.close();
      subject = undefined;
    });

    it('keeps one row per key: new content bumps the version, the same content changes nothing', async () => {
      const { outbox } = await start();
      await outbox.putMessage({ key: 'run:1:status', channel: 'C1', threadTs: '1.0', text: 'Step 1 of 3' });
      expect(await outbox.get('run:1:status')).toMatchObject({
        kind: 'message',
        channel: 'C1',
        threadTs: '1.0',
        payload: { text: 'Step 1 of 3' },
        version: 1,
        deliveredVersion: 0,
        state: 'pending',
        attempts: 0,
        postAttempted: false,
        expired: false,
      });
      await outbox.putMessage({ key: 'run:1:status', channel: 'C1', threadTs: '1.0', text: 'Step 1 of 3' });
      expect((await outbox.get('run:1:status'))?.version).toBe(1);
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Step 2 of 3' } }];
      await outbox.putMessage({ key: 'run:1:status', channel: 'C1', threadTs: '1.0', text: 'Step 2 of 3', blocks });
      expect(await outbox.get('run:1:status')).toMatchObject({ version: 2, payload: { text: 'Step 2 of 3', blocks } });
      expect(await outbox.get('unknown')).toBeUndefined();
    });

    it('lists pending rows oldest first, up to a limit, and only pending ones', async () => {
      const { outbox } = await start();
      for (const key of ['a', 'b', 'c', 'd']) await outbox.putMessage({ key, channel: 'C1', text: key });
      await outbox.markDelivered('b', 1, '2.0');
      await outbox.markGivenUp('c', 'failed', 'channel_not_found');
      expect((await outbox.pending(10)).map((r) => r.key)).toEqual(['a', 'd']);
      expect((await outbox.pending(1)).map((r) => r.key)).toEqual(['a']);
      expect(await outbox.get('b')).toMatchObject({ state: 'delivered', ts: '2.0', deliveredVersion: 1 });
      expect(await outbox.get('c')).toMatchObject({ state: 'failed', lastError: 'channel_not_found' });
    });

    it('stays pending when newer content arrived during delivery, keeping the first ts', async () => {
      const { outbox } = await start();
      await outbox.putMessage({ key: 'k', channel: 'C1', text: 'first' });
      await outbox.markPostAttempted('k');
      expect((await outbox.get('k'))?.postAttempted).toBe(true);
      await outbox.putMessage({ key: 'k', channel: 'C1', text: 'second' });
      await outbox.markDelivered('k', 1, '3.0');
      expect(await outbox.get('k')).toMatchObject({ state: 'pending', version: 2, deliveredVersion: 1, ts: '3.0' });
      expect((await outbox.get('k'))?.postAttempted).toBe(false);
      await outbox.markDelivered('k', 2, '9.9');
      expect(await outbox.get('k')).toMatchObject({ state: 'delivered', deliveredVersion: 2, ts: '3.0' });
      // Content written after delivery is delivered again; the same content is not.
      await outbox.putMessage({ key: 'k', channel: 'C1', text: 'second' });
      expect((await outbox.get('k'))?.state).toBe('delivered');
      await outbox.putMessage({ key: 'k', channel: 'C1', text: 'third' });
      expect(await outbox.get('k')).toMatchObject({ state: 'pending', version: 3 });
    });

    it('puts a row off on retry and brings backed-off rows forward when Slack answers again', async () => {
      const { outbox } = await start();
      await outbox.putMessage({ key: 'slow', channel: 'C1', text: 'x' });
      await outbox.putMessage({ key: 'limited', channel: 'C1', text: 'y' });
      await outbox.putMessage({ key: 'elsewhere', channel: 'C2', text: 'z' });
      expect((await outbox.get('slow'))!.dueInMs).toBeLessThanOrEqual(0);
      await outbox.markRetry('slow', HOUR, 'fetch failed', 'backoff');
      await outbox.markRetry('limited', HOUR, 'ratelimited', 'retry-after', true);
      await outbox.markRetry('elsewhere', HOUR, 'fetch failed', 'backoff');
      const slow = await outbox.get('slow');
      expect(slow).toMatchObject({ attempts: 1, lastError: 'fetch failed', state: 'pending' });
      // Due in about an hour: whatever time passed since is far less than half of it.
      expect(slow!.dueInMs).toBeGreaterThan(HOUR / 2);
      expect(await outbox.retryBackedOff('C1')).toBe(1);
      expect((await outbox.get('slow'))!.dueInMs).toBeLessThanOrEqual(0);
      expect((await outbox.get('limited'))!.dueInMs).toBeGreaterThan(HOUR / 2);
      expect((await outbox.get('elsewhere'))!.dueInMs).toBeGreaterThan(HOUR / 2);
      expect(await outbox.retryBackedOff('C1')).toBe(0);
      await outbox.markDelivered('limited', 1, '4.0');
      expect(await outbox.get('limited')).toMatchObject({ attempts: 0, lastError: undefined, state: 'delivered' });
    });

    it('holds a row whose call is in flight off every deliverer until the call ends', async () => {
      const { outbox } = await start();
      await outbox.putUpload({ key: 'u', channel: 'C1', filename: 'a.png', content: 'x' });
      await outbox.markRetry('u', 60_000, 'fetch failed', 'backoff');
      await outbox.markPostAttempted('u', 60_000, 'F0RESERVED');
      const held = await outbox.get('u');
      expect(held).toMatchObject({ postAttempted: true, uploadFileIds: ['F0RESERVED'], state: 'pending' });
      expect(held!.dueInMs).toBeGreaterThan(30_000);
      // Slack answering again elsewhere in the channel does not make the in-flight row due.
      expect(await outbox.retryBackedOff('C1')).toBe(0);
      // The call failing ends the hold: the retry comes after its backoff, looking for the first copy.
      await outbox.markRetry('u', 0, 'timeout', 'backoff');
      expect(await outbox.get('u')).toMatchObject({
        postAttempted: true,
        uploadFileIds: ['F0RESERVED'],
        state: 'pending',
      });
      expect((await outbox.get('u'))!.dueInMs).toBeLessThanOrEqual(0);
      // The next attempt is held before it reserves another file: the earlier one is kept, to look for.
      await outbox.markPostAttempted('u', 60_000);
      expect((await outbox.get('u'))?.uploadFileIds).toEqual(['F0RESERVED']);
      await outbox.markPostAttempted('u', 60_000, 'F0SECOND');
      expect((await outbox.get('u'))?.uploadFileIds).toEqual(['F0RESERVED', 'F0SECOND']);
    });

    it('a 429 on the post itself clears the post attempt; other retries keep it', async () => {
      const { outbox } = await start();
      await outbox.putMessage({ key: 'p', channel: 'C1', text: 'x' });
      await outbox.markPostAttempted('p');
      await outbox.markRetry('p', 0, 'fetch failed', 'backoff');
      expect((await outbox.get('p'))?.postAttempted).toBe(true);
      await outbox.markRetry('p', 0, 'ratelimited', 'retry-after', true);
      expect((await outbox.get('p'))?.postAttempted).toBe(false);
    });

    it('says when a row is past its expiry, and gives up only on pending rows', async () => {
      const { outbox } = await start();
      await outbox.putMessage({ key: 'old', channel: 'C1', text: 'Working on it…', expiresAt: new Date(0) });
      await outbox.putMessage({ key: 'fresh', channel: 'C1', text: 'x', expiresAt: new Date(Date.now() + HOUR) });
      expect((await outbox.get('old'))?.expired).toBe(true);
      expect((await outbox.get('fresh'))?.expired).toBe(false);
      await outbox.markGivenUp('old', 'expired', 'no longer meaningful');
      await outbox.markGivenUp('old', 'failed', 'later');
      expect(await outbox.get('old')).toMatchObject({ state: 'expired', lastError: 'no longer meaningful' });
    });

    it('writes an upload once per key, and edits of a message posted elsewhere with its ts', async () => {
      const { outbox } = await start();
      const upload = { key: 'up', channel: 'C1', threadTs: '1.0', filename: 'timeline.md', content: '# t', title: 'T' };
      await outbox.putUpload(upload);
      await outbox.putUpload({ ...upload, content: 'other' });
      expect(await outbox.get('up')).toMatchObject({
        kind: 'upload',
        version: 1,
        payload: { filename: 'timeline.md', content: '# t', title: 'T' },
      });
      await outbox.putMessage({ key: 'edit:C1:5.0', channel: 'C1', ts: '5.0', text: 'Expired' });
      expect(await outbox.get('edit:C1:5.0')).toMatchObject({ ts: '5.0', state: 'pending', deliveredVersion: 0 });
    });

    it('lets one deliverer lead at a time, tells it of new rows, and hands over on release', async () => {
      const { outbox } = await start();
      const first = await outbox.tryLead();
      expect(first).toBeDefined();
      expect(await outbox.tryLead()).toBeUndefined();
      const told = new Promise<string>((resolve) => first!.onNotify(resolve));
      await outbox.putMessage({ key: 'n', channel: 'C1', text: 'x' });
      expect(await told).toBe('n');
      await first!.release();
      await first!.lost;
      const second = await outbox.tryLead();
      expect(second).toBeDefined();
      await second!.release();
    });
  });
}
