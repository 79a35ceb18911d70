import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { reportsPolicySchema } from '../../src/config/reports-policy.ts';
import { parsePolicy } from '../../src/config/policy.ts';
import { ConfigError } from '../../src/config/format-issues.ts';
import { runbookKpis } from '../../src/config/monitoring-policy.ts';
import { examplePolicyPath } from '@eafix/sandbox/sandbox-world';
import { defaultKpiQueries } from '@eafix/sandbox/prometheus';

const example = await readFile(examplePolicyPath, 'utf8');
const base = example.slice(0, example.indexOf('\ndigests:'));

function problems(yaml: string): string[] {
  try {
    parsePolicy(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('digests and monitoring policy', () => {
  it('the example declares a daily digest, a short (disabled) one and the runbook reviews, with queries the sandbox emulator answers', () => {
    const policy = parsePolicy(example);
    expect(policy.digests.map((d) => [d.name, d.kind, d.cron, d.timezone, d.enabled])).toEqual([
      ['daily', 'status', '0 8 * * 1-5', 'Europe/London', true],
      ['pulse', 'status', '* * * * *', 'UTC', false],
      ['security-daily', 'security-checklist', '0 7 * * *', 'UTC', true],
      ['performance-weekly', 'performance-review', '0 8 * * 1', 'Europe/London', true],
      ['capacity-monthly', 'capacity-review', '0 9 1 * *', 'Europe/London', true],
    ]);
    // The example's report settings are the defaults, which the sandbox's emulator is seeded with.
    expect(policy.reports).toEqual(reportsPolicySchema.parse({}));
    expect(policy.incidents.securityContacts.map((c) => c.role)).toEqual([
      'Security Team Lead',
      'CISO',
      'Legal Counsel',
      'External Security Firm',
    ]);
    const queries = Object.fromEntries(policy.monitoring.kpis.map((k) => [k.id, k.query]));
    expect(queries).toEqual(defaultKpiQueries);
    for (const [id, spec] of Object.entries(runbookKpis)) expect(queries[id]).toBe(spec.query);
    expect(policy.monitoring.backups?.warnAfter).toBe(26 * 3600_000);
  });

  it('defaults to the runbook thresholds and lets the policy override them', () => {
    const policy = parsePolicy(`${base}\nmonitoring:\n  kpis:\n    cpu_usage_percent: { warning: 75, critical: 85 }\n`);
    expect(policy.digests).toEqual([]);
    const cpu = policy.monitoring.kpis.find((k) => k.id === 'cpu_usage_percent');
    expect(cpu).toMatchObject({ target: 70, warning: 75, critical: 85, label: 'CPU usage' });
    expect(policy.monitoring.kpis.find((k) => k.id === 'api_response_time_ms')).toMatchObject({
      target: 100,
      warning: 200,
      critical: 500,
    });
    expect(policy.monitoring.prometheus.timeout).toBe(5_000);
  });

  it('lists every problem with its path: bad cron, unknown time zone, duplicate names, thresholds out of order, incomplete custom KPI', () => {
    const found = problems(`${base}
digests:
  - { name: daily, cron: "61 8 * * *", timezone: Mars/Olympus, channel: eafix-ops }
  - { name: daily, cron: "0 8 * * *", channel: eafix-ops, sections: [weather] }
monitoring:
  kpis:
    cpu_usage_percent: { warning: 95 }
    queue_depth: { query: 'sum(queue_depth)' }
`);
    const text = found.join('\n');
    expect(text).toMatch(/digests\.0\.timezone: must be an IANA time zone/);
    expect(text).toMatch(/digests\.0\.cron: not a cron pattern/);
    expect(text).toMatch(/digests\.1\.sections\.0/);
    expect(text).toMatch(/monitoring\.kpis\.cpu_usage_percent: thresholds must satisfy target <= warning <= critical/);
    expect(text).toMatch(/monitoring\.kpis\.queue_depth: a KPI the runbook does not define needs/);
  });

  it('accepts six-field (seconds) cron patterns and custom KPIs', () => {
    const policy = parsePolicy(`${base}
digests:
  - { name: fast, cron: "*/10 * * * * *", channel: "#eafix-ops" }
monitoring:
  kpis:
    queue_depth: { label: Queue depth, unit: jobs, query: 'sum(queue_depth)', target: 10, warning: 100, critical: 1000 }
`);
    expect(policy.digests[0]).toMatchObject({ channel: 'eafix-ops', timezone: 'UTC', environment: 'production' });
    expect(policy.monitoring.kpis.at(-1)).toMatchObject({ id: 'queue_depth', unit: 'jobs' });
  });
});
