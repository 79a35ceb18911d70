import { context, divider, header, sections, type Block } from '../core/reply.ts';
import type { DigestSnapshot } from './digest-snapshot.ts';
import { needsAttention, sectionTexts, slackDate } from './digest-sections.ts';
import { kpiCounts } from './kpi-lines.ts';

/** Block Kit's limit for a message. */
export const MAX_MESSAGE_BLOCKS = 50;

/** Fallback text: the few facts that matter in a notification. */
function summaryText(s: DigestSnapshot): string {
  const facts: string[] = [];
  if (s.health?.ok) {
    const bad = s.health.value.filter(needsAttention).length;
    facts.push(bad ? `${bad} deployment(s) need attention` : 'all deployments healthy');
  } else if (s.health) facts.push('service health unavailable');
  if (s.kpis) {
    const c = kpiCounts(s.kpis);
    facts.push(
      `KPIs ${c.ok} ok, ${c.warning} warning, ${c.critical} critical${c.unavailable ? `, ${c.unavailable} unavailable` : ''}`,
    );
  }
  if (s.incidents?.ok) facts.push(`${s.incidents.value.length} open incident(s)`);
  if (s.approvals?.ok && s.approvals.value.length) facts.push(`${s.approvals.value.length} pending approval(s)`);
  return `EAFIX ${s.name} digest (${s.environment}): ${facts.join('; ') || 'no sections'}`;
}

/**
 * The digest as one message within Block Kit's limits: sections split at 3000 characters on line breaks,
 * and never more than 50 blocks (the tail is cut with a note, which the presenters make unlikely by
 * counting rather than listing long runs of healthy things).
 */
export function digestMessage(s: DigestSnapshot, trigger?: string): { text: string; blocks: Block[] } {
  const blocks: Block[] = [
    header(`EAFIX ${s.name} digest — ${s.environment}`),
    context(`${trigger ? `${trigger} · ` : ''}as of ${slackDate(s.at)}${s.cluster ? ` · ${s.cluster}` : ''}`),
  ];
  sectionTexts(s).forEach((text, i) => {
    if (i > 0) blocks.push(divider());
    blocks.push(...sections(text));
  });
  if (blocks.length > MAX_MESSAGE_BLOCKS) {
    blocks.length = MAX_MESSAGE_BLOCKS - 1;
    blocks.push(context('…cut to fit one Slack message; `/eafix status` and `/eafix kpis` show the rest.'));
  }
  return { text: summaryText(s), blocks };
}
