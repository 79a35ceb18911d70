import type { SandboxWorld } from './sandbox-world.ts';
import { workInFlight, type Busy } from './bot-activity.ts';

/** A console line's own wait: the bot finishing the requests it made (not the runs it started). */
export const LINE_SETTLE_MS = 30_000;
/** `wait`'s bound: everything earlier lines started. */
export const WAIT_IDLE_MS = 120_000;
/** Slack must have been this quiet before a line's changes are shown. */
const QUIET_MS = 250;

/** A console line waits for the requests it made and the war rooms they set up; `wait` for everything. */
export type SettleScope = 'requests' | 'everything';

/**
 * Waits until the bot has finished what earlier lines asked (bounded; past the bound it throws, after
 * `beforeTimeout` has shown what changed so far), then until Slack has been quiet for a moment.
 */
export async function botSettled(
  world: SandboxWorld,
  maxMs: number,
  scope: SettleScope,
  beforeTimeout: () => void,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = Date.now();
  const onChange = () => (last = Date.now());
  world.slack.on('change', onChange);
  try {
    for (;;) {
      const busy = await stillBusy(world, scope);
      if (busy.length === 0 && Date.now() - last >= QUIET_MS) break;
      if (Date.now() > deadline) {
        beforeTimeout();
        throw new Error(
          `the bot is still busy after ${Math.round(maxMs / 1000)} s: ${busy.map((b) => b.text).join('; ') || 'Slack is still changing'}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    world.slack.off('change', onChange);
  }
}

async function stillBusy(world: SandboxWorld, scope: SettleScope): Promise<Busy[]> {
  const busy = await workInFlight(world);
  return scope === 'everything' ? busy : busy.filter((b) => b.kind === 'request' || b.kind === 'war-room');
}

/**
 * An approval message reaches Slack through the outbox a moment before the bot records its ts on the
 * request, and a click in between is refused as "still being recorded": a person would not be that
 * fast, so `press` waits (bounded) until the request knows its message.
 */
export async function approvalRecorded(world: SandboxWorld, channel: string, ts: string): Promise<void> {
  const message = world.slack.state.findMessage(channel, ts);
  const id = message ? /apr_[0-9a-f]{12}/.exec(JSON.stringify(message.blocks ?? []))?.[0] : undefined;
  if (!id) return;
  const deadline = Date.now() + LINE_SETTLE_MS;
  for (;;) {
    const { rows } = await world.bot.pool.query<{ recorded: boolean }>(
      'SELECT message_ts IS NOT NULL AS recorded FROM approval_requests WHERE id = $1',
      [id],
    );
    if (rows[0]?.recorded !== false) return;
    if (Date.now() > deadline)
      throw new Error(`approval ${id} has still not recorded its message after ${LINE_SETTLE_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
