import type { Logger } from '../../logger.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { Notifier } from '../core/notifier.ts';
import { digestMessage } from './digest-message.ts';
import { gatherDigest } from './digest-snapshot.ts';
import { digestNamed } from './monitoring-deps.ts';
import { slackDate } from './digest-sections.ts';
import { reportComposers } from './report-composers.ts';
import type { ComposedReport, ReportChart } from './report-types.ts';

/** Whether this claimer may post the tick: it holds the claim, the post went out, or someone else holds it. */
export type Claim = 'claimed' | 'already-posted' | 'claimed-by-another';

/** Who may post which tick (PgDigestPosts). */
export interface DigestPostLog {
  claim(digest: string, tickKey: string, channel: string, claimer: string): Promise<Claim>;
  markPosted(digest: string, tickKey: string, messageTs: string): Promise<void>;
}

/** One post to make: a scheduled tick or a request, identified so that it is made once. */
export interface DigestTick {
  digest: string;
  /** The tick time (ISO) for scheduled posts, `request:<id>` for on-demand ones. */
  tickKey: string;
  /** The job making the post; its own retries keep the claim. */
  claimer: string;
  /** Overrides the digest's channel (`/eafix digest --here`). */
  channel?: string | undefined;
  requestedBy?: string | undefined;
  scheduledAt?: Date | undefined;
  /** A missed tick posted after its time (the reconciler's catch-up): the post says so. */
  late?: boolean | undefined;
}

export type PostOutcome = { posted: true; channel: string; ts: string } | { posted: false; why: Claim };

/**
 * Claims the tick, gathers the digest from the world as it is now, and posts it through the outbox under
 * the tick's key. Slack not confirming in time propagates to the caller, which retries the same claim;
 * the retry waits for the same outbox row, so the digest is still posted once.
 */
export async function postDigest(
  deps: ActionDeps,
  slack: Pick<Notifier, 'post' | 'upload'>,
  log: DigestPostLog,
  tick: DigestTick,
  logger: Logger,
): Promise<PostOutcome> {
  const monitoring = deps.monitoring;
  const spec = digestNamed(monitoring, tick.digest);
  const channel = tick.channel ?? spec.channel;
  const claim = await log.claim(spec.name, tick.tickKey, channel, tick.claimer);
  if (claim !== 'claimed') {
    logger.info({ digest: spec.name, tick: tick.tickKey, claim }, 'digest tick already handled');
    return { posted: false, why: claim };
  }
  const scheduled = tick.scheduledAt
    ? `Scheduled for ${slackDate(tick.scheduledAt)}${tick.late ? ', posted late: the bot missed its time' : ''}`
    : undefined;
  const trigger = tick.requestedBy ? `Requested by <@${tick.requestedBy}>` : scheduled;
  const key = `digest:${spec.name}:${tick.tickKey}`;
  const report: ComposedReport =
    spec.kind === 'status'
      ? digestMessage(await gatherDigest(deps, monitoring, spec, logger), trigger)
      : await reportComposers[spec.kind]({ deps, spec, tickKey: tick.tickKey, at: deps.now(), trigger, logger });
  const posted = await slack.post({ key, channel, text: report.text, blocks: report.blocks });
  await postCharts(slack, key, posted, report.charts);
  await report.afterPost?.(posted);
  await log.markPosted(spec.name, tick.tickKey, posted.ts);
  logger.info({ digest: spec.name, tick: tick.tickKey, channel: posted.channel }, 'digest posted');
  return { posted: true, channel: posted.channel, ts: posted.ts };
}

/** A report's charts as PNG files in its thread, keyed by the tick: a retried post uploads each once. */
async function postCharts(
  slack: Pick<Notifier, 'upload'>,
  key: string,
  posted: { channel: string; ts: string },
  charts: ReportChart[] | undefined,
): Promise<void> {
  for (const [i, chart] of (charts ?? []).entries()) {
    await slack.upload({
      key: `${key}:chart:${i}`,
      channel: posted.channel,
      threadTs: posted.ts,
      filename: chart.filename,
      title: chart.title,
      content: Buffer.from(chart.png).toString('base64'),
      encoding: 'base64',
    });
  }
}
