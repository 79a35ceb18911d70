/**
 * The pieces behind /metrics that the rollback test cannot reach: Slack 429s counted by method from
 * whichever client got them, request labels bounded, and audit rows counted once with their outcome.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { createBotMetrics } from '../../src/metrics/bot-metrics.ts';
import { MeteredAuditLog } from '../../src/metrics/metered-audit-log.ts';
import { countSlackRateLimits } from '../../src/metrics/slack-rate-limits.ts';
import { slackRequestLabels } from '../../src/metrics/slack-request-labels.ts';
import { MemoryAuditLog } from '../support/memory-audit-log.ts';
import { parsePrometheusText, valueOf } from './prometheus-text.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

const samplesOf = async (metrics: ReturnType<typeof createBotMetrics>) =>
  parsePrometheusText(await metrics.registry.metrics());

describe('Slack 429s', () => {
  it('are counted by Web API method for the Slack API origin only', async () => {
    server = createServer((req, res) => {
      if (req.url?.includes('chat.update'))
        res
          .writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
          .end('{"ok":false,"error":"ratelimited"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    const metrics = createBotMetrics('test');
    const stop = countSlackRateLimits(metrics, apiUrl);
    try {
      const client = new WebClient('xoxb-test', {
        slackApiUrl: apiUrl,
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
      });
      await expect(client.chat.update({ channel: 'C1', ts: '1', text: 'x' })).rejects.toThrow();
      await expect(client.chat.update({ channel: 'C1', ts: '1', text: 'x' })).rejects.toThrow();
      await client.chat.postMessage({ channel: 'C1', text: 'x' });
      // Another origin's 429 is not Slack's.
      await fetch(`http://localhost:${(server.address() as AddressInfo).port}/api/chat.update`, { method: 'POST' });
    } finally {
      stop();
    }
    const samples = await samplesOf(metrics);
    expect(valueOf(samples, 'eafix_chatops_slack_rate_limited_total', { method: 'chat.update' })).toBe(2);
    expect(valueOf(samples, 'eafix_chatops_slack_rate_limited_total', { method: 'chat.postMessage' })).toBeUndefined();
  });
});

describe('ack labels', () => {
  const resolve = (words: string[]) =>
    words[0] === 'rollback'
      ? 'rollback'
      : words.slice(0, 2).join(' ') === 'incident create'
        ? 'incident create'
        : undefined;

  it('name the action for commands, the button for clicks (without item indexes), the modal and the event', () => {
    expect(slackRequestLabels({ command: '/eafix', text: 'rollback --reason "x"' }, resolve)).toEqual({
      surface: 'command',
      action: 'rollback',
    });
    expect(slackRequestLabels({ command: '/eafix', text: 'incident create --title x' }, resolve)).toEqual({
      surface: 'command',
      action: 'incident create',
    });
    expect(slackRequestLabels({ command: '/eafix', text: 'rm -rf /' }, resolve)).toEqual({
      surface: 'command',
      action: 'unknown',
    });
    expect(slackRequestLabels({ command: '/eafix', text: '' }, resolve)).toEqual({
      surface: 'command',
      action: 'help',
    });
    expect(
      slackRequestLabels({ type: 'block_actions', actions: [{ action_id: 'incident:phase:3' }] }, resolve),
    ).toEqual({ surface: 'click', action: 'incident:phase' });
    expect(
      slackRequestLabels({ type: 'block_actions', actions: [{ action_id: '<script>'.repeat(20) }] }, resolve),
    ).toEqual({ surface: 'click', action: 'other' });
    expect(
      slackRequestLabels({ type: 'view_submission', view: { callback_id: 'approval:reject-reason' } }, resolve),
    ).toEqual({ surface: 'modal', action: 'approval:reject-reason' });
    expect(slackRequestLabels({ type: 'event_callback', event: { type: 'app_home_opened' } }, resolve)).toEqual({
      surface: 'event',
      action: 'app_home_opened',
    });
  });
});

describe('audit-derived counters', () => {
  it('count each command once with its outcome class, and every approval event by state', async () => {
    const metrics = createBotMetrics('test');
    const audit = new MeteredAuditLog(new MemoryAuditLog(), metrics, (a) =>
      ['rollback', 'status', 'unknown'].includes(a),
    );
    const row = { requestId: 'req_1', userId: 'U1' };
    await audit.record({ ...row, action: 'rollback', outcome: 'started' });
    await audit.record({ ...row, action: 'rollback', outcome: 'ok' });
    await audit.record({ ...row, action: 'status', outcome: 'rejected:not_authorised' });
    await audit.record({ ...row, action: 'approval.requested', outcome: 'ok' });
    await audit.record({ ...row, action: 'approval.expired', outcome: 'ok' });
    await audit.record({ ...row, action: 'slack.replay-refused', outcome: 'refused' });
    const samples = await samplesOf(metrics);
    expect(valueOf(samples, 'eafix_chatops_commands_total', { action: 'rollback', outcome: 'ok' })).toBe(1);
    expect(valueOf(samples, 'eafix_chatops_commands_total', { action: 'rollback' })).toBe(1);
    expect(valueOf(samples, 'eafix_chatops_commands_total', { action: 'status', outcome: 'rejected' })).toBe(1);
    expect(valueOf(samples, 'eafix_chatops_commands_total', { action: 'slack.replay-refused' })).toBeUndefined();
    expect(valueOf(samples, 'eafix_chatops_approvals_total', { state: 'requested' })).toBe(1);
    expect(valueOf(samples, 'eafix_chatops_approvals_total', { state: 'expired' })).toBe(1);
    expect((await audit.since(new Date(0))).length).toBe(6);
  });
});
