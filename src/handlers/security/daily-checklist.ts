import { context, header, type Block } from '../core/reply.ts';
import { slackDate } from '../monitoring/digest-sections.ts';
import type { ComposedReport, ReportContext } from '../monitoring/report-types.ts';
import {
  auditItems,
  certificatesItem,
  checklistItems,
  combineItems,
  prometheusItem,
  type ChecklistItemId,
  type ChecklistResult,
} from './checklist-items.ts';

const icons = { pass: ':white_check_mark:', fail: ':x:', unknown: ':grey_question:' } as const;

/** The Open-security-incident button's action id; the value is the item id. */
export const CHECKLIST_INCIDENT_ACTION = 'checklist:incident';

/** The incident a failing item opens, by button or automatically. */
export function checklistIncident(id: ChecklistItemId, critical: boolean) {
  return {
    title: `Daily security checklist: ${checklistItems[id]} failed`.slice(0, 120),
    severity: critical ? ('critical' as const) : ('high' as const),
    type: 'security' as const,
    systems: [] as string[],
  };
}

export async function gatherChecklist(ctx: ReportContext): Promise<ChecklistResult[]> {
  const policy = ctx.deps.monitoring.reports.securityChecklist;
  const prometheus = ctx.deps.monitoring.prometheus;
  const [audit, platformLogins, certificates, updates, encryption, platformReview, ids] = await Promise.all([
    auditItems(ctx.deps, policy, ctx.at),
    prometheusItem('refusals', policy.failedLogins, prometheus),
    certificatesItem(ctx.deps, policy, ctx.at),
    prometheusItem('security-updates', policy.securityUpdates, prometheus),
    prometheusItem('backup-encryption', policy.backupEncryption, prometheus),
    prometheusItem('access-review', policy.suspiciousAccess, prometheus),
    prometheusItem('intrusion-detection', policy.intrusionDetection, prometheus),
  ]);
  const [botRefusals, botReview] = audit as [ChecklistResult, ChecklistResult];
  const refusals = combineItems(platformLogins, botRefusals, ['Platform', 'Bot']);
  const review = combineItems(botReview, platformReview, ['Bot', 'Platform']);
  return [refusals, certificates, updates, encryption, review, ids];
}

export function checklistMessage(results: ChecklistResult[], ctx: ReportContext): { text: string; blocks: Block[] } {
  const failing = results.filter((r) => r.status !== 'pass');
  const blocks: Block[] = [header(`Daily security checklist — ${ctx.at.toISOString().slice(0, 10)}`)];
  results.forEach((r, i) => {
    const critical = r.status === 'fail' && r.critical ? ' *(critical)*' : '';
    const block: Block = {
      type: 'section',
      block_id: `item-${r.id}`,
      text: {
        type: 'mrkdwn',
        text: `${icons[r.status]} *${checklistItems[r.id]}*${critical}\n${r.detail}`.slice(0, 3000),
      },
    };
    if (r.status !== 'pass') {
      block.accessory = {
        type: 'button',
        action_id: `${CHECKLIST_INCIDENT_ACTION}:${i}`,
        text: { type: 'plain_text', text: 'Open security incident' },
        style: 'danger',
        value: r.id,
      };
    }
    blocks.push(block);
  });
  const sources =
    'Sources: Prometheus (the platform’s failed logins, security updates, backup encryption, access review, intrusion detection), the audit log (the bot’s refusals and access review), cert-manager Certificates. A check without data is unknown, never a pass.';
  blocks.push(context([ctx.trigger, `Checked ${slackDate(ctx.at)}`, sources].filter(Boolean).join(' · ')));
  const text = failing.length
    ? `Daily security checklist: ${failing.length} of ${results.length} need attention (${failing.map((r) => checklistItems[r.id]).join(', ')})`
    : `Daily security checklist: all ${results.length} checks pass`;
  return { text, blocks };
}

/** The runbook's Daily Security Checklist as a report; critical failures open incidents (policy switch). */
export async function composeSecurityChecklist(ctx: ReportContext): Promise<ComposedReport> {
  const results = await gatherChecklist(ctx);
  const message = checklistMessage(results, ctx);
  const policy = ctx.deps.monitoring.reports.securityChecklist;
  const automatic = policy.autoIncident ? results.filter((r) => r.status === 'fail' && r.critical) : [];
  return {
    ...message,
    afterPost: async (posted) => {
      for (const result of automatic) {
        // The request id is the tick's: a retried post finds the incident it opened instead of a second one.
        const opened = await ctx.deps.incidents.open({
          ...checklistIncident(result.id, true),
          description: `Opened automatically by the daily security checklist: ${result.detail}`,
          requestedBy: policy.owner ?? 'system',
          requestId: `checklist:${ctx.spec.name}:${ctx.tickKey}:${result.id}`,
        });
        await ctx.deps.notifier.send({
          key: `digest:${ctx.spec.name}:${ctx.tickKey}:incident:${result.id}`,
          channel: posted.channel,
          threadTs: posted.ts,
          text: `:rotating_light: ${checklistItems[result.id]} failed critically: opened security incident *${opened.id}*.`,
        });
      }
    },
  };
}
