import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { SCHEDULE_REQUESTER } from '../disaster-recovery/scheduled-runs.ts';
import { defineAction } from '../core/define-action.ts';
import { section } from '../core/reply.ts';
import { windowPlan } from './window-plan.ts';
import { startWindowRun } from './window-start.ts';
import { describeOccurrence, occurrenceId, occurrences, windowSpec, type Occurrence } from './window-times.ts';

const input = z
  .object({
    window: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,30}$/, 'a window name like weekly')
      .describe('weekly, monthly, …'),
    now: z.boolean().default(false).describe('run it now instead of at its next scheduled time'),
    at: z.iso
      .datetime()
      .optional()
      .describe('approve the occurrence starting then (the schedule posts this ahead of every window)'),
    reason: z.string().min(5).default('Scheduled maintenance window').describe('why, for the audit log'),
  })
  .refine((v) => v.now !== (v.at !== undefined), {
    message: 'give --now to run the window now, or --at=<start> for a scheduled occurrence (not both)',
    path: ['now'],
  });
type Input = z.infer<typeof input>;

const SCHEDULE_LOOKAHEAD = 12;
/** Nobody asked for a scheduled window: two people approve its plan. */
const SCHEDULED_APPROVERS = 2;

/** Why an approval of an occurrence that is no longer waiting changes nothing, and what to do instead. */
function notPendingMessage(window: string, occurrence: Occurrence, state: string | undefined): string {
  const when = describeOccurrence(occurrence);
  const runNow = `To run it now, use \`/eafix maintenance run ${window} --now\`.`;
  switch (state) {
    case 'skipped':
      return `The ${window} window of ${when} was skipped: it opened before its plan was approved, so it did not run and this approval changes nothing. ${runNow}`;
    case 'approved':
      return `The ${window} window of ${when} is already approved (another request): it runs when it opens, and this approval changes nothing.`;
    case 'running':
      return `The ${window} window of ${when} is already running (see \`/eafix maintenance windows\`): this approval changes nothing.`;
    default:
      return `The ${window} window of ${when} is no longer recorded: this approval changes nothing. ${runNow}`;
  }
}

/** The scheduled occurrence `at` names, checked against the window's schedule. */
function occurrenceAt(spec: Parameters<typeof occurrences>[0], at: string, now: Date): Occurrence {
  const wanted = Date.parse(at);
  const found = occurrences(spec, now, SCHEDULE_LOOKAHEAD).find((o) => o.startsAt.getTime() === wanted);
  if (!found)
    throw new AppError('not_an_occurrence', `The window does not open at ${at} (or that occurrence has ended).`, {
      hints: ['See the next windows with `/eafix maintenance windows`.'],
    });
  return found;
}

/**
 * The runbook's Scheduled Maintenance Windows, run with two-person approval: a scheduled occurrence
 * (`--at`, posted by the schedule ahead of the window) is approved now and runs when the window opens;
 * `--now` runs the window at once, for its usual duration.
 */
export const maintenanceRun = defineAction({
  id: 'maintenance run',
  kind: 'planned',
  chapter: 'Maintenance',
  summary: "Run a maintenance window's runbook steps (weekly, monthly) with two-person approval, now or when it opens",
  positional: ['window'],
  input,
  risk: 'destructive',
  permission: 'maintenance.window',
  approval: 'two-person',
  examples: ['maintenance run weekly --now --reason "patch Tuesday backlog"', 'maintenance run monthly --now'],
  // The plan the schedule posts expires when its window opens and needs two approvers, asked again or not.
  approvalOptions: (value: Input, { invoker }) =>
    value.at && invoker.userId === SCHEDULE_REQUESTER
      ? { expiresAt: new Date(value.at), requiredApprovals: SCHEDULED_APPROVERS }
      : undefined,
  plan: (value: Input, context) => {
    const spec = windowSpec(context.deps, value.window);
    const occurrence = value.at ? occurrenceAt(spec, value.at, context.deps.now()) : undefined;
    return windowPlan(value.window, occurrence, context);
  },
  execute: async (value: Input, ctx) => {
    const { deps, invoker } = ctx;
    const spec = windowSpec(deps, value.window);
    const now = deps.now();
    const approvedBy = ctx.approvers ?? [];
    const by = { requestedBy: invoker.userId, teamId: invoker.teamId, approvalId: ctx.approvalId, thread: ctx.thread };
    if (value.now) {
      const id = `${value.window}@now-${ctx.requestId}`;
      const base = { window: value.window, environment: spec.environment, onDemand: true, announcedAt: now };
      const times = { startsAt: now, endsAt: new Date(now.getTime() + spec.duration) };
      await deps.maintenance.windows.claim({
        id,
        ...base,
        ...times,
        state: 'approved',
        approvalId: ctx.approvalId,
        approvedBy,
      });
      const record = (await deps.maintenance.windows.get(id))!;
      const started = await startWindowRun(deps, record, by);
      const text = `:gear: The ${value.window} window runs now as \`${started.runId}\` until ${record.endsAt.toISOString().slice(11, 16)} UTC; progress is in the thread. Cancel with \`/eafix cancel ${started.runId}\`.`;
      return { text, blocks: [section(text)], ...(ctx.thread && !started.waitingFor ? { shownInThread: true } : {}) };
    }
    const occurrence = occurrenceAt(spec, value.at!, now);
    const id = occurrenceId(value.window, occurrence.startsAt);
    // Approved ahead of the schedule's own post, the occurrence is recorded here first.
    await deps.maintenance.windows.claim({
      id,
      window: value.window,
      environment: spec.environment,
      ...occurrence,
      onDemand: false,
      state: 'announced',
      approvalId: ctx.approvalId,
      announcedAt: now,
    });
    if (!(await deps.maintenance.windows.approve(id, approvedBy, ctx.approvalId))) {
      const record = await deps.maintenance.windows.get(id);
      throw new AppError('window_not_pending', notPendingMessage(value.window, occurrence, record?.state));
    }
    if (occurrence.startsAt <= now) {
      // Approved after it opened: it runs at once, in what is left of the window.
      const started = await startWindowRun(deps, (await deps.maintenance.windows.get(id))!, by);
      const text = `:gear: Approved after the window opened: it runs now as \`${started.runId}\` until ${occurrence.endsAt.toISOString().slice(11, 16)} UTC.`;
      return { text, blocks: [section(text)] };
    }
    const text = `:white_check_mark: The ${value.window} maintenance window is approved: it runs ${describeOccurrence(occurrence)}, its progress in this thread.`;
    return { text, blocks: [section(text)] };
  },
});
