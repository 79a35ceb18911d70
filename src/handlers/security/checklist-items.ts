import type { AuditRecord } from '../../audit/audit-log.ts';
import type { PrometheusCheck, SecurityChecklistPolicy } from '../../config/reports-policy.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { Prometheus } from '../monitoring/kpi-readings.ts';

/** The runbook's six daily checks, in its order. */
export const checklistItems = {
  refusals: 'Failed logins in 24 h',
  certificates: 'Certificates expiring within 30 days',
  'security-updates': 'Pending security updates',
  'backup-encryption': 'Backup encryption',
  'access-review': 'Suspicious access review',
  'intrusion-detection': 'Intrusion detection',
} as const;
export type ChecklistItemId = keyof typeof checklistItems;

/** `unknown`: the check could not be made (no data, source down). It is never reported as a pass. */
export type ItemStatus = 'pass' | 'fail' | 'unknown';

export interface ChecklistResult {
  id: ChecklistItemId;
  status: ItemStatus;
  /** A failing critical item opens a security incident by itself (policy autoIncident). */
  critical: boolean;
  detail: string;
}

const DAY_MS = 24 * 3600_000;
/** Requests refused before routing: forged or foreign, never a person's honest mistake. */
const FORGED = new Set(['slack.signature-refused', 'slack.foreign-installation', 'slack.replay-refused']);

/** How many requests a row stands for: unsigned ones are audited sampled, a row counting those left out. */
const requestsIn = (r: AuditRecord): number =>
  r.action === 'slack.signature-refused' ? Math.max(1, Number(r.arguments?.['count']) || 1) : 1;

const isRefusal = (r: AuditRecord) =>
  r.outcome === 'rejected:permission_denied' || r.action.endsWith('click-refused') || FORGED.has(r.action);

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 200);

/** The bot's failed logins are its refusals: permission denials, forged or replayed requests, stray clicks. */
export function refusalsItem(rows: AuditRecord[], policy: SecurityChecklistPolicy): ChecklistResult {
  const byAction = new Map<string, number>();
  for (const r of rows.filter(isRefusal)) byAction.set(r.action, (byAction.get(r.action) ?? 0) + requestsIn(r));
  const refused = [...byAction.values()].reduce((sum, n) => sum + n, 0);
  const top = [...byAction].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const detail = `${refused} refused request(s) (threshold ${policy.refusalsAbove})${top.length ? `: ${top.map(([a, n]) => `${a} ×${n}`).join(', ')}` : ''}`;
  return { id: 'refusals', status: refused > policy.refusalsAbove ? 'fail' : 'pass', critical: false, detail };
}

/** Who was refused repeatedly, forged requests, and break-glass use waiting for review. */
export function accessReviewItem(rows: AuditRecord[], policy: SecurityChecklistPolicy): ChecklistResult {
  const perUser = new Map<string, number>();
  for (const r of rows.filter(isRefusal)) if (r.userId) perUser.set(r.userId, (perUser.get(r.userId) ?? 0) + 1);
  const repeated = [...perUser].filter(([, n]) => n >= policy.suspiciousRefusalsPerUser);
  const forged = rows.filter((r) => FORGED.has(r.action)).reduce((sum, r) => sum + requestsIn(r), 0);
  const breakGlass = rows.filter((r) => r.action === 'break-glass').length;
  const findings = [
    ...repeated.map(([user, n]) => `<@${user}> refused ${n}×`),
    ...(forged ? [`${forged} forged, foreign or replayed request(s)`] : []),
    ...(breakGlass ? [`${breakGlass} break-glass use(s) to review (\`/eafix approvals review\`)`] : []),
  ];
  return {
    id: 'access-review',
    status: findings.length ? 'fail' : 'pass',
    critical: false,
    detail: findings.length ? findings.join('; ') : `nothing suspicious in ${rows.length} audit row(s)`,
  };
}

export async function auditItems(deps: ActionDeps, policy: SecurityChecklistPolicy, at: Date) {
  try {
    const rows = await deps.audit.since(new Date(at.getTime() - DAY_MS));
    return [refusalsItem(rows, policy), accessReviewItem(rows, policy)];
  } catch (error) {
    const detail = `audit log unavailable: ${reason(error)}`;
    return (['refusals', 'access-review'] as const).map((id) => ({
      id,
      status: 'unknown' as const,
      critical: false,
      detail,
    }));
  }
}

/** cert-manager Certificates expiring within the window, or not Ready; an expired one is critical. */
export async function certificatesItem(
  deps: ActionDeps,
  policy: SecurityChecklistPolicy,
  at: Date,
): Promise<ChecklistResult> {
  try {
    const certificates = await deps.cluster.listCertificates(policy.environment);
    const horizon = at.getTime() + policy.certificatesWithin;
    const due = certificates.filter((c) => !c.ready || !c.notAfter || c.notAfter.getTime() <= horizon);
    const expired = due.some((c) => c.notAfter && c.notAfter.getTime() <= at.getTime());
    const days = (d: Date) => Math.floor((d.getTime() - at.getTime()) / DAY_MS);
    const describe = due.slice(0, 5).map((c) => {
      const when = c.notAfter ? (days(c.notAfter) < 0 ? 'expired' : `expires in ${days(c.notAfter)} d`) : 'no expiry';
      return `\`${c.name}\` ${when}${c.ready ? '' : ' (not Ready)'}`;
    });
    return {
      id: 'certificates',
      status: due.length ? 'fail' : 'pass',
      critical: expired,
      detail: due.length
        ? `${due.length} of ${certificates.length}: ${describe.join(', ')}`
        : `${certificates.length} certificate(s) in ${policy.environment}, none expiring soon`,
    };
  } catch (error) {
    return { id: 'certificates', status: 'unknown', critical: false, detail: `cluster: ${reason(error)}` };
  }
}

/** A series the platform exports, against its bound. No Prometheus, no data or no number is `unknown`, not a pass. */
export async function prometheusItem(
  id: ChecklistItemId,
  check: PrometheusCheck,
  prometheus: Prometheus | undefined,
): Promise<ChecklistResult> {
  const unknown = (detail: string): ChecklistResult => ({ id, status: 'unknown', critical: false, detail });
  if (!prometheus) return unknown('no Prometheus configured');
  try {
    const value = await prometheus.instant(check.query);
    if (value === undefined) return unknown(`unknown (no data for \`${check.query}\`)`);
    // NaN (0/0, a stale exporter) compares false with every bound: it would pass silently.
    if (!Number.isFinite(value)) return unknown(`unknown (\`${check.query}\` answered ${value})`);
    const failed =
      (check.failAbove !== undefined && value > check.failAbove) ||
      (check.failBelow !== undefined && value < check.failBelow);
    const bound = check.failAbove !== undefined ? `fails above ${check.failAbove}` : `fails below ${check.failBelow}`;
    const shown = Number.isInteger(value) ? String(value) : value.toFixed(2);
    return {
      id,
      status: failed ? 'fail' : 'pass',
      critical: failed && check.critical,
      detail: `${check.what}: ${shown} (${bound})`,
    };
  } catch (error) {
    return unknown(`unknown (Prometheus: ${reason(error)})`);
  }
}

/**
 * One item from two sources (the bot's audit log and the platform's series): it fails when either
 * fails, is unknown when either is unknown and none fails, and passes only when both pass.
 */
export function combineItems(first: ChecklistResult, second: ChecklistResult, labels: [string, string]) {
  const statuses = [first.status, second.status];
  const status: ItemStatus = statuses.includes('fail') ? 'fail' : statuses.includes('unknown') ? 'unknown' : 'pass';
  return {
    id: first.id,
    status,
    critical: first.critical || second.critical,
    detail: `${labels[0]}: ${first.detail}\n${labels[1]}: ${second.detail}`,
  } satisfies ChecklistResult;
}
