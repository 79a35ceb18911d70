/**
 * Real Prometheus and Alertmanager (Debian's binaries, installed where missing): Prometheus scrapes a tiny
 * EAFIX exporter and evaluates the shipped alert rules; when the exporter's 5xx share crosses the runbook's
 * 5%, high_error_rate fires, real Alertmanager delivers it to the bot's /alertmanager with the bearer token,
 * the bot posts it in the ops channel and opens its incident; when errors stop, the same message resolves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { startEafixExporter, type EafixExporter } from '../support/eafix-exporter.ts';
import { startPrometheusStack, type PrometheusStack } from '../support/real-prometheus.ts';
import { eventually } from '../support/eventually.ts';

const TOKEN = 'real-alertmanager-e2e-token-0123456789';
const ops = 'eafix-ops';
// Bounds a failure only: Prometheus evaluates every second, but a busy machine is slow.
const PATIENCE = { timeoutMs: 120_000 };
let world: TestWorld;
let exporter: EafixExporter;
let stack: PrometheusStack;

beforeAll(async () => {
  world = await startWorld('alertmanager-real', { env: { ALERTMANAGER_TOKEN: TOKEN } });
  exporter = await startEafixExporter({ namespace: 'eafix-production', service: 'risk-manager' });
  stack = await startPrometheusStack({
    rulesFile: 'deploy/prometheus/eafix-alerts.yml',
    exporterPort: exporter.port,
    webhookUrl: `http://127.0.0.1:${world.bot.port}/alertmanager`,
    token: TOKEN,
  });
});
afterAll(async () => {
  await stack?.stop();
  await exporter?.stop();
  await world?.stop();
});

const highErrorRate = () =>
  world.slack.messages(ops).find((m) => m.text.includes('high_error_rate') && textOf(m).includes('risk-manager'));

describe('real Prometheus and Alertmanager', () => {
  it('deliver high_error_rate to the bot when 5xx cross 5%, and its resolution to the same message', async () => {
    // Healthy traffic first: Prometheus has the series and nothing fires.
    await eventually(
      async () => {
        const response = await fetch(
          `${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent('sum(http_requests_total)')}`,
        );
        const body = (await response.json()) as { data: { result: unknown[] } };
        return body.data.result.length > 0;
      },
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
    // Critical: one incident, opened by the alert.
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
