import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import type { RunKind } from '../../src/jobs/run-definition.ts';
import { combineObservers } from '../../src/jobs/run-events.ts';
import { RunQueue } from '../../src/jobs/run-queue.ts';
import {
  finalReplyInTransaction,
  runIdOfStatusKey,
  runStatusKey,
  statusInTransaction,
  ThreadProgress,
} from '../../src/jobs/thread-progress.ts';
import { PgRunStore } from '../../src/store/pg-run-store.ts';
import { SlackEmulator } from '@eafix/sandbox/slack';
import type { EmuMessage } from '@eafix/sandbox/slack';
import { OutboxDeliverer } from '../../src/slack/outbox-deliverer.ts';
import { WebApiSlackPoster } from '../../src/slack/slack-poster.ts';
import { createSlackClient } from '../../src/slack/slack-client.ts';
import { PgSlackOutbox } from '../../src/store/pg-slack-outbox.ts';
import { isolate } from '../support/isolation.ts';
import { RecordingObserver, request, startEngine, waitUntil } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const BOT_TOKEN = 'xoxb-jobs-test';
const isolation = isolate('jobs_thread');
let engine: Engine;
let emu: SlackEmulator;
let outbox: PgSlackOutbox;
let deliverer: OutboxDeliverer;
let queue: RunQueue;
let recorder: RecordingObserver;
let channels = 0;

const quick = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: `s${i + 1}`,
    title: `Step ${i + 1}`,
    run: async () => ({ summary: `did ${i + 1}` }),
  }));
const deploy = defineRunKind<unknown>({ kind: 'deploy', steps: quick(3) });
const many = defineRunKind<unknown>({ kind: 'many', steps: quick(12) });
const broken = defineRunKind<unknown>({
  kind: 'broken',
  steps: [
    { id: 'ok', title: 'Scale blue up', run: async () => ({ summary: 'eafix-blue 0→3' }) },
    {
      id: 'bad',
      title: 'Switch traffic',
      run: async () => {
        throw new AppError('selector_conflict', 'service eafix-gateway selects version=purple');
      },
    },
    { id: 'later', title: 'Verify', run: async () => undefined },
  ],
});
const resumable = defineRunKind<unknown>({ kind: 'resumable', steps: quick(2) });

beforeAll(async () => {
  engine = await startEngine(isolation);
  // chat.update tightened to 10 a minute, 2 at once: edits of quick runs must coalesce and 429s be honoured.
  emu = new SlackEmulator({
    botToken: BOT_TOKEN,
    signingSecret: 'jobs-signing-secret',
    rateLimits: { tiers: { 'chat.update': { perMinute: 10, burst: 2 } } },
  });
  await emu.start();
  outbox = new PgSlackOutbox(engine.pool, isolation.schema);
  deliverer = new OutboxDeliverer({
    outbox,
    slack: new WebApiSlackPoster(createSlackClient({ token: BOT_TOKEN, apiUrl: emu.apiUrl }, engine.logger)),
    logger: engine.logger,
    onPosted: async ({ key, ts }) => {
      const runId = runIdOfStatusKey(key);
      if (runId) await engine.store.setStatusMessage(runId, ts);
    },
    // The deliverer paces chat.update as Slack's Tier 3; this workspace is stricter, so some edits meet a 429.
    maxBackoffMs: 500,
  });
  deliverer.start();
  const progress = new ThreadProgress({ store: engine.store, outbox, logger: engine.logger });
  recorder = new RecordingObserver();
  const observer = combineObservers([progress, recorder], engine.logger);
  queue = new RunQueue({
    connection: engine.redis,
    prefix: isolation.redisPrefix,
    queueName: 'runs',
    store: engine.store,
    logger: engine.logger,
    observer,
  });
  await engine.startWorker({ kinds: [deploy, many, broken, resumable], deps: {}, observer, queue, queueName: 'runs' });
});
afterAll(async () => {
  await deliverer?.stop();
  await queue?.close();
  await emu?.stop();
  await engine?.stop();
  await isolation.cleanup();
});

/** A thread parent, as the approval message would be, in a channel of its own (postMessage limits are per channel). */
async function newThread(): Promise<{ channel: string; ts: string }> {
  const channel = emu.addChannel({ name: `eafix-ops-${(channels += 1)}`, botMember: true }).id;
  const res = await fetch(`${emu.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ channel, text: 'Rollback approved' }),
  });
  const body = (await res.json()) as { ok: boolean; ts: string };
  expect(body.ok).toBe(true);
  return { channel, ts: body.ts };
}

/** Submits a run and waits until the outbox has delivered everything it reported. */
async function submit(kind: RunKind<unknown>): Promise<{ runId: string; thread: { channel: string; ts: string } }> {
  const thread = await newThread();
  const { run } = await queue.submit(kind, request({ thread }));
  await recorder.finished(run.id, 25_000);
  await waitUntil(
    async () => {
      const { rows } = await engine.pool.query(
        `SELECT count(*)::int AS n FROM slack_outbox WHERE key LIKE $1 AND state <> 'delivered'`,
        [`run:${run.id}:%`],
      );
      return rows[0].n === 0 && (await outbox.get(`run:${run.id}:finished`))?.state === 'delivered';
    },
    `the report of ${run.id} delivered`,
    30_000,
  );
  return { runId: run.id, thread };
}

const statusTs = async (runId: string) => (await engine.store.getRun(runId))?.statusMessageTs;
const blocksText = (message: EmuMessage | undefined) => JSON.stringify(message?.blocks ?? []);

describe('thread progress through the outbox', () => {
  it('edits one status message to the final state and replies with the completion', async () => {
    const { runId, thread } = await submit(deploy);
    const messages = emu.thread(thread.channel, thread.ts);
    const status = messages.filter((m) => m.text.includes(runId) && m.text.includes('steps done'));
    expect(status).toHaveLength(1);
    expect(await statusTs(runId)).toBe(status[0]?.ts);
    expect(status[0]?.text).toBe(`deploy ${runId}: succeeded (3/3 steps done)`);
    const rendered = blocksText(status[0]);
    for (const n of [1, 2, 3])
      expect(rendered).toMatch(new RegExp(`:white_check_mark: ${n}\\. Step ${n} \\(\\d+(\\.\\d)? m?s\\) — did ${n}`));
    const replies = messages
      .slice(1)
      .filter((m) => m.ts !== status[0]?.ts)
      .map((m) => m.text);
    expect(replies).toEqual([`:white_check_mark: *deploy* \`${runId}\` finished.\ndid 1\ndid 2\ndid 3`]);
  });

  it('replies with the failing step and its reason, and shows it in the status message', async () => {
    const { runId, thread } = await submit(broken);
    const messages = emu.thread(thread.channel, thread.ts);
    const ts = await statusTs(runId);
    const status = messages.find((m) => m.ts === ts);
    expect(status?.text).toBe(`broken ${runId}: failed (1/3 steps done)`);
    const rendered = blocksText(status);
    expect(rendered).toContain(':x: 2. Switch traffic — service eafix-gateway selects version=purple');
    expect(rendered).toContain(':heavy_minus_sign: 3. Verify (not run)');
    expect(
      messages
        .filter((m) => m.ts !== status?.ts)
        .slice(1)
        .map((m) => m.text),
    ).toEqual([
      ':x: Step 2 *Switch traffic* failed: service eafix-gateway selects version=purple',
      `:x: *broken* \`${runId}\` failed: Switch traffic: service eafix-gateway selects version=purple`,
    ]);
  });

  it('announces a resumption in the thread and keeps editing the same status message', async () => {
    const thread = await newThread();
    const { run } = await engine.store.createRun(resumable, request({ thread }));
    // A worker that died mid-step 1: its status message was delivered and it had checkpointed the start.
    await outbox.putMessage({
      key: runStatusKey(run.id),
      channel: thread.channel,
      threadTs: thread.ts,
      text: 'status',
    });
    const posted = await waitUntil(async () => statusTs(run.id), 'the first status message');
    await engine.store.startRun(run.id, 'dead-worker');
    await engine.store.stepStarted(run.id, 0, 'dead-worker');
    await queue.enqueue(run.id, run.requestId);
    await recorder.finished(run.id);
    await emu.waitFor(
      (e) => e.state.findMessage(thread.channel, posted)?.text === `resumable ${run.id}: succeeded (2/2 steps done)`,
      { description: 'the final status' },
    );
    await emu.waitFor((e) => e.thread(thread.channel, thread.ts).some((m) => m.text.includes('finished.')), {
      description: 'the final reply',
    });

    const messages = emu.thread(thread.channel, thread.ts);
    expect(messages.filter((m) => m.text.includes('steps done') || m.text === 'status')).toHaveLength(1);
    expect(messages.map((m) => m.text)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^:arrows_counterclockwise: \\*resumable\\* \`${run.id}\` resumed on another worker \\(\`.+\`\\) at step 1 \\*Step 1\\*$`,
        ),
      ),
    );
  });

  it('writes the final reply in the transaction that ends the run, with no observer involved', async () => {
    const thread = await newThread();
    const store = new PgRunStore(engine.pool, { onFinished: finalReplyInTransaction(outbox) });
    const { run } = await store.createRun(resumable, request({ thread }));
    await store.startRun(run.id, 'worker-about-to-die');
    await store.finishRun(run.id, { status: 'failed', error: 'the worker gave up' });
    expect(await outbox.get(`run:${run.id}:finished`)).toMatchObject({
      channel: thread.channel,
      threadTs: thread.ts,
      payload: { text: `:x: *resumable* \`${run.id}\` failed: the worker gave up` },
    });
    await emu.waitFor((e) => e.thread(thread.channel, thread.ts).some((m) => m.text.includes('the worker gave up')), {
      description: 'the final reply',
    });
  });

  it('writes the status message in the transaction that creates the run; a refused run leaves none', async () => {
    const thread = await newThread();
    const store = new PgRunStore(engine.pool, { onCreated: statusInTransaction(outbox) });
    const targeted = defineRunKind<unknown>({ kind: 'targeted', steps: quick(2), target: () => `env:tp-${thread.ts}` });
    const { run } = await store.createRun(targeted, request({ thread, idempotencyKey: `first-${thread.ts}` }));
    const status = await outbox.get(runStatusKey(run.id));
    expect(status).toMatchObject({ channel: thread.channel, threadTs: thread.ts });
    // Rendered as a render from the store would (so a later render of the queued run changes nothing).
    const rendered = new ThreadProgress({ store, outbox, logger: engine.logger });
    await rendered.onEvent({ type: 'queued', runId: run.id });
    expect((await outbox.get(runStatusKey(run.id)))?.version).toBe(status?.version);
    expect(JSON.stringify(status?.payload)).toContain(`\`${run.id}\` — queued`);

    const refused = store.createRun(targeted, request({ thread, idempotencyKey: `second-${thread.ts}` }));
    await expect(refused).rejects.toMatchObject({ code: 'target_busy' });
    const written = await engine.pool.query(
      `SELECT count(*)::int AS n FROM slack_outbox WHERE key LIKE 'run:%:status' AND thread_ts = $1`,
      [thread.ts],
    );
    expect(written.rows[0].n).toBe(1);
  });

  it('lands the final state under a tight chat.update limit, coalescing the edits', async () => {
    const { runId, thread } = await submit(many);
    const ts = await statusTs(runId);
    const status = emu.thread(thread.channel, thread.ts).find((m) => m.ts === ts);
    expect(status?.text).toBe(`many ${runId}: succeeded (12/12 steps done)`);
    const rendered = blocksText(status);
    for (let n = 1; n <= 12; n += 1) expect(rendered).toContain(`:white_check_mark: ${n}. Step ${n} (`);
    const updates = emu.callsTo('chat.update').filter((c) => c.args.ts === ts);
    // 12 steps make 25 events; coalescing keeps the edits far fewer.
    expect(updates.length).toBeLessThan(12);
    expect(updates.at(-1)?.ok).toBe(true);
  }, 60_000);
});
