/**
 * How a platform command's Job is reported in its run's thread: one message per Job (written again under
 * the same outbox key when it finishes, so a resumed step edits instead of posting twice) with the log's
 * tail, and the whole log as a file when it does not fit in a message.
 */
import type { JobOutcome } from '../../cluster/cluster.ts';
import { runStartKey } from '../../jobs/thread-progress.ts';
import type { Notifier } from './notifier.ts';
import { section, type Block } from './reply.ts';
import type { Runs } from './runs.ts';

/** Lines and characters of the log shown in the message; more goes into a file. */
const TAIL_LINES = 25;
const TAIL_CHARS = 2_400;

/** Where a run's replies go: its approval thread, or under its "started by" message. */
export type ReportThread = { channel: string; threadTs: string } | { channel: string; threadKey: string };

export async function runThread(runs: Pick<Runs, 'get'>, runId: string): Promise<ReportThread | undefined> {
  const run = await runs.get(runId);
  if (!run?.thread) return undefined;
  const { channel, ts } = run.thread;
  return ts ? { channel, threadTs: ts } : { channel, threadKey: runStartKey(run.requestId) };
}

/** Values that look like secrets (`password=…`, `token: …`, bearer tokens) are masked before Slack sees them. */
export function redactLog(log: string): string {
  return log
    .replace(/\b(bearer)\s+[A-Za-z0-9._~+/-]+=*/gi, '$1 [redacted]')
    .replace(
      /\b([\w-]*(?:password|passwd|secret|token|api[_-]?key|credentials?)[\w-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi,
      '$1$2[redacted]',
    )
    .replace(/\b(postgres(?:ql)?|redis|amqp|mysql):\/\/([^:/\s]+):[^@\s]+@/gi, '$1://$2:[redacted]@');
}

/** The last lines of the log that fit a message, and whether anything was left out. */
export function logTail(log: string): { tail: string; cut: boolean } {
  const lines = log.trimEnd().split('\n');
  let tail = lines.slice(-TAIL_LINES).join('\n');
  if (tail.length > TAIL_CHARS) tail = tail.slice(-TAIL_CHARS);
  return { tail, cut: tail.length < log.trimEnd().length };
}

const shown = (argv: readonly string[]) =>
  argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');

export function startedText(argv: readonly string[], job: string, namespace: string): string {
  return `:hourglass_flowing_sand: \`${shown(argv)}\` running as Job \`${job}\` in \`${namespace}\``;
}

export function finishedBlocks(
  argv: readonly string[],
  outcome: JobOutcome,
  log: string,
): { text: string; blocks: Block[]; cut: boolean } {
  const how = outcome.succeeded
    ? `:white_check_mark: \`${shown(argv)}\` succeeded`
    : `:x: \`${shown(argv)}\` failed${outcome.exitCode !== undefined ? ` (exit ${outcome.exitCode})` : ''}${outcome.reason ? `: ${outcome.reason}` : ''}`;
  const text = `${how} — Job \`${outcome.name}\` in \`${outcome.namespace}\``;
  const { tail, cut } = logTail(log);
  const more = cut || outcome.logTruncated ? '\n_The whole log is attached below._' : '';
  const body = tail ? `\n\`\`\`\n${tail.replace(/```/g, "'''")}\n\`\`\`${more}` : '\n_(no output)_';
  return { text, blocks: [section(`${text}${body}`.slice(0, 3000))], cut: cut || outcome.logTruncated };
}

/** Posts (or, under the same key, updates) the Job's message in the thread, and the log file when long. */
export async function reportFinished(
  notifier: Notifier,
  thread: ReportThread,
  argv: readonly string[],
  outcome: JobOutcome,
): Promise<void> {
  const log = redactLog(outcome.log);
  const { text, blocks, cut } = finishedBlocks(argv, outcome, log);
  await notifier.send({ ...thread, key: `platform-job:${outcome.namespace}:${outcome.name}`, text, blocks });
  if (cut)
    await notifier.upload({
      ...thread,
      key: `platform-job:${outcome.namespace}:${outcome.name}:log`,
      filename: `${outcome.name}.log`,
      title: `${shown(argv)} (Job ${outcome.name})`,
      content: log,
    });
}
