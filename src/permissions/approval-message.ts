import type { Block } from '../handlers/core/reply.ts';
import { context, section } from '../handlers/core/reply.ts';
import type { ApprovalRequest } from './approval-types.ts';

const slackDate = (date: Date) =>
  `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} {time}|${date.toISOString()}>`;

/** Longest reason shown in full; Block Kit sections hold 3,000 characters and the plan needs room. */
export const REASON_SHOWN_CHARS = 1_000;
const PLAN_SHOWN_CHARS = 2_700;

/** User text in mrkdwn: escaped so a reason cannot ping @channel or forge a link. */
export const mrkdwnEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Shortens visibly: the reader sees that something was cut and how much there was. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… _(shortened: ${text.length} characters in all)_`;
}

/** The short plan hash shown on the message and carried in its buttons' block id. */
export const shownPlanHash = (request: Pick<ApprovalRequest, 'planHash'>) => request.planHash.slice(0, 16);

/**
 * The block id of an approval's buttons: unique per request (many approvals share the App Home) and
 * binding each click to the request and the exact plan the clicker saw.
 */
export const approvalBlockId = (request: Pick<ApprovalRequest, 'id' | 'planHash'>) =>
  `approval:${request.id}:${shownPlanHash(request)}`;

export function parseApprovalBlockId(blockId: string): { id: string; planHash: string } | undefined {
  const match = /^approval:(apr_[0-9a-f]{12}):([0-9a-f]{16})$/.exec(blockId);
  return match ? { id: match[1] as string, planHash: match[2] as string } : undefined;
}

export function planText(request: Pick<ApprovalRequest, 'plan'>): string {
  return request.plan.map((item, i) => `${i + 1}. ${item.description}`).join('\n');
}

const statusLine: Record<ApprovalRequest['status'], (r: ApprovalRequest) => string> = {
  pending: (r) =>
    `:hourglass_flowing_sand: Waiting for ${r.requiredApprovals - r.approvers.length} more approval(s)` +
    `${r.approvers.length ? ` (approved so far by ${r.approvers.map((a) => `<@${a}>`).join(', ')})` : ''}. Expires ${slackDate(r.expiresAt)}.`,
  approved: (r) => `:white_check_mark: Approved by ${r.approvers.map((a) => `<@${a}>`).join(', ')}. Executing…`,
  executed: (r) =>
    `:white_check_mark: Approved by ${r.approvers.map((a) => `<@${a}>`).join(', ')} and executed. ${r.result ?? ''}`,
  failed: (r) =>
    `:x: Approved by ${r.approvers.map((a) => `<@${a}>`).join(', ')}, but execution failed: ${r.result ?? 'see the thread'}`,
  superseded: () =>
    ':twisted_rightwards_arrows: Not executed: the world changed after approval, so the plan differs. A fresh approval was requested.',
  rejected: (r) => `:no_entry: Rejected by <@${r.decidedBy}>: ${mrkdwnEscape(r.decisionReason ?? '')}`,
  cancelled: (r) => `:heavy_multiplication_x: Cancelled by <@${r.decidedBy}>.`,
  expired: () => ':alarm_clock: Expired without enough approvals. Nothing was changed; request again if still needed.',
};

/** The approval message: what, why, who, the exact plan, the expiry and, while pending, the buttons. */
export function approvalMessage(request: ApprovalRequest): { text: string; blocks: Block[] } {
  const command = `/eafix ${request.action}`;
  const blocks: Block[] = [
    section(
      `:lock: *Approval needed:* \`${command}\` requested by <@${request.requester}>\n*Why:* ${clip(mrkdwnEscape(request.reason), REASON_SHOWN_CHARS)}`,
    ),
    section(`*Plan* (exactly what will change):\n\`\`\`${clip(planText(request), PLAN_SHOWN_CHARS)}\`\`\``),
    context(
      `${statusLine[request.status](request)}  ·  request \`${request.id}\`  ·  plan \`${shownPlanHash(request)}\``,
    ),
  ];
  if (request.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: approvalBlockId(request),
      elements: [
        {
          type: 'button',
          action_id: 'approval:approve',
          text: { type: 'plain_text', text: 'Approve' },
          style: 'primary',
          value: request.id,
          confirm: {
            title: { type: 'plain_text', text: 'Approve this plan?' },
            text: {
              type: 'mrkdwn',
              text: `You approve \`${command}\` for <@${request.requester}> exactly as planned.`,
            },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Back' },
          },
        },
        {
          type: 'button',
          action_id: 'approval:reject',
          text: { type: 'plain_text', text: 'Reject' },
          style: 'danger',
          value: request.id,
        },
        {
          type: 'button',
          action_id: 'approval:cancel',
          text: { type: 'plain_text', text: 'Cancel' },
          value: request.id,
        },
      ],
    });
  }
  return { text: `Approval ${request.status}: ${command} requested by <@${request.requester}>`, blocks };
}

export function rejectReasonModal(requestId: string): Block {
  return {
    type: 'modal',
    callback_id: 'approval:reject-reason',
    private_metadata: requestId,
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      {
        type: 'input',
        block_id: 'reason',
        label: { type: 'plain_text', text: 'Why are you rejecting it?' },
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, min_length: 3, max_length: 500 },
      },
    ],
  };
}

/** The outbox key of a request's approval message; the deliverer attaches its ts to the request once posted. */
export const approvalMessageKey = (approvalId: string): string => `approval:${approvalId}:message`;

export function approvalIdOfMessageKey(key: string): string | undefined {
  return /^approval:(apr_[0-9a-f]+):message$/.exec(key)?.[1];
}
