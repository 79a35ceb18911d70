/**
 * deploy/prometheus/eafix-alerts.yml: the runbook's critical, warning and security alerts as Prometheus
 * rules, valid (`promtool check rules`), each unit-tested (`promtool test rules`), carrying what the bot
 * reads, and the same as the PrometheusRule for the Prometheus Operator.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { amtool, promtool } from '../support/prometheus-binaries.ts';

const RULES = 'deploy/prometheus/eafix-alerts.yml';
const RULE_TESTS = 'deploy/prometheus/eafix-alerts.test.yml';
const OPERATOR_RULE = 'deploy/prometheus/eafix-alerts.prometheusrule.yaml';
const ROUTE_EXAMPLE = 'deploy/prometheus/alertmanager-route.example.yml';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
type RuleFile = { groups: { name: string; rules: Rule[] }[] };

const load = async <T>(path: string) => parse(await readFile(path, 'utf8')) as T;
const rulesOf = (file: RuleFile) => file.groups.flatMap((g) => g.rules);

/** The runbook's alerts: Alert Configuration (critical, warning) and Security Monitoring, with its thresholds. */
const runbookAlerts = {
  service_down: { severity: 'critical', for: '30s', reads: 'up{' },
  high_error_rate: { severity: 'critical', for: '2m', reads: 'http_requests_total{status=~"5.."}' },
  trading_system_failure: { severity: 'critical', for: '1m', reads: 'trading_orders_failed_total' },
  data_feed_failure: { severity: 'critical', for: '30s', reads: 'market_data_age_seconds' },
  high_response_time: { severity: 'warning', for: '5m', reads: 'histogram_quantile(0.95' },
  high_cpu_usage: { severity: 'warning', for: '10m', reads: 'cpu_usage_percent' },
  disk_space_low: { severity: 'warning', for: '5m', reads: 'disk_free_percent' },
  brute_force_attack: { severity: 'critical', reads: 'failed_login_attempts' },
  privilege_escalation: { severity: 'critical', reads: 'unauthorized_admin_access' },
  data_exfiltration: { severity: 'critical', reads: 'unusual_data_transfer' },
  malware_detected: { severity: 'critical', reads: 'security_scan_threats' },
} as const;

describe("the runbook's alert rules", () => {
  it('pass promtool check rules', async () => {
    const checked = await promtool('check', 'rules', RULES);
    expect(checked.output).toContain('SUCCESS: 11 rules found');
    expect(checked.ok).toBe(true);
  });

  it('pass their unit tests, one or more per rule (promtool test rules)', async () => {
    const tested = await promtool('test', 'rules', RULE_TESTS);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.ok).toBe(true);
    const tests = (
      await load<{ tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }>(RULE_TESTS)
    ).tests.flatMap((t) => t.alert_rule_test);
    for (const name of Object.keys(runbookAlerts)) {
      // Each rule is shown both to fire and to stay quiet.
      expect(tests.filter((t) => t.alertname === name && t.exp_alerts.length > 0).length, name).toBeGreaterThan(0);
      expect(tests.filter((t) => t.alertname === name && t.exp_alerts.length === 0).length, name).toBeGreaterThan(0);
    }
  });

  it("are the runbook's alerts with its severities and durations, each with what the bot shows", async () => {
    const rules = rulesOf(await load<RuleFile>(RULES));
    expect(rules.map((r) => r.alert).sort()).toEqual(Object.keys(runbookAlerts).sort());
    for (const rule of rules) {
      const expected = runbookAlerts[rule.alert as keyof typeof runbookAlerts];
      expect(rule.labels.severity, rule.alert).toBe(expected.severity);
      expect(rule.for, rule.alert).toBe('for' in expected ? expected.for : undefined);
      expect(rule.expr, rule.alert).toContain(expected.reads);
      for (const key of ['summary', 'description', 'value', 'runbook_section', 'runbook_url'])
        expect(rule.annotations[key], `${rule.alert}: ${key}`).toBeTruthy();
      expect(rule.annotations.runbook_url, rule.alert).toMatch(/^https:\/\/[^\s#]+#[a-z0-9-]+$/);
      if (rule.labels.severity === 'critical')
        expect(['ops', 'security'], rule.alert).toContain(rule.labels.incident_type);
    }
  });

  it('are the same in the PrometheusRule for the Prometheus Operator', async () => {
    const operator = await load<{ apiVersion: string; kind: string; spec: RuleFile }>(OPERATOR_RULE);
    expect(operator.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(operator.kind).toBe('PrometheusRule');
    expect(operator.spec).toEqual(await load<RuleFile>(RULES));
  });

  it("come with an Alertmanager route to the bot's receiver that amtool accepts", async () => {
    const route = await load<{
      route: { routes: { receiver: string; matchers: string[] }[] };
      receivers: { name: string; webhook_configs?: { url: string; http_config: unknown }[] }[];
    }>(ROUTE_EXAMPLE);
    const bot = route.receivers.find((r) => r.webhook_configs?.[0]?.url.endsWith('/alertmanager'));
    expect(bot?.webhook_configs?.[0]?.http_config).toMatchObject({ authorization: { type: 'Bearer' } });
    expect(route.route.routes.map((r) => r.receiver)).toContain(bot?.name);
    const checked = await amtool('check-config', ROUTE_EXAMPLE);
    expect(checked.output).toContain('SUCCESS');
    expect(checked.ok).toBe(true);
  });
});
