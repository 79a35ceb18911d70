import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.ts';
import { defineRunKind } from '../../src/jobs/run-definition.ts';
import type { RunKind } from '../../src/jobs/run-definition.ts';
import { combineObservers } from '../../src/jobs/run-events.ts';
import { RunQueue } from '../../src/jobs/run-queue.ts';
import { ThreadProgress } from '../../src/jobs/thread-progress.ts';
import { SlackEmulator } from '../../src/sandbox/slack/index.ts';
import type { EmuMessage, SlackEmulatorOptions } from '../../src/sandbox/slack/index.ts';
import { WebApiSlackPoster } from '../../src/slack/slack-poster.ts';
import { isolate } from '../support/isolation.ts';
import { RecordingObserver, request, startEngine, waitUntil } from './jobs-support.ts';
import type { Engine } from './jobs-support.ts';

const BOT_TOKEN = 'xoxb-jobs-test';
const isolation = isolate('jobs_thread');
let engine: Engine;

const quick = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `s${i + 1}`, title: `Step ${i + 1}`, run: async () => ({ summary: `did ${i + 1}` }) }));
const deploy = defineRunKind<unknown>({ kind: 'deploy', steps: quick(3) });
const many = defineRunKind<unknown>({ kind: 'many', steps: quick(12) });
const broken = defineRunKind<unknown>({
  kind: 'broken',
  steps: [
    { id: 'ok', title: 'Scale blue up', run: async () => ({ summary: 'eafix-blue 0→3' }) },
    { id: 'bad', title: 'Switch traffic', run: async () => { throw new AppError('selector_conflict', 'service eafix-gateway selects version=purple'); } },
    { id: 'later', title: 'Verify', run: async () => undefined },
  ],
});
const resumable = defineRunKind<unknown>({ kind: 'resumable', steps: quick(2) });

/** An emulated workspace and a queue of its own, with thread progress wired into queue and worker. */
interface Harness {
  emu: SlackEmulator;
  queue: RunQueue;
  recorder: RecordingObserver;
  channels: number;
}

async function startHarness(queueName: string, rateLimits: SlackEmulatorOptions['rateLimits']): Promise<Harness> {
  const emu = new SlackEmulator({ botToken: BOT_TOKEN, signingSecret: 'jobs-signing-secret', rateLimits });
  await emu.start();
  const slack = new WebApiSlackPoster({ token: BOT_TOKEN, apiUrl: emu.apiUrl }, engine.logger);
  const progress = new ThreadProgress({ store: engine.store, slack, logger: engine.logger, minEditIntervalMs: 200, flushTimeoutMs: 25_000 });
  const recorder = new RecordingObserver();
  const observer = combineObservers([progress, recorder], engine.logger);
  const queue = new RunQueue({ connection: engine.redis, prefix: isolation.redisPrefix, queueName, store: engine.store, logger: engine.logger, observer });
  await engine.startWorker({ kinds: [deploy, many, broken, resumable], deps: {}, observer, queue, queueName });
  return { emu, queue, recorder, channels: 0 };
}

async function stopHarness(h: Harness | undefined): Promise<void> {
  await h?.queue.close();
  await h?.emu.stop();
}

let normal: Harness | undefined;
let tight: Harness | undefined;
beforeAll(async () => {
  engine = await startEngine(isolation);
  normal = await startHarness('runs', {});
  // chat.update tightened to 10 a minute, 2 at once: quick runs must be coalesced and 429s honoured.
  tight = await startHarness('runs-tight', { tiers: { 'chat.update': { perMinute: 10, burst: 2 } } });
});
afterAll(async () => {
  await stopHarness(normal);
  await stopHarness(tight);
  await engine.stop();
  await isolation.cleanup();
});

/** A thread parent, as the approval message would be, in a channel of its own (postMessage limits are per channel). */
async function newThread(h: Harness): Promise<{ channel: string; ts: string }> {
  const channel = h.emu.addChannel({ name: `eafix-ops-${(h.channels += 1)}`, botMember: true }).id;
  const res = await fetch(`${h.emu.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ channel, text: 'Rollback approved' }),
  });
  const body = (await res.json()) as { ok: boolean; ts: string };
  expect(body.ok).toBe(true);
  return { channel, ts: body.ts };
}

/** Waits until the run's BullMQ job is gone: the worker completes it only after the final flush. */
async function jobDone(h: Harness, runId: string): Promise<void> {
  await waitUntil(async () => (await h.queue.queue.getJob(runId)) === undefined, `job ${runId} to complete`);
}

async function submit(h: Harness, kind: RunKind<unknown>): Promise<{ runId: string; thread: { channel: string; ts: string } }> {
  const thread = await newThread(h);
  const { run } = await h.queue.submit(kind, request({ thread }));
  await h.recorder.finished(run.id, 25_000);
  await jobDone(h, run.id);
  return { runId: run.id, thread };
}

async function statusTs(runId: string): Promise<string | undefined> {
  return (await engine.store.getRun(runId))?.statusMessageTs;
}
const blocksText = (message: EmuMessage | undefined) => JSON.stringify(message?.blocks ?? []);

describe('thread progress', () => {
  let h: Harness;
  beforeAll(() => {
    h = normal as Harness;
  });

  it('edits one status message to the final state and replies with the completion', async () => {
    const { runId, thread } = await submit(h, deploy);
    const messages = h.emu.thread(thread.channel, thread.ts);
    const status = messages.filter((m) => m.text.includes(runId) && m.text.includes('steps done'));
    expect(status).toHaveLength(1);
    const stored = await engine.store.getRun(runId);
    expect(stored?.statusMessageTs).toBe(status[0]?.ts);
    expect(status[0]?.text).toBe(`deploy ${runId}: succeeded (3/3 steps done)`);
    const rendered = blocksText(status[0]);
    for (const n of [1, 2, 3]) expect(rendered).toMatch(new RegExp(`:white_check_mark: ${n}\\. Step ${n} \\(\\d+(\\.\\d)? m?s\\) — did ${n}`));
    expect(h.emu.callsTo('chat.update').filter((c) => c.args.ts === status[0]?.ts && c.ok).length).toBeGreaterThan(0);
    const replies = messages.slice(1).filter((m) => m.ts !== status[0]?.ts).map((m) => m.text);
    expect(replies).toEqual([`:white_check_mark: *deploy* \`${runId}\` finished.\ndid 1\ndid 2\ndid 3`]);
  });

  it('replies with the failing step and its reason, and shows it in the status message', async () => {
    const { runId, thread } = await submit(h, broken);
    const messages = h.emu.thread(thread.channel, thread.ts);
    const ts = await statusTs(runId);
    const status = messages.find((m) => m.ts === ts);
    expect(status?.text).toBe(`broken ${runId}: failed (1/3 steps done)`);
    const rendered = blocksText(status);
    expect(rendered).toContain(':x: 2. Switch traffic — service eafix-gateway selects version=purple');
    expect(rendered).toContain(':heavy_minus_sign: 3. Verify (not run)');
    expect(messages.filter((m) => m.ts !== status?.ts).slice(1).map((m) => m.text)).toEqual([
      ':x: Step 2 *Switch traffic* failed: service eafix-gateway selects version=purple',
      `:x: *broken* \`${runId}\` failed: Switch traffic: service eafix-gateway selects version=purple`,
    ]);
  });

  it('announces a resumption in the thread and keeps editing the same status message', async () => {
    const thread = await newThread(h);
    const { run } = await engine.store.createRun(resumable, request({ thread }));
    // A worker that died mid-step 1: it had posted the status message and checkpointed the start.
    const posted = await new WebApiSlackPoster({ token: BOT_TOKEN, apiUrl: h.emu.apiUrl }, engine.logger).postMessage({ channel: thread.channel, thread_ts: thread.ts, text: 'status' });
    await engine.store.setStatusMessage(run.id, posted.ts);
    await engine.store.startRun(run.id, 'dead-worker');
    await engine.store.stepStarted(run.id, 0, 'dead-worker');
    await h.queue.enqueue(run.id, run.requestId);
    await h.recorder.finished(run.id);
    await jobDone(h, run.id);

    const messages = h.emu.thread(thread.channel, thread.ts);
    expect(messages.find((m) => m.ts === posted.ts)?.text).toBe(`resumable ${run.id}: succeeded (2/2 steps done)`);
    expect(messages.filter((m) => m.text.includes('steps done'))).toHaveLength(1);
    expect(messages.map((m) => m.text)).toContainEqual(expect.stringMatching(new RegExp(`^:arrows_counterclockwise: \\*resumable\\* \`${run.id}\` resumed on another worker \\(\`.+\`\\) at step 1 \\*Step 1\\*$`)));
  });
});

describe('thread progress under a tight rate limit', () => {
  let h: Harness;
  beforeAll(() => {
    h = tight as Harness;
  });

  it('lands the final state under a tight chat.update limit, honouring every 429', async () => {
    // Another message spends the workspace's chat.update burst first, so the run's edits meet a 429.
    const other = await newThread(h);
    const slack = new WebApiSlackPoster({ token: BOT_TOKEN, apiUrl: h.emu.apiUrl }, engine.logger);
    await slack.update({ channel: other.channel, ts: other.ts, text: 'edit 1' });
    await slack.update({ channel: other.channel, ts: other.ts, text: 'edit 2' });
    await expect(slack.update({ channel: other.channel, ts: other.ts, text: 'edit 3' })).rejects.toMatchObject({ code: 'slack_rate_limited', retryAfterMs: expect.any(Number) });

    const { runId, thread } = await submit(h, many);
    const ts = await statusTs(runId);
    const status = h.emu.thread(thread.channel, thread.ts).find((m) => m.ts === ts);
    expect(status?.text).toBe(`many ${runId}: succeeded (12/12 steps done)`);
    const rendered = blocksText(status);
    for (let n = 1; n <= 12; n += 1) expect(rendered).toContain(`:white_check_mark: ${n}. Step ${n} (`);

    const updates = h.emu.callsTo('chat.update').filter((c) => c.args.ts === ts);
    // 12 steps make 25 events; coalescing keeps the edits far fewer.
    expect(updates.length).toBeLessThan(12);
    expect(updates.some((c) => c.status === 429)).toBe(true);
    // Every 429 was followed by a successful edit: none was left behind.
    const last429 = updates.map((c) => c.status).lastIndexOf(429);
    expect(updates.slice(last429 + 1).some((c) => c.ok)).toBe(true);
    expect(updates.at(-1)?.ok).toBe(true);
  }, 40_000);
});

