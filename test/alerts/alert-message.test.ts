/**
 * The alert group's Slack message and its buttons: folding, escaping, resolved state, the playbook each
 * runbook alert calls for, and "Roll back the last deploy" only after a recent deploy or rollback.
 */
import { describe, expect, it } from 'vitest';
import { renderAlertGroup } from '../../src/alerts/alert-message.ts';
import type { AlertGroup, StoredAlert } from '../../src/alerts/alert-log.ts';
import { invocationFor } from '../../src/alerts/alert-buttons.ts';
import { diagnosisFor } from '../../src/alerts/alert-playbooks.ts';
import { recentDeploy } from '../../src/alerts/recent-deploy.ts';
import type { Runs } from '../../src/handlers/core/runs.ts';
import type { RunListItem } from '../../src/jobs/index.ts';
import { topologySchema } from '../../src/config/topology.ts';

const topology = topologySchema.parse({
  environments: { production: { namespace: 'eafix-production' }, staging: { namespace: 'eafix-staging' } },
  gateway: { service: 'eafix-gateway', selectorKey: 'version', baseSelector: { app: 'eafix-gateway' } },
  colours: {
    blue: { deployment: 'eafix-blue', replicas: { min: 0, max: 10, default: 3 } },
    green: { deployment: 'eafix-green', replicas: { min: 0, max: 10, default: 3 } },
  },
  services: [
    {
      name: 'risk-manager',
      deployment: 'eafix-risk-manager',
      appLabel: 'eafix-risk-manager',
      replicas: { min: 2, max: 10, default: 3 },
    },
  ],
});

const alert = (name: string, i: number, extra: Partial<StoredAlert> = {}): StoredAlert => ({
  fingerprint: `f${i}`,
  status: 'firing',
  labels: { alertname: name, severity: 'critical', namespace: 'eafix-staging', service: 'risk-manager', pod: `p${i}` },
  annotations: {
    summary: `${name} <!channel> & more`,
    value: '7%',
    runbook_section: 'Troubleshooting Guide: High API Latency',
    runbook_url: 'https://runbooks.eafix.local/eafix-operations-runbook#issue-high-api-latency',
  },
  startsAt: new Date('2026-11-30T07:00:00Z'),
  generatorUrl: '',
  ...extra,
});

const group = (alerts: StoredAlert[], extra: Partial<AlertGroup> = {}): AlertGroup => ({
  id: 'abc123',
  groupKey: '{}:{alertname="high_error_rate"}',
  receiver: 'eafix-chatops',
  channel: 'eafix-ops',
  episode: 1,
  firing: alerts.some((a) => a.status === 'firing'),
  groupLabels: { alertname: alerts[0]!.labels.alertname! },
  externalUrl: '',
  truncatedAlerts: 0,
  alerts,
  ...extra,
});

const actionIds = (blocks: unknown[]) =>
  JSON.stringify(blocks)
    .match(/"action_id":"[^"]+"/g)
    ?.map((m) => m.slice(13, -1)) ?? [];

describe('the alert message', () => {
  it('folds a noisy group into one message, escapes what Alertmanager sends, and links the runbook', () => {
    const g = group(
      Array.from({ length: 13 }, (_, i) => alert('high_error_rate', i)),
      { truncatedAlerts: 2 },
    );
    const message = renderAlertGroup(g, { diagnose: { label: 'Diagnose latency' }, offerRollback: false });
    const text = JSON.stringify(message.blocks);
    expect(message.key).toBe('alert:abc123:1');
    expect(text).toContain('FIRING* (13 of 13)');
    expect(text).toContain('…and 5 more alert(s)');
    expect(text).toContain('&lt;!channel&gt; &amp; more');
    expect(text).not.toContain('<!channel>');
    expect(message.text).not.toContain('<!channel>');
    expect(text).toContain('<https://runbooks.eafix.local/eafix-operations-runbook#issue-high-api-latency|');
    expect(actionIds(message.blocks)).toEqual(['alert:diagnose', 'alert:incident']);
  });

  it('offers the rollback only when asked, and no buttons once resolved or an incident exists', () => {
    const firing = group([alert('high_error_rate', 1)]);
    expect(actionIds(renderAlertGroup(firing, { offerRollback: true }).blocks)).toEqual([
      'alert:rollback',
      'alert:incident',
    ]);
    const withIncident = { ...firing, incidentId: 'INC-20261130-001' };
    const rendered = renderAlertGroup(withIncident, { offerRollback: false });
    expect(actionIds(rendered.blocks)).toEqual([]);
    expect(JSON.stringify(rendered.blocks)).toContain('Incident *INC-20261130-001* opened');
    const resolved = group([alert('high_error_rate', 1, { status: 'resolved' })]);
    const done = renderAlertGroup(resolved, { diagnose: { label: 'Diagnose latency' }, offerRollback: true });
    expect(done.text).toMatch(/^RESOLVED: high_error_rate/);
    expect(actionIds(done.blocks)).toEqual([]);
  });
});

describe('the alert buttons', () => {
  it("map each runbook alert to its playbook, with the alert's environment and service", () => {
    const names = ['service_down', 'high_error_rate', 'trading_system_failure', 'data_feed_failure', 'disk_space_low'];
    expect(names.map((n) => diagnosisFor(topology, group([alert(n, 1)]))?.action)).toEqual([
      'diagnose service',
      'diagnose latency',
      'diagnose orders',
      'diagnose data-feed',
      undefined,
    ]);
    expect(invocationFor('alert:diagnose', group([alert('service_down', 1)]), topology, [])).toEqual({
      actionId: 'diagnose service',
      input: { environment: 'staging', service: 'risk-manager' },
    });
    // A service the topology does not know gets no service diagnosis.
    const unknown = alert('service_down', 1, { labels: { alertname: 'service_down', service: 'nope' } });
    expect(diagnosisFor(topology, group([unknown]))).toBeUndefined();
  });

  it('roll back the alert environment and open an incident with what the alert says', () => {
    const g = group([alert('high_error_rate', 1)]);
    expect(invocationFor('alert:rollback', g, topology, [])).toMatchObject({
      actionId: 'rollback',
      input: { environment: 'staging' },
    });
    expect(invocationFor('alert:incident', g, topology, ['risk-manager'])).toMatchObject({
      actionId: 'incident create',
      input: { severity: 'critical', type: 'ops', systems: ['risk-manager'] },
    });
  });
});

describe('a recent deploy', () => {
  const now = new Date('2026-11-30T08:00:00Z');
  const run = (action: string, minutesAgo: number, extra: Partial<RunListItem> = {}) =>
    ({
      action,
      status: 'succeeded',
      input: { environment: 'production' },
      createdAt: new Date(now.getTime() - minutesAgo * 60_000),
      ...extra,
    }) as RunListItem;
  const runs = (list: RunListItem[]): Pick<Runs, 'list'> => ({ list: async () => list });

  it('is a deploy or rollback of that environment within the window, not cancelled', async () => {
    const hour = 3_600_000;
    expect(await recentDeploy(runs([run('rollback', 20)]), 'production', now, hour)).toBe(true);
    expect(await recentDeploy(runs([run('deploy green', 59)]), 'production', now, hour)).toBe(true);
    expect(await recentDeploy(runs([run('rollback', 61)]), 'production', now, hour)).toBe(false);
    expect(await recentDeploy(runs([run('rollback', 5, { status: 'cancelled' })]), 'production', now, hour)).toBe(
      false,
    );
    expect(await recentDeploy(runs([run('scale', 5)]), 'production', now, hour)).toBe(false);
    expect(await recentDeploy(runs([run('rollback', 5)]), 'staging', now, hour)).toBe(false);
  });
});
