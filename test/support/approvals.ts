import { eventually } from './eventually.ts';
import { expect } from 'vitest';
import type { TestWorld } from './world.ts';
import type { EmuMessage } from '@eafix/sandbox/slack';

/**
 * The latest approval message in the channel, once the bot has recorded it on its request (it reaches
 * Slack through the outbox a moment before its ts is recorded; a click in between is refused).
 */
export async function approvalMessageIn(world: TestWorld, channel: string, after = '0'): Promise<EmuMessage> {
  const message = await world.slack.waitFor(
    (emu) =>
      emu
        .messages(channel)
        .filter((m) => m.ts > after && m.text.includes('Approval'))
        .at(-1),
    { description: `an approval message in #${channel}` },
  );
  const id = /apr_[0-9a-f]{12}/.exec(JSON.stringify(message.blocks))?.[0];
  if (id) {
    await eventually(async () => {
      const result = await world.bot.pool.query<{ message_ts: string | null }>(
        'SELECT message_ts FROM approval_requests WHERE id = $1',
        [id],
      );
      return result.rows[0]?.message_ts === message.ts || undefined;
    }, `approval ${id} to record its message`);
  }
  return message;
}

export function requestIdOf(message: EmuMessage): string {
  const match = /apr_[0-9a-f]{12}/.exec(JSON.stringify(message.blocks));
  expect(match).not.toBeNull();
  return match![0];
}

export async function approvalStatus(world: TestWorld, id: string): Promise<string> {
  const result = await world.bot.pool.query<{ status: string }>('SELECT status FROM approval_requests WHERE id = $1', [
    id,
  ]);
  return result.rows[0]?.status ?? 'missing';
}

export async function tradingState(world: TestWorld): Promise<unknown> {
  const result = await world.bot.pool.query<{ value: unknown }>(
    `SELECT value FROM platform_state WHERE key = 'trading'`,
  );
  return result.rows[0]?.value ?? { state: 'running' };
}

/** Ephemerals the bot sent a user after an index, joined as text. */
export function ephemeralText(world: TestWorld, user: string, from = 0): string {
  return world.slack
    .ephemerals(user)
    .slice(from)
    .map((e) => `${e.text} ${JSON.stringify(e.blocks ?? [])}`)
    .join('\n');
}
