import type { ActionRegistry } from './registry.ts';
import type { AuditLog } from '../../store/pg-audit-log.ts';
import type { Notifier } from './notifier.ts';
import type { Authorizer } from '../../permissions/authorizer.ts';
import type { ApprovalStore, BreakGlassLog } from '../../permissions/approval-types.ts';
import type { PlatformState } from '../../store/pg-platform-state.ts';
import type { Channels } from '../../config/policy.ts';
import type { Topology } from '../../config/topology.ts';
import type { Cluster } from '../../cluster/cluster.ts';
import type { Runs } from './runs.ts';
import type { IncidentService } from '../incidents/incident-service.ts';
import type { MonitoringDeps } from '../monitoring/monitoring-deps.ts';
import type { SlackInstallationProbe } from '../monitoring/slack-checks.ts';

/** Capabilities actions may use, built once in start-bot.ts and never changed. Later features add theirs here. */
export interface ActionDeps {
  registry: ActionRegistry;
  audit: AuditLog;
  authorizer: Authorizer;
  approvals: ApprovalStore;
  breakGlass: BreakGlassLog;
  platform: PlatformState;
  notifier: Notifier;
  channels: Channels;
  topology: Topology;
  cluster: Cluster;
  runs: Runs;
  /** Role → Kubernetes identity for impersonated writes (policy `kubernetes.impersonate`). */
  impersonation?: Record<string, { user: string; groups: string[] }>;
  /** Incidents: open (rollback's last step), update, escalate, resolve. */
  incidents: IncidentService;
  /** Digests, KPIs and doctor (start-monitoring.ts). */
  monitoring: MonitoringDeps;
  /** Doctor: the Slack installation's identity and scopes as Slack reports them now. */
  slackInstallation: SlackInstallationProbe;
  version: { name: string; version: string; commit?: string | undefined; startedAt: Date };
  now: () => Date;
}

export interface IncidentRequest {
  title: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  type: 'ops' | 'security';
  systems: string[];
  description?: string;
  requestedBy: string;
  requestId: string;
}
