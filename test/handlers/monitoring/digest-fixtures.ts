import type { DeploymentStatus } from '../../../src/cluster/cluster.ts';
import { digestSections, kpiIds, runbookKpis } from '../../../src/config/monitoring-policy.ts';
import type { DigestSnapshot } from '../../../src/handlers/monitoring/digest-snapshot.ts';
import type { Incident } from '../../../src/handlers/incidents/incident-types.ts';
import type { RunRecord } from '../../../src/jobs/run-record.ts';
import { bandOf, type KpiReading } from '../../../src/handlers/monitoring/kpi-readings.ts';
import type { ApprovalRequest } from '../../../src/permissions/approval-types.ts';

export const at = new Date('2026-11-24T08:00:00Z');

export function deployment(
  name: string,
  ready: number,
  desired: number,
  extra: Partial<DeploymentStatus> = {},
): DeploymentStatus {
  return {
    name: `eafix-${name}`,
    service: name,
    desired,
    ready,
    updated: desired,
    available: ready,
    unavailable: desired - ready,
    images: ['img:1'],
    restarts: 0,
    rollout: 'complete',
    rolloutInProgress: false,
    progressDeadlineExceeded: false,
    paused: false,
    rolloutMessage: `deployment "eafix-${name}" successfully rolled out`,
    conditions: [],
    ...extra,
  };
}

/** Every runbook KPI with the given values (defaults in the target band). */
export function readings(
  values: Partial<Record<string, number | null>> = {},
  reason = 'Prometheus at http://prom:9090 could not be reached.',
): KpiReading[] {
  return kpiIds.map((id) => {
    const spec = runbookKpis[id];
    const thresholds = { target: spec.target, warning: spec.warning, critical: spec.critical };
    const base = { id, label: spec.label, unit: spec.unit, thresholds };
    const value = id in values ? values[id] : spec.target / 2;
    if (value === null || value === undefined) return { ...base, band: 'unavailable' as const, reason };
    return { ...base, value, ...bandOf(value, thresholds) };
  });
}

export function run(extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run_1',
    kind: 'rollback',
    action: 'rollback',
    input: {},
    requestId: 'r',
    requestedBy: 'U0DAVE',
    teamId: 'T',
    onBusy: 'refuse',
    status: 'succeeded',
    stepCount: 4,
    currentStep: 4,
    cancelRequested: false,
    resumedCount: 0,
    createdAt: new Date(at.getTime() - 3600_000),
    finishedAt: new Date(at.getTime() - 3000_000),
    ...extra,
  };
}

export function incident(extra: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-20261124-001',
    requestId: 'r',
    title: 'Orders failing',
    description: '',
    severity: 'high',
    type: 'ops',
    systems: [],
    status: 'investigating',
    requestedBy: 'U0ALICE',
    teamId: 'T',
    channelId: 'C0WAR',
    setup: {},
    phasesDone: {},
    escalationLevel: 1,
    reminderSeq: 0,
    createdAt: at,
    updatedAt: at,
    ...extra,
  } as Incident;
}

export function approval(extra: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: 'apr_1',
    action: 'trading stop',
    permission: 'trading.stop',
    arguments: {},
    plan: [{ description: 'set trading running→stopped' }],
    planHash: 'h',
    reason: 'market halt',
    requester: 'U0DAVE',
    teamId: 'T0EAFIX',
    channelId: 'C0OPS',
    requestId: 'r',
    requiredApprovals: 1,
    status: 'pending',
    createdAt: at,
    expiresAt: new Date(at.getTime() + 15 * 60_000),
    approvers: [],
    ...extra,
  };
}

export function snapshot(extra: Partial<DigestSnapshot> = {}): DigestSnapshot {
  return {
    name: 'daily',
    environment: 'production',
    at,
    sections: [...digestSections],
    health: { ok: true, value: [deployment('risk-manager', 3, 3), deployment('market-data', 2, 2)] },
    deploys: { ok: true, value: { live: { colour: 'green', selector: {} }, last: run() } },
    platform: { ok: true, value: { trading: 'running', maintenance: { enabled: false } } },
    kpis: readings(),
    incidents: { ok: true, value: [] },
    approvals: { ok: true, value: [] },
    runs: { ok: true, value: { queued: 0, running: 0, succeeded: 3, failed: 1, cancelled: 0 } },
    backups: { band: 'ok', ageSeconds: 5 * 3600, warnAfterSeconds: 26 * 3600, criticalAfterSeconds: 48 * 3600 },
    ...extra,
  };
}
