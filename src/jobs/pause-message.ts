/**
 * A paused run's question in its thread: the question and one button per option while undecided;
 * who decided what once decided (the buttons go); the escalation once it expired undecided. Written to
 * the Slack outbox under one key per pause, in the transaction that changes the pause, so the buttons
 * are posted only after the pause is stored and the decision replaces them for everyone.
 */
import type { Block } from '../handlers/core/reply.ts';
import { context, sections } from '../handlers/core/reply.ts';
import type { OutboxTransaction } from '../slack/slack-outbox.ts';
import type { RunPause, RunRecord } from './run-record.ts';
import type { ProgressOutbox } from './thread-progress.ts';
import { runStartKey } from './thread-progress.ts';

/** The buttons' action ids: `run:decide:<option id>`, the pause id as value. */
export const PAUSE_ACTION_PREFIX = 'run:decide:';
export const pauseActionPattern = /^run:decide:[\w-]+$/;

export const pauseMessageKey = (pauseId: string): string => `run-pause:${pauseId}`;

export function optionLabel(pause: RunPause, optionId: string): string {
  return pause.options.find((o) => o.id === optionId)?.label ?? optionId;
}

/** One line for `/eafix runs` and the like: what the run waits for, or what was decided. */
export function pauseLine(pause: RunPause): string {
  if (pause.decision)
    return `decided: *${optionLabel(pause, pause.decision.optionId)}* by <@${pause.decision.decidedBy}>`;
  const escalated = pause.escalatedAt ? `; expired, escalated (${pause.escalation ?? 'incident'})` : '';
  return `waiting for a decision: ${pause.options.map((o) => o.label).join(' / ')} (expires ${pause.expiresAt.toISOString()}${escalated})`;
}

export function renderPause(run: RunRecord, pause: RunPause): { text: string; blocks: Block[] } {
  const head = `:double_vertical_bar: *${run.action}* \`${run.id}\` paused at step ${pause.stepIndex + 1}`;
  const body = `${head}\n${pause.question}`;
  const blocks: Block[] = [...sections(body)];
  if (pause.decision) {
    blocks.push(
      context(
        `:ballot_box_with_check: <@${pause.decision.decidedBy}> chose *${optionLabel(pause, pause.decision.optionId)}* at ${pause.decision.decidedAt.toISOString()}`,
      ),
    );
  } else {
    blocks.push({
      type: 'actions',
      block_id: `run-pause:${pause.id}`,
      elements: pause.options.map((option) => ({
        type: 'button',
        action_id: `${PAUSE_ACTION_PREFIX}${option.id}`,
        text: { type: 'plain_text', text: option.label },
        value: pause.id,
        ...(option.style ? { style: option.style } : {}),
      })),
    });
    const escalated = pause.escalatedAt
      ? ` · :rotating_light: undecided past its expiry: escalated (${pause.escalation ?? 'incident'}); still waiting for a decision`
      : '';
    blocks.push(context(`expires ${pause.expiresAt.toISOString()}${escalated}`));
  }
  return { text: `${run.action} ${run.id} paused: ${pauseLine(pause)}`, blocks };
}

/** The pause's message, written with the pause's change (PgRunStore's OnPauseChanged). */
export function pauseMessageInTransaction(outbox: ProgressOutbox) {
  return async (client: OutboxTransaction, run: RunRecord, pause: RunPause): Promise<void> => {
    if (!run.thread) return;
    const { channel, ts } = run.thread;
    const thread = ts ? { threadTs: ts } : { threadKey: runStartKey(run.requestId) };
    await outbox.putMessage({ key: pauseMessageKey(pause.id), channel, ...thread, ...renderPause(run, pause) }, client);
  };
}
