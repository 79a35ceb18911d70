import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { invoke } from '../../src/handlers/core/invoke.ts';
import { createLogger } from '../../src/logger.ts';
import type { AppendAudit, AuditEntry } from '../../src/audit/audit-log.ts';
import {
  approvalMessageIn,
  approvalStatus,
  ephemeralText,
  jobCommands,
  requestIdOf,
  resetPlatform,
  runsSettled,
  tradingState,
} from '../support/approvals.ts';

let world: TestWorld;
/** How far the bot's clock runs ahead of the system's: moving it expires requests, as time passing would. */
let ahead = 0;
const passTheApprovalTtl = () => (ahead += world.bot.deps.authorizer.approvalTtlMs + 1_000);
beforeAll(async () => {
  world = await startWorld('approval', { now: () => new Date(Date.now() + ahead) });
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(async () => {
  await runsSettled(world);
  resetPlatform(world);
});

const ops = 'eafix-ops';
const lastTs = () => world.slack.latestMessage(ops)?.ts ?? '0';

/** Each ask a reason of its own: asking again exactly what is still pending gives back that request. */
let asks = 0;
async function requestStop(user = 'dave', extra = '') {
  asks += 1;
  const after = lastTs();
  const seen = world.slack.ephemerals(user).length;
  await world.driver.command({
    user,
    channel: ops,
    text: `trading stop --graceful --reason "DB migration 42, ask ${asks}"${extra}`,
  });
  // Inline in the ack, or via response_url when Slack's rate limits slowed the post down.
  await world.slack.waitFor(() => ephemeralText(world, user, seen).includes('Approval requested'), {
    description: 'request acknowledged',
  });
  const message = await approvalMessageIn(world, ops, after);
  return { message, id: requestIdOf(message) };
}

const approve = (user: string, messageTs: string) =>
  world.driver.clickButton({ user, channel: ops, messageTs, actionId: 'approval:approve' });
const executions = async (id: string) =>
  (
    await world.bot.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'execute' AND arguments->>'approval' = $1`,
      [id],
    )
  ).rows[0].n;

/** The audit rows of an approval's decision and execution, in the log's order. */
const approvalRows = async (id: string) =>
  (
    await world.bot.pool.query(
      `SELECT action, user_id FROM audit_log
        WHERE action IN ('approval.approved', 'approval.resumed', 'approval.interrupted', 'execute')
          AND arguments->>'approval' = $1 ORDER BY id`,
      [id],
    )
  ).rows;

describe('two-person approval', () => {
  it('posts the exact plan, refuses self-approval, and executes on a second person', async () => {
    const { message, id } = await requestStop('alice');
    expect(textOf(message.blocks)).toContain('set trading: running → stopped');
    expect(textOf(message.blocks)).toContain('DB migration 42');
    // Button values carry only the request id.
    const values = JSON.stringify(message.blocks).match(/"value":"[^"]*"/g) ?? [];
    expect(values.every((v) => v === `"value":"${id}"`)).toBe(true);

    const seen = world.slack.ephemerals('alice').length;
    await approve('alice', message.ts);
    await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('cannot approve your own request'), {
      description: 'self-approval refusal',
    });
    expect(await approvalStatus(world, id)).toBe('pending');

    await approve('bob', message.ts);
    await eventually(async () => (await approvalStatus(world, id)) === 'executed', 'execution');
    // The platform stopped, through its own command in a Job; the bot keeps no switch of its own.
    await eventually(async () => tradingState(world).state === 'stopped', 'trading stopped on the platform');
    expect(jobCommands(world)).toContainEqual(['eafix-cli', 'trading', 'stop', '--graceful']);
    expect(await executions(id)).toBe(1);
    expect(await approvalRows(id)).toEqual([
      { action: 'approval.approved', user_id: 'U0BOB' },
      { action: 'execute', user_id: 'U0ALICE' },
    ]);
    await world.slack.waitFor(
      (emu) => textOf(emu.messages(ops).find((m) => m.ts === message.ts)?.blocks).includes('executed'),
      { description: 'message updated' },
    );
    await world.slack.waitFor(
      (emu) => emu.thread(ops, message.ts).some((r) => r.text.includes('trading is now stopped')),
      { description: 'result in thread' },
    );
  });

  it('refuses an approver without the right to approve', async () => {
    const { message, id } = await requestStop();
    const seen = world.slack.ephemerals('carol').length;
    await approve('carol', message.ts);
    await world.slack.waitFor(() => ephemeralText(world, 'carol', seen).includes('may not approve'), {
      description: 'refusal',
    });
    expect(ephemeralText(world, 'carol', seen)).toContain('Approvers:');
    expect(await approvalStatus(world, id)).toBe('pending');
  });

  it('executes exactly once when two approvers click at the same moment', async () => {
    const { message, id } = await requestStop('dave');
    const [a, b] = await Promise.all([approve('alice', message.ts), approve('bob', message.ts)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await eventually(async () => (await approvalStatus(world, id)) === 'executed', 'execution');
    await world.slack.waitFor(
      () => `${ephemeralText(world, 'alice')}${ephemeralText(world, 'bob')}`.includes('Already approved'),
      { description: 'the slower approver told who decided first' },
    );
    expect(await executions(id)).toBe(1);
  });

  it('expires: an expired request cannot be approved and its message says so', async () => {
    const { message, id } = await requestStop();
    passTheApprovalTtl();
    const seen = world.slack.ephemerals('bob').length;
    await approve('bob', message.ts);
    await world.slack.waitFor(() => ephemeralText(world, 'bob', seen).includes('expired'), {
      description: 'expiry notice',
    });
    expect(await approvalStatus(world, id)).toBe('expired');
    expect(tradingState(world)).toEqual({ state: 'running' });
    await world.slack.waitFor(
      (emu) => textOf(emu.messages(ops).find((m) => m.ts === message.ts)?.blocks).includes('Expired'),
      { description: 'message updated' },
    );
    expect(JSON.stringify(world.slack.messages(ops).find((m) => m.ts === message.ts)?.blocks)).not.toContain(
      'approval:approve',
    );
  });

  it('the sweeper expires overdue requests and updates their messages', async () => {
    const { message, id } = await requestStop();
    passTheApprovalTtl();
    expect(await world.bot.approvalService.expireDue()).toBeGreaterThanOrEqual(1);
    expect(await approvalStatus(world, id)).toBe('expired');
    // The edit goes through the outbox: it lands shortly after.
    await world.slack.waitFor(
      (emu) => textOf(emu.messages(ops).find((m) => m.ts === message.ts)?.blocks).includes('Expired'),
      { description: 'the expired message' },
    );
  });

  it('rejects with a reason asked in a modal', async () => {
    const { message, id } = await requestStop();
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:reject' });
    const modal = await world.slack.waitFor((emu) => emu.openModals('U0BOB').at(-1), { description: 'reject modal' });
    const empty = await world.driver.submitView({ user: 'bob', viewId: modal.id, values: { reason: { value: ' ' } } });
    expect(empty.outcome).toBe('errors');
    await world.driver.submitView({
      user: 'bob',
      viewId: modal.id,
      values: { reason: { value: 'Not during market hours' } },
    });
    await eventually(async () => (await approvalStatus(world, id)) === 'rejected', 'rejection');
    await world.slack.waitFor(
      (emu) => textOf(emu.messages(ops).find((m) => m.ts === message.ts)?.blocks).includes('Not during market hours'),
      { description: 'reason shown' },
    );
  });

  it('lets only the requester cancel', async () => {
    const { message, id } = await requestStop('dave');
    const seen = world.slack.ephemerals('bob').length;
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:cancel' });
    await world.slack.waitFor(() => ephemeralText(world, 'bob', seen).includes('can cancel this request'), {
      description: 'refusal',
    });
    expect(await approvalStatus(world, id)).toBe('pending');
    await world.driver.clickButton({ user: 'dave', channel: ops, messageTs: message.ts, actionId: 'approval:cancel' });
    await eventually(async () => (await approvalStatus(world, id)) === 'cancelled', 'cancel');
  });

  it('refuses a button for an unknown request id and a click from another workspace', async () => {
    const { message, id } = await requestStop();
    const payload = (teamId: string, value: string) => ({
      type: 'block_actions',
      user: { id: 'U0BOB', username: 'bob', name: 'bob', team_id: teamId },
      team: { id: teamId, domain: 'other' },
      api_app_id: world.slack.appId,
      trigger_id: world.slack.issueTriggerId('U0BOB'),
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: world.slack.channelId(ops),
        is_ephemeral: false,
      },
      channel: { id: world.slack.channelId(ops), name: ops },
      actions: [{ action_id: 'approval:approve', block_id: 'approval', value, type: 'button', action_ts: '1' }],
      response_url: world.slack.issueResponseUrl({ channel: world.slack.channelId(ops), user: 'U0BOB' }),
    });
    const send = (p: unknown) =>
      world.driver.rawPost({
        body: `payload=${encodeURIComponent(JSON.stringify(p))}`,
        contentType: 'application/x-www-form-urlencoded',
      });
    const seen = world.slack.ephemerals('bob').length;
    expect((await send(payload(world.slack.teamId, 'apr_000000000000'))).status).toBe(200);
    await world.slack.waitFor(() => ephemeralText(world, 'bob', seen).includes('does not exist'), {
      description: 'refusal',
    });
    // Another workspace is refused before routing: audited, nothing told to anyone, nothing decided.
    expect((await send(payload('T0OTHER', id))).status).toBe(200);
    const refused = await world.bot.pool.query(
      `SELECT outcome FROM audit_log WHERE action = 'slack.foreign-installation' AND team_id = 'T0OTHER'`,
    );
    expect(refused.rows).toEqual([{ outcome: 'rejected:foreign_installation' }]);
    expect(await approvalStatus(world, id)).toBe('pending');
  });

  describe('approvals a stopped process left unexecuted', () => {
    const sweep = () => world.bot.approvalService.resumeInterrupted(createLogger({ level: 'silent' }));
    const decidedAgo = (id: string, minutes: number) =>
      world.bot.pool.query(
        `UPDATE approval_requests SET decided_at = decided_at - make_interval(mins => $2) WHERE id = $1`,
        [id, minutes],
      );
    const runsOf = async (id: string) =>
      (await world.bot.pool.query<{ id: string }>(`SELECT id FROM runs WHERE approval_id = $1`, [id])).rows;

    it('carries one out after the vote by the sweep, once, as approved', async () => {
      const { id } = await requestStop();
      // The vote was counted, then the process stopped before it started the run.
      expect(await world.bot.deps.approvals.vote(id, 'U0BOB')).toMatchObject({ kind: 'approved' });
      expect(await sweep()).toBe(0);
      await decidedAgo(id, 1);
      expect(await sweep()).toBe(0); // a live click may still be starting it
      expect(await approvalStatus(world, id)).toBe('approved');
      await decidedAgo(id, 5);
      // Two replicas sweeping at once: one run, one execution.
      expect((await Promise.all([sweep(), sweep()])).reduce((a, b) => a + b)).toBeGreaterThanOrEqual(1);
      await eventually(async () => tradingState(world).state === 'stopped', 'trading stopped on the platform');
      expect(await approvalStatus(world, id)).toBe('executed');
      expect(await runsOf(id)).toHaveLength(1);
      expect(await sweep()).toBe(0);
      const resumed = await world.bot.pool.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'approval.resumed' AND arguments->>'approval' = $1`,
        [id],
      );
      expect(resumed.rows[0].n).toBeGreaterThanOrEqual(1);
      // The stopped process left no row for the approval itself (it comes with the run): the sweep wrote it.
      expect((await approvalRows(id)).slice(0, 2)).toEqual([
        { action: 'approval.approved', user_id: 'U0BOB' },
        { action: 'approval.resumed', user_id: 'system' },
      ]);
    });

    it('records one whose run started as executed, without reading the plan again', async () => {
      const { message, id } = await requestStop();
      await approve('bob', message.ts);
      await eventually(async () => (await approvalStatus(world, id)) === 'executed', 'execution');
      const [run] = await runsOf(id);
      // The process stopped after starting the run, before recording the execution.
      await world.bot.pool.query(`UPDATE approval_requests SET status = 'approved', result = NULL WHERE id = $1`, [id]);
      await decidedAgo(id, 6);
      expect(await sweep()).toBe(1);
      expect(await approvalStatus(world, id)).toBe('executed');
      const { rows } = await world.bot.pool.query(`SELECT result FROM approval_requests WHERE id = $1`, [id]);
      expect(rows[0].result).toContain(run!.id);
      expect(await runsOf(id)).toHaveLength(1);
    });

    it('fails one too old to carry out now, and changes nothing', async () => {
      const { id } = await requestStop();
      expect(await world.bot.deps.approvals.vote(id, 'U0BOB')).toMatchObject({ kind: 'approved' });
      await decidedAgo(id, 31);
      expect(await sweep()).toBe(1);
      expect(await approvalStatus(world, id)).toBe('failed');
      expect(await runsOf(id)).toEqual([]);
      expect(tradingState(world).state).toBe('running');
      expect(await approvalRows(id)).toEqual([
        { action: 'approval.approved', user_id: 'U0BOB' },
        { action: 'approval.interrupted', user_id: 'system' },
      ]);
    });
  });

  it('refuses to execute when the world changed after approval, and asks again', async () => {
    const { message, id } = await requestStop();
    // Someone stopped trading on the platform meanwhile: the plan recomputed at approval differs.
    world.cluster.workloads.platform.update('eafix-production', (p) => {
      p.tradingEnabled = false;
    });
    const jobsBefore = jobCommands(world).length;
    const after = lastTs();
    await approve('bob', message.ts);
    await eventually(async () => (await approvalStatus(world, id)) === 'superseded', 'superseded');
    const fresh = await approvalMessageIn(world, ops, after);
    expect(requestIdOf(fresh)).not.toBe(id);
    expect(textOf(fresh.blocks)).toContain('set trading: stopped → stopped');
    expect(jobCommands(world).length).toBe(jobsBefore);
    expect(await executions(id)).toBe(0);
  });
});

describe('approval buttons on the one invocation path', () => {
  /** The spine's audit rows for a decision on this request, oldest first: `started`, then the outcome. */
  const spineRows = async (id: string, user: string) =>
    (
      await world.bot.pool.query<{ action: string; outcome: string; team_id: string }>(
        `SELECT action, outcome, team_id FROM audit_log
          WHERE action LIKE 'approvals %' AND arguments->>'request' = $1 AND user_id = $2 ORDER BY id`,
        [id, user],
      )
    ).rows;
  const blockIdOf = (message: { blocks?: unknown }) =>
    /"block_id":"(approval:apr_[0-9a-f]{12}:[0-9a-f]{16})"/.exec(JSON.stringify(message.blocks))?.[1] ?? '';

  it('refuses a decision from another workspace: audited as a refusal, nothing decided', async () => {
    const { message, id } = await requestStop();
    const channel = world.slack.channelId(ops);
    const outcome = await invoke(
      {
        command: { actionId: 'approvals approve', input: { request: id } },
        invoker: { userId: 'U0BOB', teamId: 'T0OTHER', channelId: channel },
        requestId: 'req_foreign_click',
        logger: createLogger({ level: 'silent' }),
        click: { kind: 'message', channel, ts: message.ts, blockId: blockIdOf(message) },
      },
      { deps: world.bot.deps, approvals: world.bot.approvalService },
    );
    expect(outcome.outcome).toBe('rejected:approval_not_found');
    expect(outcome.reply.text).toContain('does not exist');
    expect(await spineRows(id, 'U0BOB')).toEqual([
      { action: 'approvals approve', outcome: 'started', team_id: 'T0OTHER' },
      { action: 'approvals approve', outcome: 'rejected:approval_not_found', team_id: 'T0OTHER' },
    ]);
    expect(await approvalStatus(world, id)).toBe('pending');
  });

  it('reads the plan again before the click is audited, and counts the vote only with its audit row', async () => {
    const { message, id } = await requestStop();
    const channel = world.slack.channelId(ops);
    const { deps } = world.bot;
    let planRead = false;
    // The approved action's plan notes that its read began; the click's "started" row (written in the vote's
    // transaction) is held until then.
    const registry = Object.create(deps.registry) as typeof deps.registry;
    registry.get = (actionId: string) => {
      const action = deps.registry.get(actionId);
      if (action?.kind !== 'planned') return action;
      return {
        ...action,
        plan: (input: never, context: never) => {
          planRead = true;
          return action.plan(input, context);
        },
      } as typeof action;
    };
    let statusWhenAudited: string | undefined;
    const audit = {
      get unavailable() {
        return deps.audit.unavailable;
      },
      record: (entry: AuditEntry) => deps.audit.record(entry),
      recordWith: async <T>(entries: AuditEntry[], change: (append: AppendAudit) => Promise<T>) => {
        const [entry] = entries;
        if (entry?.action === 'approvals approve' && entry.outcome === 'started' && entry.userId === 'U0BOB') {
          await eventually(async () => planRead || undefined, "the plan's read to start before the click's audit row");
          statusWhenAudited = await approvalStatus(world, id);
        }
        return deps.audit.recordWith(entries, change);
      },
    };
    const click = (userId: string) =>
      invoke(
        {
          command: { actionId: 'approvals approve', input: { request: id } },
          invoker: { userId, teamId: world.slack.teamId, channelId: channel },
          requestId: `req_prepared_click_${userId}`,
          logger: createLogger({ level: 'silent' }),
          click: { kind: 'message', channel, ts: message.ts, blockId: blockIdOf(message) },
        },
        { deps: { ...deps, registry, audit } as typeof deps, approvals: world.bot.approvalService },
      );
    // Someone who may not approve it reads nothing from the cluster for it.
    expect((await click('U0CAROL')).outcome).toBe('rejected:approval_denied');
    expect(planRead).toBe(false);
    const outcome = await click('U0BOB');
    expect(outcome.outcome).toBe('ok');
    // Read early, decided only with its row: the vote was not counted while the row was held.
    expect(statusWhenAudited).toBe('pending');
    await eventually(async () => (await approvalStatus(world, id)) === 'executed', 'execution');
    expect(await spineRows(id, 'U0BOB')).toEqual([
      { action: 'approvals approve', outcome: 'started', team_id: world.slack.teamId },
      { action: 'approvals approve', outcome: 'ok', team_id: world.slack.teamId },
    ]);
  });

  it('refuses an unauthorised click and a self-approval, each audited as a refusal', async () => {
    const { message, id } = await requestStop('alice');
    const carol = world.slack.ephemerals('carol').length;
    await approve('carol', message.ts);
    await world.slack.waitFor(() => ephemeralText(world, 'carol', carol).includes('may not approve'), {
      description: 'refusal',
    });
    expect((await spineRows(id, 'U0CAROL')).map((r) => r.outcome)).toEqual(['started', 'rejected:approval_denied']);

    const alice = world.slack.ephemerals('alice').length;
    await approve('alice', message.ts);
    await world.slack.waitFor(() => ephemeralText(world, 'alice', alice).includes('cannot approve your own'), {
      description: 'self-approval refusal',
    });
    expect((await spineRows(id, 'U0ALICE')).map((r) => r.outcome)).toEqual(['started', 'rejected:self_approval']);
    expect(await approvalStatus(world, id)).toBe('pending');
    // The click's own rows in the order written: received, what was refused, how the request ended.
    const clickRows = await world.bot.pool.query<{ action: string; outcome: string }>(
      `SELECT action, outcome FROM audit_log
        WHERE user_id = 'U0CAROL' AND (arguments->>'request' = $1 OR arguments->>'approval' = $1) ORDER BY id`,
      [id],
    );
    expect(clickRows.rows.map((r) => `${r.action} ${r.outcome}`)).toEqual([
      'approvals approve started',
      'approval.unauthorised ok',
      'approvals approve rejected:approval_denied',
    ]);
  });

  it('asked again while the same ask is pending, points at that request: one request, one message', async () => {
    const text = 'trading stop --graceful --reason "sent twice"';
    const after = lastTs();
    await world.driver.command({ user: 'dave', channel: ops, text });
    const message = await approvalMessageIn(world, ops, after);
    const id = requestIdOf(message);
    // Sent again, by its requester and by someone else: both are pointed at the request already there.
    for (const user of ['dave', 'alice']) {
      const seen = world.slack.ephemerals(user).length;
      await world.driver.command({ user, channel: ops, text });
      const told = await world.slack.waitFor(
        () => /already waiting for approval/.exec(ephemeralText(world, user, seen)),
        {
          description: `${user} told the plan is already waiting`,
        },
      );
      expect(ephemeralText(world, user, seen)).toContain(id);
      expect(ephemeralText(world, user, seen)).toContain(user === 'dave' ? 'asked by you' : 'asked by <@U0DAVE>');
      expect(told).toBeTruthy();
    }
    const requests = await world.bot.pool.query(
      `SELECT id FROM approval_requests WHERE arguments->>'reason' = 'sent twice'`,
    );
    expect(requests.rows.map((r: { id: string }) => r.id)).toEqual([id]);
    expect(world.slack.messages(ops).filter((m) => m.ts > after && m.text.includes('Approval'))).toHaveLength(1);
    const audited = await world.bot.pool.query(
      `SELECT user_id FROM audit_log WHERE action = 'approval.already-pending' AND arguments->>'approval' = $1 ORDER BY id`,
      [id],
    );
    expect(audited.rows.map((r: { user_id: string }) => r.user_id)).toEqual(['U0DAVE', 'U0ALICE']);
    // Once it is decided, the same ask is a new request.
    await world.driver.clickButton({ user: 'dave', channel: ops, messageTs: message.ts, actionId: 'approval:cancel' });
    await eventually(async () => (await approvalStatus(world, id)) === 'cancelled', 'cancelled');
    const again = lastTs();
    await world.driver.command({ user: 'dave', channel: ops, text });
    expect(requestIdOf(await approvalMessageIn(world, ops, again))).not.toBe(id);
  });

  it('decides a double click once: one execution, the second click told and audited as refused', async () => {
    const { message, id } = await requestStop();
    const seen = world.slack.ephemerals('bob').length;
    await Promise.all([approve('bob', message.ts), approve('bob', message.ts)]);
    await eventually(async () => (await approvalStatus(world, id)) === 'executed', 'execution');
    await world.slack.waitFor(() => /Already approved|already approved/.test(ephemeralText(world, 'bob', seen)), {
      description: 'the second click told',
    });
    expect(await executions(id)).toBe(1);
    const outcomes = await eventually(async () => {
      const rows = (await spineRows(id, 'U0BOB')).map((r) => r.outcome).filter((o) => o !== 'started');
      return rows.length === 2 ? rows.sort() : undefined;
    }, 'both clicks audited');
    expect(outcomes[0]).toBe('ok');
    expect(outcomes[1]).toMatch(/^rejected:approval_(decided|already_voted)$/);
  });

  it('cancels once: a second Cancel is told who decided, and changes nothing', async () => {
    const { message, id } = await requestStop('dave');
    // Dave's screen still shows the buttons when he clicks again: the second click is on that copy.
    const shownBlocks = structuredClone(message.blocks);
    const cancel = () =>
      world.driver.clickButton({
        user: 'dave',
        channel: ops,
        messageTs: message.ts,
        actionId: 'approval:cancel',
        shownBlocks,
      });
    await cancel();
    await eventually(async () => (await approvalStatus(world, id)) === 'cancelled', 'cancel');
    const seen = world.slack.ephemerals('dave').length;
    await cancel();
    await world.slack.waitFor(() => ephemeralText(world, 'dave', seen).includes('Already cancelled'), {
      description: 'second cancel told',
    });
    // The first click's outcome row may land after the second click started: compare the outcomes only.
    const outcomes = await eventually(async () => {
      const rows = (await spineRows(id, 'U0DAVE')).map((r) => r.outcome).filter((o) => o !== 'started');
      return rows.length === 2 ? rows.sort() : undefined;
    }, 'both cancels audited');
    expect(outcomes).toEqual(['ok', 'rejected:approval_decided']);
    expect(await approvalStatus(world, id)).toBe('cancelled');
  });

  it('has the rejection in the audit log by the time its message shows it', async () => {
    const { message, id } = await requestStop();
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: message.ts, actionId: 'approval:reject' });
    const modal = await world.slack.waitFor((emu) => emu.openModals('U0BOB').at(-1), { description: 'reject modal' });
    await world.driver.submitView({ user: 'bob', viewId: modal.id, values: { reason: { value: 'Market is open' } } });
    await world.slack.waitFor(
      (emu) => textOf(emu.messages(ops).find((m) => m.ts === message.ts)?.blocks).includes('Market is open'),
      { description: 'rejection shown' },
    );
    const rejected = await world.bot.pool.query(
      `SELECT user_id, detail FROM audit_log WHERE action = 'approval.rejected' AND arguments->>'approval' = $1`,
      [id],
    );
    expect(rejected.rows).toEqual([{ user_id: 'U0BOB', detail: 'Market is open' }]);
  });

  it('refuses typing a decision: the buttons bind it to the message', async () => {
    const { id } = await requestStop();
    const seen = world.slack.ephemerals('bob').length;
    await world.driver.command({ user: 'bob', channel: ops, text: `approvals approve ${id}` });
    await world.slack.waitFor(() => ephemeralText(world, 'bob', seen).includes('done with its button'), {
      description: 'typed decision refused',
    });
    expect(await approvalStatus(world, id)).toBe('pending');
  });
});
