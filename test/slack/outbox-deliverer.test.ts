import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { SlackEmulator } from '@eafix/sandbox/slack';
import { OUTBOX_EVENT_TYPE, OutboxDeliverer, type OutboxDelivererOptions } from '../../src/slack/outbox-deliverer.ts';
import { OutboxNotifier } from '../../src/slack/outbox-notifier.ts';
import { WebApiSlackPoster } from '../../src/slack/slack-poster.ts';
import { createSlackClient } from '../../src/slack/slack-client.ts';
import { createPool, migrate, type Pool } from '../../src/store/database.ts';
import { PgSlackOutbox } from '../../src/store/pg-slack-outbox.ts';
import { eventually } from '../support/eventually.ts';
import { isolate } from '../support/isolation.ts';

const BOT_TOKEN = 'xoxb-outbox-test';
const isolation = isolate('slack_outbox');
const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let pool: Pool;
let emu: SlackEmulator;
let outbox: PgSlackOutbox;
let notifier: OutboxNotifier;
const deliverers: OutboxDeliverer[] = [];
const posted: string[] = [];
/** Keys whose next onPosted fails once, as a database blip would. */
const failNextRecord = new Set<string>();
let channels = 0;

function startDeliverer(timeoutMs = 2_000, extra: Partial<OutboxDelivererOptions> = {}): OutboxDeliverer {
  const deliverer = new OutboxDeliverer({
    outbox,
    slack: new WebApiSlackPoster(createSlackClient({ token: BOT_TOKEN, apiUrl: emu.apiUrl, timeoutMs }, logger)),
    logger,
    onPosted: async ({ key }) => {
      if (failNextRecord.delete(key)) throw new Error('the database went away while recording the ts');
      posted.push(key);
    },
    maxBackoffMs: 500,
    electionMs: 100,
    // Slack's asynchronous sharing is immediate in the emulator.
    uploadSettleMs: 300,
    ...extra,
  });
  deliverer.start();
  deliverers.push(deliverer);
  // As in production: posts written while it leads are claimed by it and go out as they commit.
  outbox.deliverPostsVia(deliverer);
  return deliverer;
}

beforeAll(async () => {
  pool = createPool({ url: isolation.databaseUrl, schema: isolation.schema }, logger);
  await migrate(pool, isolation.schema, logger);
  // Slack's real limits: chat.postMessage ~1/s per channel (short bursts), chat.update Tier 3.
  emu = new SlackEmulator({ botToken: BOT_TOKEN, signingSecret: 'outbox-secret' });
  await emu.start();
  outbox = new PgSlackOutbox(pool, isolation.schema);
  const poster = new WebApiSlackPoster(createSlackClient({ token: BOT_TOKEN, apiUrl: emu.apiUrl }, logger));
  notifier = new OutboxNotifier({ outbox, slack: poster, postWaitMs: 20_000 });
  startDeliverer();
});
afterAll(async () => {
  for (const d of deliverers) await d.stop();
  await emu?.stop();
  await pool?.end();
  await isolation.cleanup();
});

const newChannel = () => emu.addChannel({ name: `outbox-${(channels += 1)}`, botMember: true }).id;
const withKey = (channel: string, key: string) =>
  emu
    .messages(channel)
    .filter((m) => (m.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key === key);
const rowState = async (key: string) => (await outbox.get(key))?.state;

describe('the Slack outbox', () => {
  it('posts once with its key in the metadata, then coalesces edits to the latest content', async () => {
    const channel = newChannel();
    const { ts } = await notifier.post({ key: 'status:1', channel, text: 'queued' });
    expect(withKey(channel, 'status:1').map((m) => m.ts)).toEqual([ts]);
    expect(withKey(channel, 'status:1')[0]?.metadata).toEqual({
      event_type: OUTBOX_EVENT_TYPE,
      event_payload: { key: 'status:1', version: 1 },
    });
    const updatesBefore = emu.callsTo('chat.update').length;
    for (let step = 1; step <= 20; step++)
      await outbox.putMessage({ key: 'status:1', channel, text: `step ${step} of 20` });
    await emu.waitFor((e) => e.state.findMessage(channel, ts)?.text === 'step 20 of 20', {
      description: 'the latest edit',
    });
    await eventually(async () => (await rowState('status:1')) === 'delivered', 'the row delivered');
    expect(emu.callsTo('chat.update').length - updatesBefore).toBeLessThan(20);
    expect(emu.messages(channel)).toHaveLength(1);
    expect(posted).toContain('status:1');
  });

  it('puts a reply and a file under a parent known only by its outbox key, once the parent is posted', async () => {
    const channel = newChannel();
    await notifier.send({ key: 'parent:1', channel, text: 'started by someone' });
    await notifier.send({ key: 'reply:1', channel, threadKey: 'parent:1', text: 'job finished' });
    await notifier.upload({ key: 'file:1', channel, threadKey: 'parent:1', filename: 'job.log', content: 'line 1' });
    await eventually(async () => (await rowState('file:1')) === 'delivered', 'the file delivered');
    const parentTs = (await outbox.get('parent:1'))?.ts;
    expect(parentTs).toBeDefined();
    await eventually(async () => (await rowState('reply:1')) === 'delivered', 'the reply delivered');
    const replies = emu.thread(channel, parentTs!).slice(1);
    expect(emu.messages(channel)).toHaveLength(1);
    expect(replies.map((m) => (m.files as unknown[] | undefined)?.length ?? 0).sort()).toEqual([0, 1]);
  });

  it('does not show a post delivered until its ts is recorded, and adopts the posted copy on the retry', async () => {
    const channel = newChannel();
    failNextRecord.add('status:record');
    await outbox.putMessage({ key: 'status:record', channel, text: 'queued' });
    await eventually(async () => (await rowState('status:record')) === 'delivered', 'the row delivered');
    expect(failNextRecord.has('status:record')).toBe(false);
    expect(posted).toContain('status:record');
    // One message in Slack: the retry found the first post by its metadata instead of posting again.
    expect(withKey(channel, 'status:record')).toHaveLength(1);
    expect((await outbox.get('status:record'))?.ts).toBe(withKey(channel, 'status:record')[0]?.ts);
  });

  it('rides out 5xx, internal_error and reset connections, then posts exactly once', async () => {
    const channel = newChannel();
    const lifts = [
      emu.injectFailure({ kind: 'http-5xx', method: 'chat.postMessage', channel, times: 2 }),
      emu.injectFailure({ kind: 'internal_error', method: 'chat.postMessage', channel, times: 1 }),
      emu.injectFailure({ kind: 'reset', method: 'chat.postMessage', channel, times: 1 }),
    ];
    await notifier.send({ key: 'storm:1', channel, text: 'rollback finished' });
    await emu.waitFor(() => withKey(channel, 'storm:1').length === 1, {
      description: 'the post after the storm',
      timeoutMs: 20_000,
    });
    await eventually(async () => (await rowState('storm:1')) === 'delivered', 'the row delivered');
    lifts.forEach((lift) => lift());
    const attempts = await eventually(async () => {
      const list = emu.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
      return list.length >= 5 ? list : undefined;
    }, 'every attempt recorded');
    expect(attempts.map((c) => c.status)).toEqual([503, 503, 200, 0, 200]);
    expect(emu.messages(channel)).toHaveLength(1);
  });

  it('waits out a Retry-After longer than any client timeout', async () => {
    const channel = newChannel();
    const lift = emu.injectFailure({
      kind: 'ratelimited',
      method: 'chat.postMessage',
      channel,
      times: 1,
      retryAfterSeconds: 12,
    });
    await notifier.send({ key: 'limited:1', channel, text: 'after the storm' });
    // The row is put off by Retry-After (12 s), not by the usual sub-second backoff.
    const waiting = await eventually(async () => {
      const row = await outbox.get('limited:1');
      return row?.lastError?.includes('rate limiting') ? row : undefined;
    }, 'the 429 recorded');
    expect(waiting.dueInMs).toBeGreaterThan(5_000);
    await emu.waitFor(() => withKey(channel, 'limited:1').length === 1, {
      description: 'the post after Retry-After',
      timeoutMs: 25_000,
    });
    lift();
    const calls = await eventually(async () => {
      const list = emu.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
      return list.length === 2 ? list : undefined;
    }, 'both calls recorded');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
  }, 40_000);

  it('finds the first copy after a lost answer instead of posting twice', async () => {
    const channel = newChannel();
    const parent = await notifier.post({ channel, text: 'thread parent' });
    const lift = emu.injectFailure({ kind: 'lost-answer', method: 'chat.postMessage', channel, times: 2 });
    await notifier.send({ key: 'lost:top', channel, text: 'announcement' });
    await notifier.send({ key: 'lost:reply', channel, threadTs: parent.ts, text: 'reply in the thread' });
    await eventually(
      async () => (await rowState('lost:top')) === 'delivered' && (await rowState('lost:reply')) === 'delivered',
      'both rows delivered',
      20_000,
    );
    lift();
    expect(withKey(channel, 'lost:top')).toHaveLength(1);
    const replies = emu.thread(channel, parent.ts).filter((m) => m.text === 'reply in the thread');
    expect(replies).toHaveLength(1);
    expect((await outbox.get('lost:top'))?.ts).toBe(withKey(channel, 'lost:top')[0]?.ts);
    expect((await outbox.get('lost:reply'))?.ts).toBe(replies[0]?.ts);
    expect(
      emu
        .callsTo('conversations.history')
        .some((c) => c.args.include_all_metadata === true || c.args.include_all_metadata === 'true'),
    ).toBe(true);
  });

  it('shares a file once after Slack lost the answer to its sharing, at the top of a channel and in a thread', async () => {
    const channel = newChannel();
    const parent = await notifier.post({ channel, text: 'incident review' });
    const reservations = () =>
      emu.callsTo('files.getUploadURLExternal').filter((c) => c.args.filename === 'trail.json');
    const lift = emu.injectFailure({ kind: 'lost-answer', method: 'files.completeUploadExternal', channel, times: 2 });
    await notifier.upload({ key: 'lost-upload:top', channel, filename: 'trail.json', content: '{"top":true}' });
    await notifier.upload({
      key: 'lost-upload:reply',
      channel,
      threadTs: parent.ts,
      filename: 'trail.json',
      content: '{"reply":true}',
    });
    await eventually(
      async () =>
        (await rowState('lost-upload:top')) === 'delivered' && (await rowState('lost-upload:reply')) === 'delivered',
      'both uploads delivered',
      20_000,
    );
    lift();
    const filesIn = (messages: Array<{ files?: unknown[] }>) =>
      messages.flatMap((m) => (m.files ?? []) as Array<{ name: string }>).map((f) => f.name);
    expect(filesIn(emu.messages(channel))).toEqual(['trail.json']);
    expect(filesIn(emu.thread(channel, parent.ts))).toEqual(['trail.json']);
    // Each was uploaded once: the retry found its own file instead of reserving another.
    expect(reservations()).toHaveLength(2);
  });

  it('gives Slack time to finish sharing before it looks for a file whose answer was lost', async () => {
    const channel = newChannel();
    const reservations = () => emu.callsTo('files.getUploadURLExternal').filter((c) => c.args.filename === 'late.csv');
    for (const d of deliverers) await d.stop();
    startDeliverer(2_000, { uploadSettleMs: 60_000 });
    onTestFinished(async () => {
      for (const d of deliverers) await d.stop();
      startDeliverer();
    });
    const lift = emu.injectFailure({ kind: 'lost-answer', method: 'files.completeUploadExternal', channel, times: 1 });
    await notifier.upload({ key: 'settle:1', channel, filename: 'late.csv', content: 'a,b' });
    const waiting = await eventually(async () => {
      const row = await outbox.get('settle:1');
      return row && row.attempts === 1 ? row : undefined;
    }, 'the attempt whose answer was lost');
    lift();
    // Slack answering again in the channel (which makes what backs off there due) does not cut it short.
    await outbox.retryBackedOff(channel);
    const still = await outbox.get('settle:1');
    // Not looked for (nor uploaded) again until Slack has had its time.
    expect(still!.dueInMs).toBeGreaterThan(30_000);
    expect(waiting.uploadFileIds).toHaveLength(1);
    // Its time is up: the file is found, not uploaded a second time.
    await pool.query('UPDATE slack_outbox SET next_attempt_at = clock_timestamp() WHERE key = $1', ['settle:1']);
    await eventually(async () => (await rowState('settle:1')) === 'delivered', 'the upload found', 20_000);
    expect(reservations()).toHaveLength(1);
    expect(emu.messages(channel).flatMap((m) => m.files ?? [])).toHaveLength(1);
  });

  it("does not take another request's file of the same name for this one's", async () => {
    const channel = newChannel();
    const parent = await notifier.post({ channel, text: 'logs' });
    await notifier.upload({ key: 'same-name:1', channel, threadTs: parent.ts, filename: 'svc.log', content: 'first' });
    await eventually(async () => (await rowState('same-name:1')) === 'delivered', 'the first upload delivered');
    // The second's sharing fails on Slack's side (not processed): its retry must upload it, not find the first.
    const lift = emu.injectFailure({ kind: 'http-5xx', method: 'files.completeUploadExternal', channel, times: 1 });
    await notifier.upload({ key: 'same-name:2', channel, threadTs: parent.ts, filename: 'svc.log', content: 'second' });
    await eventually(async () => (await rowState('same-name:2')) === 'delivered', 'the second upload delivered');
    lift();
    const shared = emu
      .thread(channel, parent.ts)
      .flatMap((m) => (m.files ?? []) as Array<{ id: string }>)
      .map((f) => emu.state.files.get(f.id)?.content?.toString());
    expect(shared).toEqual(['first', 'second']);
  });

  it('keeps posts in order per channel and paces them under the per-channel limit', async () => {
    const [a, b] = [newChannel(), newChannel()];
    for (let i = 1; i <= 8; i++) {
      await notifier.send({ channel: a, text: `a${i}` });
      await notifier.send({ channel: b, text: `b${i}` });
    }
    await emu.waitFor((e) => e.messages(a).length === 8 && e.messages(b).length === 8, {
      description: '16 posts',
      timeoutMs: 30_000,
    });
    expect(emu.messages(a).map((m) => m.text)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `a${i}`));
    expect(emu.messages(b).map((m) => m.text)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `b${i}`));
    const limited = emu
      .callsTo('chat.postMessage')
      .filter((c) => (c.args.channel === a || c.args.channel === b) && c.status === 429);
    expect(limited).toEqual([]);
  }, 40_000);

  it('posts a new message the moment its write commits, without reading the outbox or marking it again', async () => {
    const channel = newChannel();
    const marked = vi.spyOn(outbox, 'markPostAttempted');
    // The delivery loop is held at its next read of the outbox: the claimed post must not need it.
    let letLoopRead!: () => void;
    const loopHeld = new Promise<void>((resolve) => (letLoopRead = resolve));
    const read = outbox.pending.bind(outbox);
    const reads = vi.spyOn(outbox, 'pending').mockImplementation(async (limit) => {
      await loopHeld;
      return read(limit);
    });
    onTestFinished(() => {
      letLoopRead();
      marked.mockRestore();
      reads.mockRestore();
    });
    await inTransaction((client) => outbox.putMessage({ key: 'claimed:1', channel, text: 'run queued' }, client));
    await emu.waitFor(() => withKey(channel, 'claimed:1').length === 1, { description: 'the claimed post' });
    await eventually(async () => (await rowState('claimed:1')) === 'delivered', 'the row delivered');
    expect(marked.mock.calls.filter(([key]) => key === 'claimed:1')).toEqual([]);
    letLoopRead();
    expect(emu.messages(channel)).toHaveLength(1);
  });

  it('leaves a post to the loop while an earlier post of its channel is pending, so it follows that one', async () => {
    const channel = newChannel();
    const marked = vi.spyOn(outbox, 'markPostAttempted');
    onTestFinished(() => marked.mockRestore());
    // Written by another replica and due in a second: this process's deliverer has not seen it.
    const plain = new PgSlackOutbox(pool, isolation.schema);
    await inTransaction(async (client) => {
      await plain.putMessage({ key: 'earlier:1', channel, text: 'first' }, client);
      await client.query(
        `UPDATE slack_outbox SET next_attempt_at = clock_timestamp() + interval '1 second' WHERE key = 'earlier:1'`,
      );
    });
    await outbox.putMessage({ key: 'later:1', channel, text: 'second' });
    await eventually(async () => (await rowState('later:1')) === 'delivered', 'the later post delivered', 10_000);
    expect(emu.messages(channel).map((m) => m.text)).toEqual(['first', 'second']);
    expect(marked.mock.calls.filter(([key]) => key === 'later:1')).toHaveLength(1);
  });

  it('posts once, after looking for a copy, a claimed post whose claimer stopped before posting it', async () => {
    const channel = newChannel();
    // A replica that claimed the post, committed it marked attempted, and died before its call to Slack.
    const died = new PgSlackOutbox(pool, isolation.schema);
    died.deliverPostsVia({ claim: () => true, confirm: () => undefined, release: () => undefined });
    const lookupsBefore = emu.callsTo('conversations.history').length;
    await died.putMessage({ key: 'orphan:1', channel, text: 'run queued' });
    await eventually(async () => (await rowState('orphan:1')) === 'delivered', 'the orphan delivered');
    expect(withKey(channel, 'orphan:1')).toHaveLength(1);
    expect(emu.callsTo('conversations.history').length).toBeGreaterThan(lookupsBefore);
  });

  it('posts nothing for a claimed post whose transaction rolled back', async () => {
    const channel = newChannel();
    await putRolledBack({ key: 'rolledback:1', channel, text: 'never happened' });
    await notifier.send({ key: 'after:1', channel, text: 'what did happen' });
    await eventually(async () => (await rowState('after:1')) === 'delivered', 'the next post delivered');
    expect(emu.messages(channel).map((m) => m.text)).toEqual(['what did happen']);
    expect(await outbox.get('rolledback:1')).toBeUndefined();
  });

  it("posts what committed when a claimed post's transaction rolled back and another wrote its key", async () => {
    const channel = newChannel();
    await putRolledBack({ key: 'rewritten:1', channel, text: 'never committed' });
    // Another replica writes the same key (a run's final reply, say) while the claim is still held here.
    await new PgSlackOutbox(pool, isolation.schema).putMessage({ key: 'rewritten:1', channel, text: 'what committed' });
    await eventually(async () => (await rowState('rewritten:1')) === 'delivered', 'the committed post delivered');
    expect(emu.messages(channel).map((m) => m.text)).toEqual(['what committed']);
  });

  it('fails a post Slack refuses, and tells the caller why', async () => {
    await expect(notifier.post({ key: 'refused:1', channel: 'C0NOSUCH', text: 'x' })).rejects.toMatchObject({
      code: 'slack_refused',
      userMessage: expect.stringContaining('channel_not_found'),
    });
    expect(await rowState('refused:1')).toBe('failed');
  });

  it('hands delivery to a standby process when the deliverer stops', async () => {
    const channel = newChannel();
    startDeliverer();
    await deliverers[0]!.stop();
    await notifier.send({ key: 'failover:1', channel, text: 'delivered by the standby' });
    await emu.waitFor(() => withKey(channel, 'failover:1').length === 1, {
      description: 'the standby delivering',
      timeoutMs: 10_000,
    });
  });

  it('uploads a file once when delivery changes hands while its upload is still in flight', async () => {
    const [channel, other] = [newChannel(), newChannel()];
    const parent = await notifier.post({ channel, text: 'weekly review' });
    const urlsFor = (filename: string) =>
      emu.callsTo('files.getUploadURLExternal').filter((c) => c.args.filename === filename).length;
    // Slack sits on the upload's completion (a slow edge under load) until the test lets it through.
    let letThrough!: () => void;
    const lift = emu.injectFailure({
      kind: 'stall',
      method: 'files.completeUploadExternal',
      times: 1,
      until: new Promise<void>((resolve) => (letThrough = resolve)),
    });
    // A leader whose client waits out the stall (its attempt neither fails nor times out), and a standby.
    for (const d of deliverers) await d.stop();
    startDeliverer(60_000);
    const leader = await eventually(lockHolder, 'the new deliverer leading');
    startDeliverer();
    await notifier.upload({ key: 'held:chart', channel, threadTs: parent.ts, filename: 'held.png', content: 'png' });
    await emu.waitFor(() => urlsFor('held.png') === 1, {
      description: 'the upload under way',
    });
    // The leader's session ends mid-upload: the standby takes over delivery.
    await pool.query('SELECT pg_terminate_backend($1)', [leader]);
    await eventually(async () => ((await lockHolder()) ?? leader) !== leader, 'the standby leading');
    // The new leader delivers what was queued after the takeover; the upload in flight it leaves alone.
    await notifier.upload({ key: 'held:after', channel: other, filename: 'after.png', content: 'png' });
    await eventually(async () => (await rowState('held:after')) === 'delivered', 'the later upload delivered');
    expect(urlsFor('held.png')).toBe(1);
    letThrough();
    await eventually(async () => (await rowState('held:chart')) === 'delivered', 'the held upload delivered');
    lift();
    const files = emu.thread(channel, parent.ts).flatMap((m) => (m.files ?? []) as Array<{ name: string }>);
    expect(files.map((f) => f.name)).toEqual(['held.png']);
    expect(urlsFor('held.png')).toBe(1);
  }, 40_000);
});

class Rollback extends Error {}

/** Writes a message (claimed, while the first deliverer leads) in a transaction that then rolls back. */
async function putRolledBack(message: { key: string; channel: string; text: string }): Promise<void> {
  await inTransaction(async (client) => {
    await outbox.putMessage(message, client);
    throw new Rollback();
  }).catch((error: unknown) => {
    if (!(error instanceof Rollback)) throw error;
  });
}

/** Runs `write` in a transaction of its own, committed unless it throws. */
async function inTransaction(write: (client: import('pg').PoolClient) => Promise<unknown>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await write(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** The backend pid holding this schema's outbox leader lock. */
async function lockHolder(): Promise<number | undefined> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND objid::text::bigint = (hashtext($1)::bigint & 4294967295)`,
    [`eafix-slack-outbox:${isolation.schema}`],
  );
  return rows[0]?.pid;
}
