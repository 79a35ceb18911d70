import { createLogger, type Logger } from '../../src/logger.ts';
import type { EmuMessage } from '@eafix/sandbox/slack';
import type { DriverResponse } from '@eafix/sandbox/slack';
import type { TestWorld } from './world.ts';

/** A logger that keeps every line, so a test can assert that no listener threw and no ack came late. */
export function recordingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}

/** Log lines that mean a request escaped the gate's protection: a listener threw or the safety-net ack fired. */
export const trouble = (lines: Array<Record<string, unknown>>) =>
  lines.filter((l) =>
    [
      'bolt listener error',
      'unhandled error while processing a Slack request',
      'no acknowledgement within the deadline; acknowledging empty',
      'unexpected error',
    ].includes(String(l.msg)),
  );

export async function auditRows(world: TestWorld, action: string): Promise<Array<Record<string, unknown>>> {
  const result = await world.bot.pool.query(
    'SELECT request_id, team_id, user_id, action, arguments, outcome, detail FROM audit_log WHERE action = $1 ORDER BY id',
    [action],
  );
  return result.rows;
}

/** The fields of a signed `/eafix` request as Slack sends them; override any to forge one. */
export function commandFields(
  world: TestWorld,
  user: string,
  channel: string,
  text: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const userId = world.slack.userId(user);
  const channelId = world.slack.channelId(channel);
  return {
    token: world.driver.verificationToken,
    team_id: world.slack.teamId,
    team_domain: 'eafix',
    channel_id: channelId,
    channel_name: channel,
    user_id: userId,
    user_name: user,
    command: '/eafix',
    text,
    api_app_id: world.slack.appId,
    is_enterprise_install: 'false',
    response_url: world.slack.issueResponseUrl({ channel: channelId, user: userId }),
    trigger_id: world.slack.issueTriggerId(userId),
    ...overrides,
  };
}

export function sendForm(world: TestWorld, fields: Record<string, string>): Promise<DriverResponse> {
  return world.driver.rawPost({
    body: new URLSearchParams(fields).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
}

export function sendPayload(world: TestWorld, payload: unknown): Promise<DriverResponse> {
  return world.driver.rawPost({
    body: `payload=${encodeURIComponent(JSON.stringify(payload))}`,
    contentType: 'application/x-www-form-urlencoded',
  });
}

/**
 * A button click on a message as the clicker's client shows it (possibly stale, possibly altered):
 * the blocks come from the snapshot, and the clicked button's value or block id can be overridden.
 */
export function clickPayload(
  world: TestWorld,
  input: {
    user: string;
    channel: string;
    message: Pick<EmuMessage, 'ts' | 'blocks'>;
    actionId: string;
    value?: string;
    blockId?: string;
    ephemeral?: boolean;
  },
): Record<string, unknown> {
  const userId = world.slack.userId(input.user);
  const channelId = world.slack.channelId(input.channel);
  type Element = { action_id?: string; value?: string };
  const blocks = (input.message.blocks ?? []) as Array<{
    block_id?: string;
    elements?: Element[];
    accessory?: Element;
  }>;
  const buttons = (b: (typeof blocks)[number]) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])];
  const block = blocks.find((b) => buttons(b).some((e) => e.action_id === input.actionId));
  const element = block && buttons(block).find((e) => e.action_id === input.actionId);
  return {
    type: 'block_actions',
    user: { id: userId, username: input.user, name: input.user, team_id: world.slack.teamId },
    api_app_id: world.slack.appId,
    token: world.driver.verificationToken,
    trigger_id: world.slack.issueTriggerId(userId),
    team: { id: world.slack.teamId, domain: 'eafix' },
    enterprise: null,
    is_enterprise_install: false,
    container: {
      type: 'message',
      message_ts: input.message.ts,
      channel_id: channelId,
      is_ephemeral: input.ephemeral === true,
    },
    channel: { id: channelId, name: input.channel },
    // Slack sends the message with clicks on channel messages, not on ephemerals.
    ...(input.ephemeral ? {} : { message: input.message }),
    state: { values: {} },
    response_url: world.slack.issueResponseUrl({ channel: channelId, user: userId, messageTs: input.message.ts }),
    actions: [
      {
        action_id: input.actionId,
        block_id: input.blockId ?? block?.block_id ?? '',
        value: input.value ?? element?.value,
        type: 'button',
        text: { type: 'plain_text', text: 'Approve' },
        action_ts: '1700000000.000001',
      },
    ],
  };
}
