import type { Topology } from '../config/topology.ts';
import type { AlertGroup, StoredAlert } from './alert-log.ts';

/** The diagnosis playbook each runbook alert calls for (Troubleshooting Guide), as the action its button runs. */
const playbookOf: Readonly<Record<string, { action: string; label: string; needsService?: true }>> = {
  service_down: { action: 'diagnose service', label: 'Diagnose service', needsService: true },
  high_cpu_usage: { action: 'diagnose service', label: 'Diagnose service', needsService: true },
  high_error_rate: { action: 'diagnose latency', label: 'Diagnose latency' },
  high_response_time: { action: 'diagnose latency', label: 'Diagnose latency' },
  trading_system_failure: { action: 'diagnose orders', label: 'Diagnose orders' },
  data_feed_failure: { action: 'diagnose data-feed', label: 'Diagnose data feed' },
};

/** Alerts after which rolling back the last deploy is offered, when one happened recently. */
export const rollbackAlerts: ReadonlySet<string> = new Set(['high_error_rate']);

export const alertNameOf = (group: AlertGroup): string =>
  group.groupLabels.alertname ?? group.alerts[0]?.labels.alertname ?? 'alert';

/** The alert a button acts on: the first still firing, else the first. */
export const leadAlert = (group: AlertGroup): StoredAlert | undefined =>
  group.alerts.find((a) => a.status === 'firing') ?? group.alerts[0];

/** The environment an alert is about, from its namespace label (production when it names none we know). */
export function environmentOf(topology: Topology, labels: Record<string, string> | undefined): string {
  const namespace = labels?.namespace;
  const found = Object.entries(topology.environments).find(([, e]) => e.namespace === namespace);
  return found?.[0] ?? (topology.environments.production ? 'production' : Object.keys(topology.environments)[0]!);
}

/** A topology service named by the alert's `service` label (`eafix-` prefixed deployment names too). */
export function serviceOf(topology: Topology, labels: Record<string, string> | undefined): string | undefined {
  const label = labels?.service ?? labels?.deployment;
  if (!label) return undefined;
  return topology.services.find((s) => s.name === label || s.deployment === label)?.name;
}

export interface DiagnosisInvocation {
  action: string;
  label: string;
  input: Record<string, unknown>;
}

/** The diagnosis a group's button runs, with its input; none when the alert has no playbook or lacks its service. */
export function diagnosisFor(topology: Topology, group: AlertGroup): DiagnosisInvocation | undefined {
  const playbook = playbookOf[alertNameOf(group)];
  if (!playbook) return undefined;
  const alert = leadAlert(group);
  const environment = environmentOf(topology, alert?.labels);
  const service = serviceOf(topology, alert?.labels);
  if (playbook.needsService && !service) return undefined;
  return { action: playbook.action, label: playbook.label, input: { environment, ...(service ? { service } : {}) } };
}
