import type { Pool } from '../../src/store/database.ts';
import type { EmuMessage, SlackEmulator, SubmitViewResult } from '@eafix/sandbox/slack';
import { approvalMessageIn, ephemeralText, requestIdOf } from './approvals.ts';
import { eventually } from './eventually.ts';
import type { TestWorld } from './world.ts';

/**
 * `/eafix deploy` driven as people in Slack drive it (request, second person's approval, the buttons of
 * a paused run), for the deploy e2e tests. Everything asserted is read from the database and emulators.
 */
const ops = 'eafix-ops';

export interface RunRow {
  id: string;
  status: string;
  error: string | null;
  summary: string | null;
}

type Submit = (values: Record<string, unknown>) => Promise<SubmitViewResult>;
export type FormSteps = (modal: { id: string; view: Record<string, unknown> }, submit: Submit) => Promise<void>;

const runRow = async (pool: Pool, where: string, value: string) =>
  (await pool.query<RunRow>(`SELECT id, status, error, summary FROM runs WHERE ${where} = $1`, [value])).rows[0];

/** The run once it no longer runs: ended, or paused for a decision. */
export function runAtRest(world: TestWorld, runId: string, timeoutMs = 60_000): Promise<RunRow> {
  return eventually(
    async () => {
      const r = await runRow(world.bot.pool, 'id', runId);
      return r && r.status !== 'queued' && r.status !== 'running' ? r : undefined;
    },
    `run ${runId} to end or pause`,
    timeoutMs,
  );
}

/** The run once it ended (a decided pause resumes it first). */
export function runEnded(world: TestWorld, runId: string, timeoutMs = 60_000): Promise<RunRow> {
  return eventually(
    async () => {
      const r = await runRow(world.bot.pool, 'id', runId);
      return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
    },
    `run ${runId} to end`,
    timeoutMs,
  );
}

/**
 * `/eafix deploy <args>`, approved by a second person; resolves once its run ended or paused. With
 * `form`, the command opens the deploy form and `form` fills and submits it, as a person would.
 */
export async function approvedDeploy(
  world: TestWorld,
  args: string,
  { requester = 'alice', approver = 'bob', form }: { requester?: string; approver?: string; form?: FormSteps } = {},
): Promise<{ message: EmuMessage; id: string; run: RunRow }> {
  const seen = world.slack.ephemerals(requester).length;
  const after = world.slack.latestMessage(ops)?.ts ?? '0';
  await world.driver.command({ user: requester, channel: ops, text: `deploy ${args}` });
  if (form) {
    const modal = await world.slack.waitFor((emu) => emu.openModals(requester).at(-1), {
      description: 'the deploy form',
    });
    await form(modal, (values) => world.driver.submitView({ user: requester, viewId: modal.id, values }));
  }
  await world.slack.waitFor(() => ephemeralText(world, requester, seen).includes('Approval requested'), {
    description: 'approval requested',
  });
  const message = await approvalMessageIn(world, ops, after);
  const id = requestIdOf(message);
  await world.driver.clickButton({ user: approver, channel: ops, messageTs: message.ts, actionId: 'approval:approve' });
  const runId = await eventually(async () => (await runRow(world.bot.pool, 'approval_id', id))?.id, 'the deploy run');
  return { message, id, run: await runAtRest(world, runId) };
}

/** The paused run's question in the thread of `threadTs`, once posted with the button of `optionId`. */
export function pauseQuestion(slack: SlackEmulator, threadTs: string, optionId: string): Promise<EmuMessage> {
  return slack.waitFor(
    (emu) => emu.thread(ops, threadTs).find((m) => JSON.stringify(m.blocks ?? []).includes(`run:decide:${optionId}`)),
    { description: `the paused question with its ${optionId} button` },
  );
}

/** `user` clicks the option on the question; resolves once the bot told them it was recorded. */
export async function decide(world: TestWorld, question: EmuMessage, optionId: string, user = 'alice'): Promise<void> {
  const seen = world.slack.ephemerals(user).length;
  await world.driver.clickButton({ user, channel: ops, messageTs: question.ts, actionId: `run:decide:${optionId}` });
  await world.slack.waitFor(() => ephemeralText(world, user, seen).includes('Recorded') || undefined, {
    description: `${user}'s ${optionId} recorded`,
  });
}
