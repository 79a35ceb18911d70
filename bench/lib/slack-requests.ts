/** Requests as Slack sends them: signed, each with its own trigger_id, for the emulator's workspace. */
import { createHmac, randomBytes } from 'node:crypto';

export interface Workspace {
  signingSecret: string;
  teamId: string;
  appId: string;
  slackUrl: string;
  channels: Record<string, string>;
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

let triggers = 0;
/** Unique like Slack's (`<digits>.<digits>.<hex>`): replay protection sees every request as new. */
export function triggerId(): string {
  triggers += 1;
  return `${Date.now()}.${process.pid}${triggers}.${randomBytes(8).toString('hex')}`;
}

export function signed(signingSecret: string, body: string): SignedRequest {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
  };
}

const users: Record<string, string> = { alice: 'U0ALICE', bob: 'U0BOB', carol: 'U0CAROL', dave: 'U0DAVE' };

export function slashCommand(ws: Workspace, text: string, user: string, channel = 'eafix-ops'): SignedRequest {
  const body = new URLSearchParams({
    token: 'sandbox-verification-token',
    team_id: ws.teamId,
    team_domain: 'eafix',
    channel_id: ws.channels[channel] ?? channel,
    channel_name: channel,
    user_id: users[user] ?? user,
    user_name: user,
    command: '/eafix',
    text,
    api_app_id: ws.appId,
    is_enterprise_install: 'false',
    response_url: `${ws.slackUrl}/response/bench-${randomBytes(6).toString('hex')}`,
    trigger_id: triggerId(),
  }).toString();
  return signed(ws.signingSecret, body);
}

export function interaction(ws: Workspace, payload: Record<string, unknown>): SignedRequest {
  return signed(
    ws.signingSecret,
    new URLSearchParams({ payload: JSON.stringify({ ...payload, trigger_id: triggerId() }) }).toString(),
  );
}
