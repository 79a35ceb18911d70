/**
 * deploy/prometheus/eafix-chatops-rules.yml: valid for Prometheus (`promtool check rules`, and its unit
 * tests with `promtool test rules` — promtool is Debian's `prometheus` package, installed where missing), the alerts the issue
 * asks for are there, and every expression reads only series the bot exports.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportedSeries, seriesIn } from './exported-series.ts';
import { promtool } from '../support/prometheus-binaries.ts';

const RULES = 'deploy/prometheus/eafix-chatops-rules.yml';
const RULE_TESTS = 'deploy/prometheus/eafix-chatops-rules.test.yml';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe("the bot's alert rules", () => {
  it('pass promtool check rules and the rule unit tests', async () => {
    const checked = await promtool('check', 'rules', RULES);
    expect(checked.output).toContain('SUCCESS');
    expect(checked.ok).toBe(true);
    const tested = await promtool('test', 'rules', RULE_TESTS);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.ok).toBe(true);
  });

  it('alert on ack latency, stuck runs, the outbox backlog and failed jobs, each with a severity and a summary', async () => {
    const file = parse(await readFile(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
    const rules = file.groups.flatMap((g) => g.rules);
    const alerts = new Map(rules.map((r) => [r.alert, r]));
    for (const [name, series] of [
      ['EafixChatopsSlowAcks', 'eafix_chatops_ack_seconds_bucket'],
      ['EafixChatopsRunStuck', 'eafix_chatops_run_oldest_active_seconds'],
      ['EafixChatopsOutboxBacklog', 'eafix_chatops_outbox_oldest_pending_seconds'],
      ['EafixChatopsFailedJobs', 'eafix_chatops_queue_jobs'],
    ] as const) {
      expect(alerts.get(name)?.expr, name).toContain(series);
    }
    for (const rule of rules) {
      expect(rule.alert, rule.expr).toMatch(/^EafixChatops[A-Za-z]+$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it('read only series the bot exports', async () => {
    const exported = await exportedSeries();
    const file = parse(await readFile(RULES, 'utf8')) as { groups: { rules: Rule[] }[] };
    for (const rule of file.groups.flatMap((g) => g.rules)) {
      const used = seriesIn(rule.expr);
      expect(used.length, rule.alert).toBeGreaterThan(0);
      for (const name of used) expect(exported, `${rule.alert}: ${name}`).toContain(name);
    }
  });
});
