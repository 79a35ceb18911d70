import { eventually } from './eventually.ts';
import { expect } from 'vitest';
import { textOf, type TestWorld } from './world.ts';
import type { EmuEphemeral, EmuMessage, SubmitViewResult } from '@eafix/sandbox/slack';

/**
 * The latest approval message in the channel, once the bot has recorded it on its request (it reaches
 * Slack through the outbox a moment before its ts is recorded; a click in between is refused).
 */
export async function approvalMessageIn(world: TestWorld, channel: string, after = '0'): Promise<EmuMessage> {
  const message = await world.slack.waitFor(
    (emu) =>
      emu
        .messages(channel)
        .filter((m) => m.ts > after && m.text.includes('Approval'))
        .at(-1),
    { description: `an approval message in #${channel}` },
  );
  const id = /apr_[0-9a-f]{12}/.exec(JSON.stringify(message.blocks))?.[0];
  if (id) {
    await eventually(async () => {
      const result = await world.bot.pool.query<{ message_ts: string | null }>(
        'SELECT message_ts FROM approval_requests WHERE id = $1',
        [id],
      );
      return result.rows[0]?.message_ts === message.ts || undefined;
    }, `approval ${id} to record its message`);
  }
  return message;
}

export function requestIdOf(message: EmuMessage): string {
  const match = /apr_[0-9a-f]{12}/.exec(JSON.stringify(message.blocks));
  expect(match).not.toBeNull();
  return match![0];
}

export async function approvalStatus(world: TestWorld, id: string): Promise<string> {
  const result = await world.bot.pool.query<{ status: string }>('SELECT status FROM approval_requests WHERE id = $1', [
    id,
  ]);
  return result.rows[0]?.status ?? 'missing';
}

/** Trading as the simulated platform has it (what the toolbox Jobs changed), never the bot's view. */
export function tradingState(world: TestWorld, namespace = 'eafix-production'): { state: 'running' | 'stopped' } {
  return { state: world.cluster.workloads.platform.state(namespace).tradingEnabled ? 'running' : 'stopped' };
}

/** Puts the simulated platform back: trading on, maintenance off (a test's clean slate). */
export function resetPlatform(world: TestWorld, namespace = 'eafix-production'): void {
  world.cluster.workloads.platform.update(namespace, (p) => {
    p.tradingEnabled = true;
    p.maintenance = false;
    delete p.maintenanceMessage;
    p.site = 'primary';
  });
}

/** Whether a message or a thread reply in the channel contains the text (a run reports in its thread). */
export function postedIn(world: TestWorld, channel: string, text: string): boolean {
  return world.slack
    .messages(channel)
    .some((m) =>
      world.slack.thread(channel, m.ts).some((r) => `${r.text}${JSON.stringify(r.blocks ?? [])}`.includes(text)),
    );
}

/** Waits until no run is queued or running: a test's runs end before the next test resets the platform. */
export async function runsSettled(world: TestWorld): Promise<void> {
  await eventually(async () => {
    const result = await world.bot.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM runs WHERE status IN ('queued', 'running')`,
    );
    return result.rows[0]?.n === 0 || undefined;
  }, 'every run to end');
}

/** The argv of every toolbox Job created in the namespace, oldest first. */
export function jobCommands(world: TestWorld, namespace = 'eafix-production'): string[][] {
  return world.cluster.writes
    .filter((w) => w.method === 'POST' && w.path === `/apis/batch/v1/namespaces/${namespace}/jobs`)
    .map((w) => {
      const body = w.body as { spec?: { template?: { spec?: { containers?: Array<{ command?: string[] }> } } } };
      return body.spec?.template?.spec?.containers?.[0]?.command ?? [];
    });
}

/** Ephemerals the bot sent a user after an index, joined as text. */
export function ephemeralText(world: TestWorld, user: string, from = 0): string {
  return world.slack
    .ephemerals(user)
    .slice(from)
    .map((e) => `${e.text} ${JSON.stringify(e.blocks ?? [])}`)
    .join('\n');
}

/** `/eafix approvals review` typed by `user` in `channel`; resolves with the review list once it names `use`. */
export async function reviewList(world: TestWorld, user: string, channel: string, use: string): Promise<EmuEphemeral> {
  const seen = world.slack.ephemerals(user).length;
  await world.driver.command({ user, channel, text: 'approvals review' });
  return world.slack.waitFor(
    (emu) =>
      emu
        .ephemerals(user)
        .slice(seen)
        .find((e) => textOf(e.blocks).includes(use)),
    { description: `the break-glass review list naming ${use}` },
  );
}

/**
 * `/eafix <text>` typed by `requester` in #eafix-ops and approved there by `approver`; resolves with the
 * approval message, its request id and the id of the run it started. `form`, when the command opens a
 * form, fills and submits it as the requester would.
 */
export async function approvedRun(
  world: TestWorld,
  text: string,
  { requester = 'alice', approver = 'bob', form }: { requester?: string; approver?: string; form?: FormSteps } = {},
): Promise<{ message: EmuMessage; id: string; runId: string }> {
  const ops = 'eafix-ops';
  const seen = world.slack.ephemerals(requester).length;
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  await world.driver.command({ user: requester, channel: ops, text });
  if (form) {
    const modal = await world.slack.waitFor((emu) => emu.openModals(requester).at(-1), {
      description: 'the form the command opened',
    });
    await form(modal, (values) => world.driver.submitView({ user: requester, viewId: modal.id, values }));
  }
  await world.slack.waitFor(() => ephemeralText(world, requester, seen).includes('Approval requested'), {
    description: 'approval requested',
  });
  const message = await approvalMessageIn(world, ops, after);
  const id = requestIdOf(message);
  await world.driver.clickButton({ user: approver, channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
  const runId = await eventually(
    async () =>
      (await world.bot.pool.query<{ id: string }>(`SELECT id FROM runs WHERE approval_id = $1`, [id])).rows[0]?.id,
    'the approved run',
  );
  return { message, id, runId };
}

type Submit = (values: Record<string, unknown>) => Promise<SubmitViewResult>;
/** Fills and submits a modal the way a person would. */
export type FormSteps = (modal: { id: string; view: Record<string, unknown> }, submit: Submit) => Promise<void>;
