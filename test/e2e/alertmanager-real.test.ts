/**
 * Real Prometheus and Alertmanager (Debian's binaries, installed where missing): Prometheus scrapes a tiny
 * EAFIX exporter and evaluates the shipped alert rules; when the exporter's 5xx share crosses the runbook's
 * 5%, high_error_rate fires and real Alertmanager delivers it to the bot's /alertmanager with the bearer
 * token. The bot posts it with a Diagnose latency button and opens its incident; the diagnosis (reading the
 * same real Prometheus, and the simulated cluster's Jobs) lands in the alert's thread with a Scale remedy,
 * which goes through two-person approval and runs; when errors stop, the same message resolves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@eafix/sandbox/free-port';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { startEafixExporter, type EafixExporter } from '../support/eafix-exporter.ts';
import { startPrometheusStack, type PrometheusStack } from '../support/real-prometheus.ts';
import { eventually } from '../support/eventually.ts';
import { approvalMessageIn } from '../support/approvals.ts';
import { latencyQueries } from '../../src/handlers/troubleshooting/latency-checks.ts';

const TOKEN = 'real-alertmanager-e2e-token-0123456789';
const ops = 'eafix-ops';
const NS = 'eafix-production';
// Bounds a failure only: Prometheus evaluates every second, but a busy machine is slow.
const PATIENCE = { timeoutMs: 120_000 };
let world: TestWorld;
let exporter: EafixExporter;
let stack: PrometheusStack;

beforeAll(async () => {
  exporter = await startEafixExporter({ namespace: NS, service: 'risk-manager' });
  // Alertmanager needs the bot's address and the bot Prometheus's: the port is chosen first.
  const botPort = await freePort();
  stack = await startPrometheusStack({
    rulesFile: 'deploy/prometheus/eafix-alerts.yml',
    exporterPort: exporter.port,
    webhookUrl: `http://127.0.0.1:${botPort}/alertmanager`,
    token: TOKEN,
  });
  world = await startWorld('alertmanager-real', {
    env: { ALERTMANAGER_TOKEN: TOKEN, PORT: String(botPort), PROMETHEUS_URL: stack.prometheusUrl },
    clusterTiming: { podStartMs: 20, podReadyMs: 40, tickMs: 10 },
  });
});
afterAll(async () => {
  await world?.stop();
  await stack?.stop();
  await exporter?.stop();
});

const highErrorRate = () =>
  world.slack.messages(ops).find((m) => m.text.includes('high_error_rate') && textOf(m).includes('risk-manager'));

async function promValue(query: string): Promise<number | undefined> {
  const response = await fetch(`${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as { data: { result: Array<{ value: [number, string] }> } };
  const value = body.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

describe('real Prometheus and Alertmanager', () => {
  it('deliver high_error_rate; Diagnose latency finds it; Scale goes through approval and runs; resolve edits the post', async () => {
    // Healthy traffic first: Prometheus has the series and nothing fires.
    await eventually(
      async () => (await promValue('sum(http_requests_total)')) !== undefined,
      'Prometheus scraping the exporter',
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${stack.output()}`);
    });
    expect(highErrorRate()).toBeUndefined();

    exporter.setErrorRatio(0.5);
    const fired = await world.slack.waitFor(() => highErrorRate(), {
      ...PATIENCE,
      description: 'high_error_rate posted',
    });
    const text = textOf(fired);
    expect(text).toContain('FIRING');
    expect(text).toContain('service=risk-manager');
    expect(text).toContain('namespace=eafix-production');
    expect(text).toContain('value `');
    expect(text).toContain('Troubleshooting Guide: High API Latency');
    expect(text).toContain('Diagnose latency…');
    // Critical: one incident, opened by the alert and shown on it.
    const incident = await eventually(async () => {
      const rows = (
        await world.bot.pool.query<{ id: string }>(`SELECT id FROM incidents WHERE request_id LIKE 'alert-%'`)
      ).rows;
      return rows.length === 1 ? rows[0]!.id : undefined;
    }, 'the alert incident');
    await world.slack.waitFor(() => textOf(highErrorRate()).includes(`Incident *${incident}*`), {
      ...PATIENCE,
      description: 'incident shown on the alert',
    });

    // The slow requests weigh in the 5-minute p95 the playbook reads (over the runbook's 500 ms).
    const p95 = latencyQueries.p95(`namespace="${NS}",service="risk-manager"`);
    await eventually(async () => ((await promValue(p95)) ?? 0) > 0.5, 'p95 over 500 ms', 60_000);
    await world.driver.clickButton({ user: 'alice', channel: ops, messageTs: fired.ts, actionId: 'alert:diagnose' });
    const findings = await world.slack.waitFor(
      (emu) => emu.thread(ops, fired.ts).find((m) => m.text.includes('Latency diagnosis')),
      { ...PATIENCE, description: 'diagnosis in the alert thread' },
    );
    expect(findings.text).toMatch(/\*p95 latency\* — FAIL: \d+ ms/);
    expect(findings.text).toContain('*Database performance* — OK');
    expect(findings.text).toContain('*Cache hit rate* — OK: 96.0%');
    expect(findings.text).toContain('remedy: /eafix scale risk-manager 5 --environment=production');

    // The remedy runs as alice: production scaling needs a second person; bob approves; the run scales.
    const before = world.slack.messages(ops).at(-1)?.ts ?? '0';
    await world.driver.clickButton({
      user: 'alice',
      channel: ops,
      messageTs: findings.ts,
      actionId: 'diagnose:remedy:0',
    });
    const approval = await approvalMessageIn(world, ops, before);
    expect(textOf(approval)).toContain('eafix-risk-manager');
    expect(textOf(approval)).toContain('3 → 5');
    await world.driver.clickButton({ user: 'bob', channel: ops, messageTs: approval.ts, actionId: 'approval:approve' });
    await world.cluster.waitFor(() => world.cluster.getDeployment(NS, 'eafix-risk-manager')?.spec.replicas === 5, {
      ...PATIENCE,
      description: 'risk-manager scaled to 5',
    });

    exporter.setErrorRatio(0);
    const resolved = await world.slack.waitFor(
      () => {
        const message = highErrorRate();
        return message && textOf(message).includes('RESOLVED') ? message : undefined;
      },
      { ...PATIENCE, description: 'high_error_rate resolved' },
    );
    expect(resolved.ts).toBe(fired.ts);
    expect(world.slack.messages(ops).filter((m) => m.text.includes('high_error_rate'))).toHaveLength(1);
    expect((await world.bot.pool.query(`SELECT 1 FROM incidents WHERE request_id LIKE 'alert-%'`)).rowCount).toBe(1);
  });
});
