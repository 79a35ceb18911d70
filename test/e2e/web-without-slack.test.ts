/**
 * `web` started from the compiled build while Slack is unreachable: it does not crash-loop. It stays up
 * (liveness passes), reports not-ready with the reason, logs each failed try as a structured record (no
 * bare stack trace on its output), keeps retrying, and serves Slack once Slack answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logRecords, startCompiledBot, type CompiledBot } from '../support/compiled-bot.ts';
import { startProcessWorld, type ProcessWorld } from '../support/process-world.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { eventually } from '../support/eventually.ts';

let world: ProcessWorld;
let proxy: TcpProxy;
const bots: CompiledBot[] = [];

beforeAll(async () => {
  world = await startProcessWorld('web_without_slack');
  const slackApi = new URL(world.env.SLACK_API_URL!);
  proxy = new TcpProxy({ host: slackApi.hostname, port: Number(slackApi.port) });
  await proxy.start();
});
afterAll(async () => {
  await Promise.all(bots.map((bot) => bot.stop('SIGKILL')));
  await proxy?.stop();
  await world?.stop();
});

/** Slack's API through the proxy, which the test cuts and restores. */
function viaProxy(): string {
  const url = new URL(world.env.SLACK_API_URL!);
  url.port = String(proxy.port);
  return url.toString();
}

const authFailures = (bot: CompiledBot) => logRecords(bot).filter((r) => r.msg === 'slack auth.test failed; retrying');

async function readiness(bot: CompiledBot) {
  const response = await fetch(`http://127.0.0.1:${bot.port}/readyz`);
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
}

describe('web started while Slack is unreachable', { timeout: 300_000 }, () => {
  it('stays up, reports not-ready with a structured error, keeps retrying, and serves once Slack is back', async () => {
    proxy.cut();
    const web = await startCompiledBot('web', { ...world.env, SLACK_API_URL: viaProxy() }, { waitUntil: 'listening' });
    bots.push(web);

    const notReady = await readiness(web);
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks).toMatchObject({ postgres: 'ok', redis: 'ok' });
    expect(notReady.body.checks.slack).toMatch(/auth\.test has not succeeded \(\d+ tries, last: .+\); retrying/);
    // Alive for the liveness probe: the kubelet has no reason to restart it.
    expect((await fetch(`http://127.0.0.1:${web.port}/healthz`)).status).toBe(200);

    // It tries again (with backoff) rather than exiting.
    await eventually(async () => authFailures(web).length >= 2, 'a second auth.test try', 120_000);
    expect(web.child.exitCode).toBeNull();
    const failure = authFailures(web)[0]!;
    expect(failure).toMatchObject({ level: 40, failures: 1, retryInMs: expect.any(Number) });
    expect(failure.err).toMatchObject({ type: expect.any(String), message: expect.any(String) });
    // Every line it wrote is a JSON log record: no unstructured stack on stdout or stderr.
    expect(logRecords(web).filter((r) => 'line' in r)).toEqual([]);
    expect(logRecords(web).some((r) => r.level === 60)).toBe(false);

    proxy.restore();
    await eventually(async () => (await readiness(web)).status === 200, 'ready once Slack answers', 120_000);
    // The record reaches this process's end of the pipe a moment after the probe's answer.
    await eventually(
      async () => logRecords(web).some((r) => r.msg === 'slack authentication ok'),
      'the success logged',
    );
    const seen = world.slack.ephemerals('carol').length;
    await world.driverFor(web).command({ user: 'carol', channel: 'eafix-ops', text: 'help' });
    await world.slack.waitFor(() => world.slack.ephemerals('carol').length > seen, {
      description: 'help answered',
      timeoutMs: 60_000,
    });
  });

  // The emulator has no Socket Mode server: this shows the retrying side only.
  it('in Socket Mode, stays up and keeps trying to open the socket instead of exiting', async () => {
    proxy.cut();
    const web = await startCompiledBot(
      'web',
      { ...world.env, SLACK_API_URL: viaProxy(), SLACK_APP_TOKEN: 'xapp-1-A0SANDBOX-0000-sandbox' },
      { waitUntil: 'listening', name: 'socket-mode-web' },
    );
    bots.push(web);
    const socketFailures = () => logRecords(web).filter((r) => r.msg === 'slack socket mode failed; retrying');
    await eventually(async () => socketFailures().length >= 2, 'a second try to open the socket', 120_000);
    expect(web.child.exitCode).toBeNull();
    const notReady = await readiness(web);
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.socketMode).toMatch(/socket mode not connected \(\d+ tries, last: .+\); retrying/);
    expect((await fetch(`http://127.0.0.1:${web.port}/healthz`)).status).toBe(200);
    expect(socketFailures()[0]!.err).toMatchObject({ type: expect.any(String), message: expect.any(String) });
    expect(logRecords(web).filter((r) => 'line' in r)).toEqual([]);
    expect(logRecords(web).some((r) => r.level === 60)).toBe(false);
  });
});
