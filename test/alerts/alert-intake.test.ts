/**
 * AlertIntake's decisions, over in-memory ports: which groups open an incident (critical, firing, policy
 * switch on), with what, under which request id; and when the message offers to roll back.
 */
import { describe, expect, it } from 'vitest';
import { AlertIntake } from '../../src/alerts/alert-intake.ts';
import { alertGroupId, type AlertGroup, type AlertLog, type GroupMessage } from '../../src/alerts/alert-log.ts';
import { alertmanagerPayloadSchema, type AlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import { alertPolicySchema } from '../../src/config/alert-policy.ts';
import { topologySchema } from '../../src/config/topology.ts';
import type { OpenIncident } from '../../src/handlers/incidents/incident-service.ts';
import type { RunListItem } from '../../src/jobs/index.ts';
import { createLogger } from '../../src/logger.ts';
import { MemoryAuditLog } from '../support/memory-audit-log.ts';
import { alertmanagerPayload, type AlertInput } from './alertmanager-payloads.ts';

const topology = topologySchema.parse({
  environments: { production: { namespace: 'eafix-production' } },
  gateway: { service: 'eafix-gateway', selectorKey: 'version', baseSelector: { app: 'eafix-gateway' } },
  colours: {
    blue: { deployment: 'eafix-blue', replicas: { min: 0, max: 10, default: 3 } },
    green: { deployment: 'eafix-green', replicas: { min: 0, max: 10, default: 3 } },
  },
  services: [
    { name: 'auth-service', deployment: 'eafix-auth-service', appLabel: 'x', replicas: { min: 1, max: 6, default: 2 } },
  ],
});

/** Keeps the delivered alerts as the group (every delivery is news) and the last rendered message. */
class MemoryAlertLog implements AlertLog {
  messages: GroupMessage[] = [];
  incident: string | undefined;
  async record(payload: AlertmanagerPayload, channel: string, render: (g: AlertGroup) => GroupMessage) {
    const group: AlertGroup = {
      id: alertGroupId(payload.groupKey),
      groupKey: payload.groupKey,
      receiver: payload.receiver,
      channel,
      episode: 1,
      firing: payload.alerts.some((a) => a.status === 'firing'),
      groupLabels: payload.groupLabels,
      externalUrl: payload.externalURL,
      truncatedAlerts: payload.truncatedAlerts,
      incidentId: this.incident,
      alerts: payload.alerts.map((a) => ({
        fingerprint: a.fingerprint,
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: new Date(a.startsAt),
        generatorUrl: a.generatorURL,
      })),
    };
    this.messages.push(render(group));
    return { group, news: payload.alerts.length };
  }
  async attachIncident(_id: string, _episode: number, incidentId: string) {
    this.incident ??= incidentId;
    return undefined;
  }
  async get() {
    return undefined;
  }
}

function intake(options: { openIncident?: boolean; runs?: RunListItem[] } = {}) {
  const log = new MemoryAlertLog();
  const opened: OpenIncident[] = [];
  const subject = new AlertIntake({
    log,
    audit: new MemoryAuditLog(),
    topology,
    registry: { actions: [], get: () => undefined, resolve: () => undefined, suggest: () => [] },
    runs: { list: async () => options.runs ?? [] },
    incidents: {
      systems: ['auth-service'],
      open: async (request) => {
        opened.push(request);
        return { id: 'INC-20261130-001', created: opened.length === 1, alreadyOpen: false };
      },
    },
    policy: alertPolicySchema.parse({ openIncident: options.openIncident ?? true }),
    opsChannel: 'eafix-ops',
    now: () => new Date('2026-11-30T08:00:00Z'),
    logger: createLogger({ level: 'silent' }),
  });
  return { subject, log, opened };
}

const payload = (alerts: AlertInput[]) => alertmanagerPayloadSchema.parse(alertmanagerPayload(alerts));

describe('alert intake', () => {
  it('opens one incident for a critical group, typed and scoped from its labels, named by the episode', async () => {
    const { subject, opened } = intake();
    const p = payload([
      {
        name: 'privilege_escalation',
        fingerprint: 'aa01',
        labels: { incident_type: 'security', service: 'auth-service' },
      },
    ]);
    const result = await subject.receive(p, 'req_1');
    expect(result.incident).toBe('INC-20261130-001');
    expect(opened).toEqual([
      expect.objectContaining({
        severity: 'critical',
        type: 'security',
        systems: ['auth-service'],
        requestedBy: 'system',
        requestId: `alert-${alertGroupId(p.groupKey)}-1`,
      }),
    ]);
    // Recorded on the group: the next delivery does not ask again.
    await subject.receive(p, 'req_2');
    expect(opened).toHaveLength(1);
  });

  it('opens none for warnings, resolved groups, or with the policy switch off', async () => {
    const warning = intake();
    await warning.subject.receive(payload([{ name: 'high_cpu_usage', severity: 'warning', fingerprint: 'bb01' }]), 'r');
    expect(warning.opened).toHaveLength(0);
    const resolved = intake();
    await resolved.subject.receive(payload([{ name: 'service_down', status: 'resolved', fingerprint: 'bb02' }]), 'r');
    expect(resolved.opened).toHaveLength(0);
    const off = intake({ openIncident: false });
    await off.subject.receive(payload([{ name: 'service_down', fingerprint: 'bb03' }]), 'r');
    expect(off.opened).toHaveLength(0);
  });

  it('offers "Roll back the last deploy" on high_error_rate only after a deploy or rollback in the window', async () => {
    const recent = { action: 'rollback', status: 'succeeded', input: { environment: 'production' } };
    const runs = [{ ...recent, createdAt: new Date('2026-11-30T07:30:00Z') } as RunListItem];
    const withDeploy = intake({ runs, openIncident: false });
    await withDeploy.subject.receive(payload([{ name: 'high_error_rate', fingerprint: 'cc01' }]), 'r');
    expect(JSON.stringify(withDeploy.log.messages[0]?.blocks)).toContain('alert:rollback');
    const otherAlert = intake({ runs, openIncident: false });
    await otherAlert.subject.receive(payload([{ name: 'service_down', fingerprint: 'cc02' }]), 'r');
    expect(JSON.stringify(otherAlert.log.messages[0]?.blocks)).not.toContain('alert:rollback');
    const old = [{ ...recent, createdAt: new Date('2026-11-30T06:30:00Z') } as RunListItem];
    const noDeploy = intake({ runs: old, openIncident: false });
    await noDeploy.subject.receive(payload([{ name: 'high_error_rate', fingerprint: 'cc03' }]), 'r');
    expect(JSON.stringify(noDeploy.log.messages[0]?.blocks)).not.toContain('alert:rollback');
  });
});
