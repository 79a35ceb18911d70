import type { Block } from '../handlers/core/reply.ts';
import { context, sections } from '../handlers/core/reply.ts';
import type { RunEvent } from './run-events.ts';
import type { RunStatus, RunWithSteps, StepRecord } from './run-record.ts';

export interface RenderedMessage {
  text: string;
  blocks: Block[];
}

const runIcons: Record<RunStatus, string> = {
  queued: ':white_circle:',
  running: ':hourglass_flowing_sand:',
  paused: ':double_vertical_bar:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
};

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** One line per step: what it is doing or did, with the duration or the reason. */
export function stepLine(step: StepRecord, position: number): string {
  const label = `${position}. ${step.title}`;
  switch (step.status) {
    case 'pending':
      return `:white_circle: ${label}`;
    case 'running':
      return step.attempt > 1 && step.error
        ? `:hourglass_flowing_sand: ${label} (attempt ${step.attempt}; last try: ${step.error})`
        : `:hourglass_flowing_sand: ${label}`;
    case 'succeeded': {
      const took =
        step.startedAt && step.finishedAt
          ? ` (${formatDuration(step.finishedAt.getTime() - step.startedAt.getTime())})`
          : '';
      return `:white_check_mark: ${label}${took}${step.summary ? ` — ${step.summary}` : ''}`;
    }
    case 'paused':
      return `:double_vertical_bar: ${label} — paused for a decision${step.error ? ` (${step.error})` : ''}`;
    case 'failed':
      return `:x: ${label} — ${step.error ?? 'failed'}`;
    case 'cancelled':
      return `:no_entry_sign: ${label} — ${step.error ?? 'cancelled'}`;
    case 'skipped':
      return `:heavy_minus_sign: ${label} (not run)`;
  }
}

function statusPhrase(run: RunWithSteps): string {
  switch (run.status) {
    case 'queued':
      return 'queued';
    case 'running':
      return `running step ${Math.min(run.currentStep + 1, run.stepCount)} of ${run.stepCount}`;
    case 'paused':
      return `paused at step ${Math.min(run.currentStep + 1, run.stepCount)} of ${run.stepCount}: waiting for a decision (buttons below)`;
    default:
      return run.status;
  }
}

/** The status message: the whole run, rendered from the store. */
export function renderRunStatus(run: RunWithSteps): RenderedMessage {
  const headline = `${runIcons[run.status]} *${run.action}* \`${run.id}\` — ${statusPhrase(run)}`;
  const lines = run.steps.map((step) => stepLine(step, step.index + 1));
  const details = [`requested by <@${run.requestedBy}>`];
  if (run.target) details.push(`target \`${run.target}\``);
  if (run.resumedCount > 0) details.push(`resumed ${run.resumedCount}×`);
  if (run.cancelRequested && run.status === 'running')
    details.push(`cancelling (asked by <@${run.cancelledBy ?? 'someone'}>)`);
  else if (run.status === 'queued' || run.status === 'running' || run.status === 'paused')
    details.push(`cancel with \`/eafix cancel ${run.id}\``);
  const blocks = [...sections([headline, ...lines].join('\n')), context(details.join(' · '))].slice(0, 50);
  const done = run.steps.filter((s) => s.status === 'succeeded').length;
  return { text: `${run.action} ${run.id}: ${run.status} (${done}/${run.stepCount} steps done)`, blocks };
}

/** Thread replies for the moments people should be notified of; undefined for the rest. */
export function milestoneText(event: RunEvent, run: RunWithSteps | undefined): string | undefined {
  const action = run ? `*${run.action}* \`${event.runId}\`` : `\`${event.runId}\``;
  switch (event.type) {
    case 'step-failed':
      return event.willRetry ? undefined : `:x: Step ${event.stepIndex + 1} *${event.title}* failed: ${event.reason}`;
    case 'resumed': {
      const step = run?.steps[event.stepIndex];
      return `:arrows_counterclockwise: ${action} resumed on another worker (\`${event.workerId}\`) at step ${event.stepIndex + 1}${step ? ` *${step.title}*` : ''}`;
    }
    case 'run-finished':
      if (event.status === 'succeeded')
        return `:white_check_mark: ${action} finished.${event.summary ? `\n${event.summary}` : ''}`;
      return `${runIcons[event.status]} ${action} ${event.status}: ${event.error ?? 'no reason given'}`;
    default:
      return undefined;
  }
}
