import { AppError } from '../../app-error.ts';
import type { ActionContext } from '../core/define-action.ts';
import type { Prometheus } from '../monitoring/kpi-readings.ts';
import { context, section, type Block, type Reply } from '../core/reply.ts';

/** A check's verdict (runbook thresholds: warning / critical). */
export type Verdict = 'ok' | 'warn' | 'fail';

/**
 * What the runbook prescribes for a finding: a command the clicker runs as if typed (`scale risk-manager 5
 * --reason …`), so it goes through its own action's permission, audit and approval.
 */
export interface Remedy {
  label: string;
  command: string;
}

export interface Finding {
  check: string;
  verdict: Verdict;
  evidence: string;
  remedies?: Remedy[];
  /** A runbook step with no action behind it yet, shown as the command to run. */
  advice?: string;
}

export interface DiagnosisCheck<Input> {
  name: string;
  run: (input: Input, ctx: ActionContext) => Promise<Omit<Finding, 'check'>>;
}

const ICON: Record<Verdict, string> = {
  ok: ':large_green_circle:',
  warn: ':large_yellow_circle:',
  fail: ':red_circle:',
};
/** Slack shows at most 25 elements in an actions block; a diagnosis offers a handful. */
const MAX_REMEDIES = 10;

/** Runs every check at once; a check that cannot run is a `fail` saying why, never a missing line. */
export async function runChecks<Input>(
  checks: readonly DiagnosisCheck<Input>[],
  input: Input,
  ctx: ActionContext,
): Promise<Finding[]> {
  return Promise.all(
    checks.map(async (check) => {
      try {
        return { check: check.name, ...(await check.run(input, ctx)) };
      } catch (error) {
        const why = error instanceof AppError ? error.userMessage : 'the check failed unexpectedly';
        if (!(error instanceof AppError)) ctx.logger.warn({ err: error, check: check.name }, 'diagnosis check failed');
        return { check: check.name, verdict: 'fail' as const, evidence: `could not check: ${why}` };
      }
    }),
  );
}

/** `higher` is worse: ok ≤ warn < … ≤ fail < value. */
export const verdictOf = (value: number, warn: number, fail: number): Verdict =>
  value > fail ? 'fail' : value > warn ? 'warn' : 'ok';

/** The worst verdict of several. */
export const worst = (verdicts: Verdict[]): Verdict =>
  verdicts.includes('fail') ? 'fail' : verdicts.includes('warn') ? 'warn' : 'ok';

export function prometheusOf(ctx: ActionContext): Prometheus {
  const prometheus = ctx.deps.monitoring.prometheus;
  if (!prometheus)
    throw new AppError('prometheus_not_configured', 'No Prometheus is configured.', {
      hints: ['Set PROMETHEUS_URL or monitoring.prometheus.url in the policy file.'],
    });
  return prometheus;
}

/** The namespace of an environment, for PromQL label matchers. */
export function namespaceOf(ctx: ActionContext, environment: string): string {
  const env = ctx.deps.topology.environments[environment];
  if (!env)
    throw new AppError('unknown_environment', `There is no environment \`${environment}\`.`, {
      hints: [`Environments: ${Object.keys(ctx.deps.topology.environments).join(', ')}`],
    });
  return env.namespace;
}

/** The findings as one message: a line per check with its verdict and evidence, then the remedies as buttons. */
export function diagnosisReply(title: string, findings: Finding[]): Reply {
  const overall = worst(findings.map((f) => f.verdict));
  const heading = `${ICON[overall]} *${title}*: ${findings.filter((f) => f.verdict !== 'ok').length} of ${findings.length} checks need attention`;
  const lines = findings.map(
    (f) =>
      `${ICON[f.verdict]} *${f.check}* — ${f.verdict.toUpperCase()}: ${f.evidence}${f.advice ? `\n      runbook: ${f.advice}` : ''}`,
  );
  const remedies = dedupe(findings.flatMap((f) => (f.verdict === 'ok' ? [] : (f.remedies ?? [])))).slice(
    0,
    MAX_REMEDIES,
  );
  const blocks: Block[] = [section(heading), ...lines.map((l) => section(l.slice(0, 3000)))];
  if (remedies.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: 'diagnose:remedies',
      elements: remedies.map((r, i) => ({
        type: 'button',
        text: { type: 'plain_text', text: r.label.slice(0, 75) },
        action_id: `diagnose:remedy:${i}`,
        value: r.command.slice(0, 2000),
      })),
    });
    blocks.push(context('Each remedy runs as you, with its own permission and approval.'));
  }
  const text = [heading, ...lines, ...remedies.map((r) => `remedy: /eafix ${r.command}`)].join('\n');
  return { text, blocks, visibility: 'in_channel' };
}

function dedupe(remedies: Remedy[]): Remedy[] {
  const seen = new Set<string>();
  return remedies.filter((r) => !seen.has(r.command) && seen.add(r.command));
}

/** A reason for a remedy's audit and approval: which diagnosis proposed it. */
export const remedyReason = (playbook: string, finding: string) =>
  `"${`${playbook}: ${finding}`.replace(/[^\w .:%/()-]+/g, ' ').slice(0, 200)}"`;
