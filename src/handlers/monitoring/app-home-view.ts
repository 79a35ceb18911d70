import { approvalMessage } from '../../permissions/approval-message.ts';
import { context, divider, header, section, sections, type Block } from '../core/reply.ts';
import type { HomeData } from './app-home.ts';
import { healthText, incidentsText, platformText, slackDate } from './digest-sections.ts';
import { drStatusText } from '../disaster-recovery/dr-status.ts';

const runIcons: Record<string, string> = {
  queued: ':white_circle:',
  running: ':hourglass_flowing_sand:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
};

/** Block Kit's limit for a Home tab view. */
export const MAX_HOME_BLOCKS = 100;

/**
 * The App Home: status at a glance, the approvals this person may decide (with the approval message's own
 * buttons, which work from any surface), their recent runs and the open incidents.
 */
export function appHomeView(data: HomeData): { type: 'home'; blocks: Block[] } {
  const blocks: Block[] = [header('EAFIX at a glance')];
  const live = data.live.ok ? data.live.value.colour : 'unknown';
  const colours = data.colours ?? `*Live colour:* ${live}`;
  blocks.push(section(`*${data.environment}* · ${colours}\n${platformText(data.platform)}`));
  blocks.push(...sections(healthText(data.deployments)).slice(0, 5));
  blocks.push({
    type: 'actions',
    block_id: 'home',
    elements: [
      { type: 'button', action_id: 'home:refresh', text: { type: 'plain_text', text: 'Refresh' }, value: 'refresh' },
      // The deploy form of `/eafix deploy`; its outcome is told in the ops channel.
      { type: 'button', action_id: 'home:deploy', text: { type: 'plain_text', text: 'Deploy' }, value: 'deploy' },
    ],
  });
  blocks.push(
    context(`Updated ${slackDate(data.at)}`),
    context(
      '*Deployment:* `/eafix deploy <version> --reason …` (a form with the prerequisites checklist) · `/eafix rollback --reason …` · `/eafix trading stop|start|status` · `/eafix maintenance enable|disable|status`',
    ),
    divider(),
  );

  if (!data.approvals.ok) blocks.push(section(`*Waiting for your approval* — unavailable: ${data.approvals.reason}`));
  else if (data.approvals.value.length === 0) blocks.push(section('*Waiting for your approval* — nothing right now.'));
  else {
    blocks.push(header(`Waiting for your approval (${data.approvals.value.length})`));
    for (const request of data.approvals.value) blocks.push(...approvalMessage(request).blocks);
  }
  blocks.push(divider());

  if (!data.runs.ok) blocks.push(section(`*Your recent runs* — unavailable: ${data.runs.reason}`));
  else if (data.runs.value.length === 0) blocks.push(section('*Your recent runs* — none yet.'));
  else {
    const lines = data.runs.value.map(
      (r) =>
        `${runIcons[r.status] ?? ''} \`${r.id}\` *${r.action}* — ${r.status} ${slackDate(r.createdAt)}${r.error ? ` — ${r.error}` : ''}`,
    );
    blocks.push(...sections(`*Your recent runs*\n${lines.join('\n')}`).slice(0, 3));
  }
  blocks.push(divider(), ...sections(incidentsText(data.incidents)).slice(0, 3));
  const actions = data.chapters.map((c) => `*${c.chapter}*: ${c.actions.map((a) => `\`${a}\``).join(', ')}`);
  blocks.push(
    divider(),
    ...sections(`*Runbook actions* (\`/eafix help <action>\`)\n${actions.join('\n')}`).slice(0, 3),
  );
  if (data.recovery) {
    const text = data.recovery.ok
      ? drStatusText(data.recovery.value)
      : `*Disaster recovery* — unavailable: ${data.recovery.reason}`;
    blocks.push(
      divider(),
      ...sections(text).slice(0, 2),
      context('`/eafix backup list` · `/eafix backup verify --latest` · `/eafix dr drill` · `/eafix dr drills`'),
    );
  }
  if (blocks.length > MAX_HOME_BLOCKS) blocks.length = MAX_HOME_BLOCKS;
  return { type: 'home', blocks };
}

/** The home of someone the `home` action refused (no role, permissions unavailable): why, and what to do. */
export function refusedHomeView(reason: string): { type: 'home'; blocks: Block[] } {
  return { type: 'home', blocks: [header('EAFIX at a glance'), ...sections(reason).slice(0, 3)] };
}
