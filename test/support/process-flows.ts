import { expect } from 'vitest';
import type { SlackDriver } from '@eafix/sandbox/slack';
import type { ProcessWorld } from './process-world.ts';
import { eventually } from './eventually.ts';

/**
 * User stories driven through bot processes (ProcessWorld): what is asserted is read from the test's
 * schema and the emulators, never from a bot's memory.
 */
const ops = 'eafix-ops';

export interface RunRow {
  status: string;
  error: string | null;
  resumed_count: number;
}

export const runRow = async (world: ProcessWorld, runId: string): Promise<RunRow> =>
  (await world.db.query<RunRow>(`SELECT status, error, resumed_count FROM runs WHERE id = $1`, [runId])).rows[0]!;

export const stepStatus = async (world: ProcessWorld, runId: string, stepId: string) =>
  (await world.db.query(`SELECT status FROM run_steps WHERE run_id = $1 AND step_id = $2`, [runId, stepId])).rows[0]
    ?.status as string | undefined;

/** The run once it ended, however long the processes take (a bound for a hang, not a speed check). */
export const finished = (world: ProcessWorld, runId: string) =>
  eventually(
    async () => {
      const row = await runRow(world, runId);
      return ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
    },
    `run ${runId} to finish`,
    240_000,
  );

const ephemeralsOf = (world: ProcessWorld, user: string, from: number) =>
  world.slack
    .ephemerals(user)
    .slice(from)
    .map((e) => `${e.text} ${JSON.stringify(e.blocks ?? [])}`)
    .join('\n');

/**
 * `/eafix rollback` requested by dave through `requestVia`, approved by bob and alice at once through
 * `approveVia` (both clicks race; one executes). Resolves once the run exists.
 */
export async function approvedRollback(
  world: ProcessWorld,
  environment: string,
  requestVia: SlackDriver,
  approveVia: SlackDriver[],
): Promise<{ approvalId: string; runId: string; messageTs: string }> {
  const seen = world.slack.ephemerals('dave').length;
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  const ack = await requestVia.command({
    user: 'dave',
    channel: ops,
    text: `rollback --environment=${environment} --reason "bad deploy in ${environment}"`,
  });
  expect(ack.status).toBe(200);
  await world.slack.waitFor(() => ephemeralsOf(world, 'dave', seen).includes('Approval requested'), {
    description: 'approval requested',
    timeoutMs: 60_000,
  });
  const message = await world.slack.waitFor(
    (emu) =>
      emu
        .messages(ops)
        .filter((m) => m.ts > after && m.text.includes('Approval'))
        .at(-1),
    { description: `an approval message in #${ops}`, timeoutMs: 60_000 },
  );
  const approvalId = /apr_[0-9a-f]{12}/.exec(JSON.stringify(message.blocks))![0];
  // The message reaches Slack a moment before its ts is recorded on the request: a click in between is refused.
  await eventually(
    async () =>
      (await world.db.query(`SELECT message_ts FROM approval_requests WHERE id = $1`, [approvalId])).rows[0]
        ?.message_ts === message.ts,
    `approval ${approvalId} to record its message`,
  );
  const approvers = ['bob', 'alice'];
  await Promise.all(
    approveVia.map((driver, i) =>
      driver.clickButton({ user: approvers[i]!, channel: ops, messageTs: message.ts, actionId: 'approval:approve' }),
    ),
  );
  const runId = await eventually(
    async () =>
      (await world.db.query(`SELECT id FROM runs WHERE approval_id = $1`, [approvalId])).rows[0]?.id as
        string | undefined,
    'the run',
  );
  return { approvalId, runId, messageTs: message.ts };
}

/** Executions of an approved plan, as audited: exactly one however many clicks and processes. */
export const executionsOf = async (world: ProcessWorld, approvalId: string): Promise<number> =>
  (
    await world.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'execute' AND arguments->>'approval' = $1`,
      [approvalId],
    )
  ).rows[0].n;

/** Cluster writes of the rollback in one environment: the gateway switch and the blue scale. */
export function rollbackWrites(world: ProcessWorld, environment: string) {
  const ns = `eafix-${environment}`;
  const writes = world.cluster.writes.filter((w) => w.path.includes(`/namespaces/${ns}/`));
  return {
    gateway: writes.filter((w) => w.path.endsWith('/services/eafix-gateway')).length,
    blue: writes.filter((w) => w.method === 'PATCH' && w.path.endsWith('/deployments/eafix-blue')).length,
  };
}

/** Outbox keys posted more than once to Slack (a post is recognised by the key in its metadata). */
export function duplicatePosts(world: ProcessWorld): string[] {
  const counts = new Map<string, number>();
  for (const messages of world.slack.state.messages.values()) {
    for (const message of messages) {
      const key = (message.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key;
      if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, n]) => n > 1).map(([key]) => key);
}

/** Every outbox row delivered: nothing the bot meant to say was lost. */
export const allDelivered = (world: ProcessWorld) =>
  eventually(async () => {
    const { rows } = await world.db.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM slack_outbox GROUP BY state`,
    );
    return rows.every((r) => r.state === 'delivered') && rows.length > 0 ? rows : undefined;
  }, 'every Slack outbox row to be delivered');

/** Incidents whose title starts with `prefix`. */
export const incidentsTitled = async (world: ProcessWorld, prefix: string) =>
  (
    await world.db.query<{ id: string; channel_id: string | null }>(
      `SELECT id, channel_id FROM incidents WHERE title LIKE $1 || '%'`,
      [prefix],
    )
  ).rows;

/**
 * `/eafix rollback` of production, approved, and held at `target-ready` (the simulated pods are not
 * ready yet): the moment a test disturbs the infrastructure under a running rollback.
 */
export async function rollbackHeldAtTargetReady(world: ProcessWorld, driver: SlackDriver) {
  const rollback = await approvedRollback(world, 'production', driver, [driver]);
  await eventually(
    async () => (await stepStatus(world, rollback.runId, 'target-ready')) === 'running',
    'target-ready to start',
  );
  return rollback;
}

/** Slack traffic after `what` (a restart, a failover): carol's `help` is audited and answered. */
export async function helpAnsweredAfter(world: ProcessWorld, driver: SlackDriver, what: string): Promise<void> {
  const seen = world.slack.ephemerals('carol').length;
  await driver.command({ user: 'carol', channel: ops, text: 'help' });
  await world.slack.waitFor(() => world.slack.ephemerals('carol').length > seen, {
    description: `help answered after the ${what}`,
    timeoutMs: 60_000,
  });
}

/**
 * Lets the held rollback's pods become ready, then checks nothing was lost or repeated: the run
 * succeeded once, wrote once, opened one incident, and Slack heard every post (and its end) once.
 */
export async function expectRollbackFinishedOnce(
  world: ProcessWorld,
  rollback: { approvalId: string; runId: string; messageTs: string },
  podReadyMs: number,
): Promise<void> {
  world.cluster.advance(podReadyMs);
  expect(await finished(world, rollback.runId)).toMatchObject({ status: 'succeeded' });
  expect(await executionsOf(world, rollback.approvalId)).toBe(1);
  expect(rollbackWrites(world, 'production')).toEqual({ gateway: 1, blue: 1 });
  expect(await incidentsTitled(world, 'Emergency rollback of production')).toHaveLength(1);
  await allDelivered(world);
  expect(duplicatePosts(world)).toEqual([]);
  const finishedPosts = world.slack
    .thread(ops, rollback.messageTs)
    .filter((m) => JSON.stringify(m.metadata ?? {}).includes(`"run:${rollback.runId}:finished"`));
  expect(finishedPosts).toHaveLength(1);
}
