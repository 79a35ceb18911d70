import type { AuditLog } from '../audit/audit-log.ts';
import type { AlertPolicy } from '../config/alert-policy.ts';
import type { Topology } from '../config/topology.ts';
import type { ActionLookup } from '../handlers/core/define-action.ts';
import type { Runs } from '../handlers/core/runs.ts';
import type { IncidentService } from '../handlers/incidents/incident-service.ts';
import type { Logger } from '../logger.ts';
import type { AlertGroup, AlertLog, GroupMessage } from './alert-log.ts';
import { renderAlertGroup } from './alert-message.ts';
import { alertNameOf, diagnosisFor, environmentOf, rollbackAlerts, serviceOf } from './alert-playbooks.ts';
import type { AlertmanagerPayload } from './alertmanager-payload.ts';
import { recentDeploy } from './recent-deploy.ts';

export interface AlertIntakeDeps {
  log: AlertLog;
  audit: AuditLog;
  topology: Topology;
  registry: ActionLookup;
  runs: Pick<Runs, 'list'>;
  incidents: Pick<IncidentService, 'open' | 'systems'>;
  policy: AlertPolicy;
  /** The ops channel, where alerts go unless the policy names another. */
  opsChannel: string;
  now: () => Date;
  logger: Logger;
}

export interface IntakeResult {
  group: string;
  news: number;
  incident?: string | undefined;
}

/**
 * Alertmanager deliveries → one Slack message per group (edited as alerts fire and resolve) and, for
 * critical alerts, one incident per firing episode. Every step is idempotent: Alertmanager retries until
 * it is answered 2xx, and two web replicas may be handed the same group at once.
 */
export class AlertIntake {
  constructor(private readonly deps: AlertIntakeDeps) {}

  async receive(payload: AlertmanagerPayload, requestId: string): Promise<IntakeResult> {
    const { log, policy, topology, now, runs } = this.deps;
    const lead = payload.alerts.find((a) => a.status === 'firing') ?? payload.alerts[0];
    const name = payload.groupLabels.alertname ?? lead?.labels.alertname ?? '';
    const environment = environmentOf(topology, lead?.labels);
    // Asked before the transaction: whether the message offers a rollback is part of what it renders.
    const offerRollback =
      rollbackAlerts.has(name) && (await recentDeploy(runs, environment, now(), policy.rollbackWindow));
    const render = (group: AlertGroup) => this.render(group, offerRollback);
    const { group, news } = await log.record(payload, policy.channel ?? this.deps.opsChannel, render);
    const incident = await this.openIncident(group, requestId, render);
    this.deps.logger.info(
      { alert: alertNameOf(group), group: group.id, episode: group.episode, news, incident },
      'alertmanager delivery recorded',
    );
    return { group: group.id, news, incident };
  }

  private render(group: AlertGroup, offerRollback: boolean): GroupMessage {
    const diagnosis = diagnosisFor(this.deps.topology, group);
    const served = diagnosis && this.deps.registry.get(diagnosis.action);
    return renderAlertGroup(group, { diagnose: served ? { label: diagnosis.label } : undefined, offerRollback });
  }

  /**
   * A critical firing group opens one incident per episode: the request id names the episode, so replicas
   * and redeliveries racing here get the same incident (IncidentService.open is idempotent by request id),
   * and a delivery that failed after recording (answered 5xx) opens it on Alertmanager's retry.
   */
  private async openIncident(
    group: AlertGroup,
    requestId: string,
    render: (group: AlertGroup) => GroupMessage,
  ): Promise<string | undefined> {
    const { policy, incidents, topology, log, audit } = this.deps;
    if (group.incidentId) return group.incidentId;
    const critical = group.alerts.filter((a) => a.status === 'firing' && a.labels.severity === 'critical');
    if (!group.firing || !policy.openIncident || critical.length === 0) return undefined;
    const lead = critical[0]!;
    const name = alertNameOf(group);
    const systems = [
      ...new Set(critical.map((a) => serviceOf(topology, a.labels)).filter((s): s is string => s !== undefined)),
    ].filter((s) => incidents.systems.includes(s));
    const summary = lead.annotations.summary ?? name;
    const opened = await incidents.open({
      title: `${name}: ${summary}`.slice(0, 120),
      severity: 'critical',
      type: lead.labels.incident_type === 'security' ? 'security' : 'ops',
      systems,
      description: [lead.annotations.description, lead.annotations.runbook_url]
        .filter(Boolean)
        .join('\n')
        .slice(0, 2900),
      requestedBy: 'system',
      requestId: `alert-${group.id}-${group.episode}`,
    });
    await log.attachIncident(group.id, group.episode, opened.id, render);
    if (opened.created) {
      await audit.record({
        requestId,
        channelId: group.channel,
        userId: 'alertmanager',
        action: 'alert.incident',
        arguments: { alert: name, group: group.id, episode: group.episode, incident: opened.id },
        outcome: 'ok',
        detail: `critical alert ${name} opened incident ${opened.id}`,
      });
    }
    return opened.id;
  }
}
