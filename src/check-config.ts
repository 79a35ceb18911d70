import { readFile } from 'node:fs/promises';
import { readYaml } from './config/read-yaml.ts';
import { parseEnv } from './config/env.ts';
import { ConfigError, formatIssues } from './config/format-issues.ts';
import { policySchema, type Policy } from './config/policy.ts';
import { checkPolicyReferences } from './policy-checks.ts';

export interface ConfigReport {
  /** What was checked, for the success line. */
  checked: string[];
  /** Mistakes: the bot would refuse to start. */
  errors: string[];
  /** The bot starts, but something in the policy does nothing. */
  warnings: string[];
}

/**
 * Every check the bot runs at start, without a database, Redis or Slack: the environment (unless only a
 * policy file is checked), the policy's schema (channel names, schedules, topology bounds, references
 * within sections) and the checks across sections and against the action registry. Each section is
 * checked on its own, so one run lists every problem.
 */
export async function checkConfig(options: {
  policyPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
}): Promise<ConfigReport> {
  const report: ConfigReport = { checked: [], errors: [], warnings: [] };
  let policyPath = options.policyPath;
  if (options.env) {
    report.checked.push('environment');
    try {
      policyPath ??= parseEnv(options.env).EAFIX_CONFIG;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      report.errors.push(...error.problems.map((p) => `environment: ${p}`));
      policyPath ??= options.env.EAFIX_CONFIG;
    }
  }
  if (!policyPath) {
    report.errors.push('policy file: none given (pass its path, or set EAFIX_CONFIG)');
    return report;
  }
  report.checked.push(`policy file ${policyPath}`);
  const where = `policy file ${policyPath}`;
  let text: string;
  try {
    text = await readFile(policyPath, 'utf8');
  } catch (error) {
    report.errors.push(`${where}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return report;
  }
  const read = readYaml(text);
  if (!read.ok) {
    report.errors.push(...read.errors.map((e) => `${where}: YAML: ${e}`));
    return report;
  }
  const raw = (read.value ?? {}) as Record<string, unknown>;
  const valid: Partial<Record<keyof Policy, unknown>> = {};
  const whole = policySchema.safeParse(raw);
  if (whole.success) {
    Object.assign(valid, whole.data);
  } else {
    report.errors.push(...formatIssues(whole.error.issues).map((p) => `${where}: ${p}`));
    for (const [key, schema] of Object.entries(policySchema.shape)) {
      const section = schema.safeParse(raw[key]);
      if (section.success) valid[key as keyof Policy] = section.data;
    }
  }
  const references = checkPolicyReferences(valid as Partial<Policy>);
  report.errors.push(...references.errors.map((p) => `${where}: ${p}`));
  report.warnings.push(...references.warnings.map((p) => `${where}: ${p}`));
  return report;
}
