import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn, ephemeralText, requestIdOf } from '../support/approvals.ts';
import { declare, messagesWith } from '../support/incidents.ts';

const ops = 'eafix-ops';
let world: TestWorld;

beforeAll(async () => {
  // Slack's real rate limits; the trouble is injected per test.
  world = await startWorld('slack_outage', { clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 } });
});
afterAll(async () => {
  await world?.stop();
});

const runOf = async (approvalId: string) =>
  (await world.bot.pool.query(`SELECT id, status, error FROM runs WHERE approval_id = $1`, [approvalId])).rows[0] as
    { id: string; status: string; error: string | null } | undefined;

describe('Slack in trouble during a rollback', () => {
  it('the run succeeds on its cluster work; status and final reply land exactly once after Slack recovers', async () => {
    const opsId = world.slack.channelId(ops);
    const seen = world.slack.ephemerals('dave').length;
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'rollback --environment staging --reason "errors after the green deploy"',
    });
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
    });
    const message = await approvalMessageIn(world, ops);
    const approvalId = requestIdOf(message);

    // From now on every write to #eafix-ops meets trouble: a 429 with a Retry-After longer than any client
    // timeout, answers lost after the post landed, internal_error, then a 5xx storm until Slack recovers.
    const inOps = { channel: opsId };
    const lifts = [
      world.slack.injectFailure({ ...inOps, kind: 'http-5xx', method: 'chat.update' }),
      world.slack.injectFailure({
        ...inOps,
        kind: 'ratelimited',
        method: 'chat.postMessage',
        retryAfterSeconds: 12,
        times: 1,
      }),
      // One lost answer: the thread has two posts (status message, final reply), and the storm must reach the second.
      world.slack.injectFailure({ ...inOps, kind: 'lost-answer', method: 'chat.postMessage', times: 1 }),
      world.slack.injectFailure({ ...inOps, kind: 'internal_error', method: 'chat.postMessage', times: 1 }),
      world.slack.injectFailure({ ...inOps, kind: 'http-5xx', method: 'chat.postMessage', status: 502 }),
    ];
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    const run = await eventually(
      async () => {
        const r = await runOf(approvalId);
        return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      'the rollback to finish while Slack is failing',
      30_000,
    );
    expect(run).toMatchObject({ status: 'succeeded', error: null });
    expect(world.cluster.getService('eafix-staging', 'eafix-gateway')?.spec?.selector?.version).toBe('blue');

    // Slack recovers once the storm has had its say (the rate limit and the lost answers are spent).
    await world.slack.waitFor(
      (emu) => emu.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 502).length >= 2,
      { description: 'the 5xx storm', timeoutMs: 30_000 },
    );
    lifts.forEach((lift) => lift());

    const statusOf = (messages: ReturnType<typeof world.slack.thread>) =>
      messages.filter((m) => m.text.includes(run.id) && m.text.includes('steps done'));
    await world.slack.waitFor(
      (emu) =>
        statusOf(emu.thread(ops, message.ts)).some((m) => m.text.includes('succeeded (5/5 steps done)')) &&
        emu.thread(ops, message.ts).some((m) => m.text.includes('finished.')),
      { description: 'the final status and reply', timeoutMs: 40_000 },
    );
    const thread = world.slack.thread(ops, message.ts);
    expect(statusOf(thread)).toHaveLength(1);
    expect(thread.filter((m) => m.text.includes(run.id) && m.text.includes('finished.'))).toHaveLength(1);
    // The run's status message is its answer in the approval thread: no separate "Run … started" reply.
    expect(thread.filter((m) => textOf(m.text).includes(`Run \`${run.id}\``))).toEqual([]);
    // Every kind of trouble was met and outlived.
    const postStatuses = world.slack.calls
      .filter((c) => c.method === 'chat.postMessage' && c.args.channel === opsId)
      .map((c) => c.status);
    expect(postStatuses).toEqual(expect.arrayContaining([429, 0, 502]));
    expect(
      world.slack.calls.some((c) => c.method === 'chat.update' && c.args.channel === opsId && c.status === 503),
    ).toBe(true);
    // Nothing left undelivered (a reply whose answer was lost is marked once its copy is found).
    await eventually(
      async () =>
        (await world.bot.pool.query(`SELECT key FROM slack_outbox WHERE state <> 'delivered'`)).rowCount === 0,
      'the outbox drained',
      30_000,
    );
  }, 120_000);

  it('announces a war room once although Slack lost the answers to its posts', async () => {
    const callsBefore = world.slack.calls.length;
    // The war room's pinned template and the announcement in #eafix-incidents both land with their answers lost.
    const lift = world.slack.injectFailure({ kind: 'lost-answer', method: 'chat.postMessage', times: 2 });
    const incident = await declare(world, { user: 'alice', title: 'Order router stalls after lost answers' });
    await eventually(
      async () =>
        (
          await world.bot.pool.query(`SELECT state FROM slack_outbox WHERE key = $1`, [
            `incident:${incident.id}:announce:incidents`,
          ])
        ).rows[0]?.state === 'delivered',
      'the announcement delivered',
      20_000,
    );
    lift();
    const announcements = messagesWith(world, world.slack.channelId('eafix-incidents'), `${incident.id} declared`);
    expect(announcements).toHaveLength(1);
    const templates = world.slack.messages(incident.channelId!).filter((m) => m.ts === incident.templateTs);
    expect(templates).toHaveLength(1);
    expect(
      world.slack.messages(incident.channelId!).filter((m) => textOf(m.blocks ?? m.text).includes(incident.title)),
    ).toHaveLength(1);
    expect(
      world.slack.calls.slice(callsBefore).filter((c) => c.method === 'chat.postMessage' && c.status === 0),
    ).toHaveLength(2);
  }, 60_000);

  it('takes an approval request while Slack cannot post it; the message lands later and its buttons work', async () => {
    const opsId = world.slack.channelId(ops);
    const lift = world.slack.injectFailure({ kind: 'http-5xx', method: 'chat.postMessage', channel: opsId });
    const seen = world.slack.ephemerals('dave').length;
    const after = world.slack.latestMessage(ops)?.ts ?? '0';
    await world.driver.command({
      user: 'dave',
      channel: ops,
      text: 'rollback --environment dr --reason "errors after the green deploy in dr"',
    });
    // The request is stored and answered although its message is still waiting for Slack.
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Approval requested'), {
      description: 'approval requested',
      timeoutMs: 30_000,
    });
    const pending = (
      await world.bot.pool.query(`SELECT id, message_ts FROM approval_requests WHERE arguments->>'environment' = 'dr'`)
    ).rows[0] as { id: string; message_ts: string | null };
    expect(pending.message_ts).toBeNull();
    lift();
    // Its next try comes after the backoff the storm built up (up to 30 s).
    const message = await world.slack.waitFor(
      (emu) => emu.messages(ops).find((m) => m.ts > after && m.text.includes('Approval')),
      { description: 'the approval message', timeoutMs: 60_000 },
    );
    expect(requestIdOf(message)).toBe(pending.id);
    await eventually(
      async () =>
        (await world.bot.pool.query(`SELECT message_ts FROM approval_requests WHERE id = $1`, [pending.id])).rows[0]
          ?.message_ts === message.ts,
      'the message ts attached',
    );
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
    await world.slack.waitFor(
      (emu) => textOf(emu.messages(ops).find((m) => m.ts === message.ts)?.blocks).includes('Approved'),
      { description: 'the approval message updated' },
    );
  }, 90_000);
});
