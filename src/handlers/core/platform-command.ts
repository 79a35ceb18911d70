/**
 * One platform command (`eafix-cli …`, `alembic upgrade head`, a runbook script) as a batch/v1 Job in
 * the environment's namespace, the way every step runs them: argv from validated words (never a shell
 * string), a Job name fixed by run + step so a resumed step re-attaches instead of running the command
 * again, labels naming run, step and requester, the log tail in the run's thread, the exit code mapped to
 * success or failure, and the last stdout line, when it is a JSON object, as the structured result.
 */
import { AppError } from '../../app-error.ts';
import { platformJobName } from '../../cluster/kube-jobs.ts';
import type { JobOutcome } from '../../cluster/cluster.ts';
import type { ActionDeps } from './action-deps.ts';
import { changeMeta } from './change-meta.ts';
import { reportFinished, runThread, startedText, type ReportThread } from './platform-command-report.ts';

export type PlatformCommandDeps = Pick<
  ActionDeps,
  'cluster' | 'notifier' | 'runs' | 'platformCli' | 'impersonation' | 'authorizer'
>;

/** Who runs the command and for which run: a step's context fits as it is. */
export interface PlatformCommandContext {
  /** The run the command belongs to; without one (a query) the request id names the Job and nothing is posted. */
  runId?: string | undefined;
  requestId: string;
  requestedBy: string;
  approvalId?: string | undefined;
  signal?: AbortSignal | undefined;
  deps: PlatformCommandDeps;
}

export interface PlatformCommand {
  environment: string;
  /** The step (or step part, `post-verify-health`): with the run id it names the Job. */
  step: string;
  /** Words after the policy's command (`['trading', 'stop', '--graceful']`). */
  args?: readonly string[];
  /** A whole argv instead of the policy's command and `args`: `['alembic', 'upgrade', 'head']`. */
  argv?: readonly string[];
  /** Another image than the toolbox's: migrations run in the new version's image. */
  image?: string;
  /** Why, recorded on the Job with who asked (change annotations). */
  reason: string;
  timeoutSeconds?: number;
  /**
   * Counts deliberate re-runs of a step (a Retry after a failure): 1, the default, re-attaches to the Job
   * a crashed attempt left; 2 and up name a fresh Job.
   */
  generation?: number;
  /** Resolve with a failed outcome instead of throwing `platform_command_failed`. */
  allowFailure?: boolean;
  /** Post the Job's log in the run's thread (default: when the command belongs to a run). */
  report?: boolean;
}

export interface PlatformCommandResult {
  job: string;
  namespace: string;
  argv: string[];
  image: string;
  succeeded: boolean;
  exitCode: number | undefined;
  /** The last stdout line when it is a JSON object. */
  result: Record<string, unknown> | undefined;
  /** True when the Job already existed (a resumed step) and was waited for, not created. */
  attached: boolean;
  /** Why Kubernetes marked the Job failed (BackoffLimitExceeded, DeadlineExceeded). */
  reason?: string | undefined;
  /** The last lines of output, for summaries and failure messages. */
  lastLines: string[];
  /** The whole log as read (up to 1 MiB): for commands whose output is the answer (`kubectl diff`). */
  output: string;
}

const MAX_WORD = 1024;
// No control characters: a word is one argv element; newlines or NULs have no business in one.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const LABEL_VALUE = /[^A-Za-z0-9._-]+/g;

/** The argv checked word by word; a bad word is a clear refusal, never a mangled command. */
export function validatedArgv(words: readonly string[]): string[] {
  const bad = words.find((w) => typeof w !== 'string' || w === '' || w.length > MAX_WORD || CONTROL.test(w));
  if (words.length === 0 || bad !== undefined)
    throw new AppError(
      'invalid_platform_command',
      `Cannot run the platform command: ${words.length === 0 ? 'it is empty' : `the word ${JSON.stringify(String(bad).slice(0, 60))} is empty, too long or holds control characters`}.`,
    );
  return [...words];
}

/** A label value (≤ 63 characters of [A-Za-z0-9._-], alphanumeric at both ends). */
function labelValue(value: string): string {
  return (
    value
      .replace(LABEL_VALUE, '-')
      .slice(0, 63)
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'unknown'
  );
}

/** The Job a step's command runs as: the same name on every resumption of the same generation. */
export function platformCommandJobName(runOrRequestId: string, step: string, generation = 1): string {
  return platformJobName('eafix', runOrRequestId, step, ...(generation > 1 ? [`r${generation}`] : []));
}

export async function runPlatformCommand(
  ctx: PlatformCommandContext,
  command: PlatformCommand,
): Promise<PlatformCommandResult> {
  const { deps } = ctx;
  const cli = deps.platformCli;
  const argv = validatedArgv(command.argv ?? [...cli.command, ...(command.args ?? [])]);
  const owner = ctx.runId ?? ctx.requestId;
  const name = platformCommandJobName(owner, command.step, command.generation);
  const image = command.image ?? cli.image;
  const deadline = command.timeoutSeconds ?? cli.timeoutSeconds;
  const thread = command.report !== false && ctx.runId ? await runThread(deps.runs, ctx.runId) : undefined;
  const key = (namespace: string) => `platform-job:${namespace}:${name}`;
  let started: Promise<void> | undefined;
  const outcome = await deps.cluster.runJob(
    command.environment,
    {
      name,
      image,
      command: argv,
      ...(cli.serviceAccount ? { serviceAccountName: cli.serviceAccount } : {}),
      labels: {
        'eafix.io/run': labelValue(owner),
        'eafix.io/step': labelValue(command.step),
        'eafix.io/requested-by': labelValue(ctx.requestedBy),
      },
      activeDeadlineSeconds: deadline,
      ttlSecondsAfterFinished: cli.ttlSecondsAfterFinished,
      resources: cli.resources,
      change: await changeMeta(deps, ctx, command.reason),
    },
    {
      timeoutMs: (deadline + 60) * 1000,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      // Enough of the log to attach it whole in the usual case; the message shows only its end.
      tailLines: 5_000,
      maxLogBytes: 1024 * 1024,
      onStarted: ({ namespace }) => {
        if (thread) started = postStarted(deps, thread, key(namespace), argv, name, namespace);
      },
    },
  );
  // The "running" line first, so the finished one replaces it rather than racing it.
  await started;
  if (thread) await reportFinished(deps.notifier, thread, argv, outcome);
  const result = resultOf(argv, image, outcome);
  if (!outcome.succeeded && !command.allowFailure) throw commandFailed(result, outcome);
  return result;
}

async function postStarted(
  deps: PlatformCommandDeps,
  thread: ReportThread,
  key: string,
  argv: readonly string[],
  name: string,
  namespace: string,
): Promise<void> {
  await deps.notifier.send({ ...thread, key, text: startedText(argv, name, namespace) });
}

function resultOf(argv: string[], image: string, outcome: JobOutcome): PlatformCommandResult {
  return {
    job: outcome.name,
    namespace: outcome.namespace,
    argv,
    image,
    succeeded: outcome.succeeded,
    exitCode: outcome.exitCode,
    result: outcome.result,
    attached: outcome.attached,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    output: outcome.log,
    lastLines: outcome.log
      .trimEnd()
      .split('\n')
      .filter((l) => l !== '')
      .slice(-5),
  };
}

function commandFailed(result: PlatformCommandResult, outcome: JobOutcome): AppError {
  const why =
    outcome.exitCode !== undefined
      ? `exited with ${outcome.exitCode}`
      : `did not finish${outcome.reason ? ` (${outcome.reason})` : ''}`;
  const last = result.lastLines.at(-1);
  return new AppError(
    'platform_command_failed',
    `\`${result.argv.join(' ')}\` ${why} in Job ${result.job} (${result.namespace})${last ? `: ${last.slice(0, 300)}` : ''}.`,
    { hints: [`Inspect it with: kubectl logs job/${result.job} -n ${result.namespace}`] },
  );
}
