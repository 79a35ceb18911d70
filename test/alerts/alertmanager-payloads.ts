/**
 * Alertmanager webhook payloads (version 4) as prometheus/alertmanager's notify/webhook sends them:
 * template.Data (receiver, status, alerts, groupLabels, commonLabels, commonAnnotations, externalURL) plus
 * version, groupKey and truncatedAlerts.
 */
export interface AlertInput {
  name: string;
  status?: 'firing' | 'resolved';
  severity?: 'critical' | 'warning';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  fingerprint: string;
  startsAt?: string;
}

export function alertmanagerPayload(alerts: AlertInput[], groupKey?: string): Record<string, unknown> {
  const name = alerts[0]!.name;
  const items = alerts.map((a) => ({
    status: a.status ?? 'firing',
    labels: {
      alertname: a.name,
      severity: a.severity ?? 'critical',
      namespace: 'eafix-production',
      ...(a.severity === 'warning' ? {} : { incident_type: 'ops' }),
      ...a.labels,
    },
    annotations: {
      summary: `${a.name} on ${a.labels?.service ?? 'the platform'}`,
      description: 'More than 5% of requests fail.',
      value: '12%',
      runbook_section: 'Troubleshooting Guide: High API Latency',
      runbook_url: 'https://runbooks.eafix.local/eafix-operations-runbook#issue-high-api-latency',
      ...a.annotations,
    },
    startsAt: a.startsAt ?? '2026-11-30T07:00:00.000Z',
    endsAt: a.status === 'resolved' ? '2026-11-30T07:20:00.000Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    fingerprint: a.fingerprint,
  }));
  return {
    receiver: 'eafix-chatops',
    status: items.some((i) => i.status === 'firing') ? 'firing' : 'resolved',
    alerts: items,
    groupLabels: { alertname: name },
    commonLabels: { alertname: name },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: groupKey ?? `{}/{alertname=~"^(?:.*)$"}:{alertname="${name}"}`,
    truncatedAlerts: 0,
  };
}
