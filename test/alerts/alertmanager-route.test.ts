/**
 * POST /alertmanager: refused without a configured token (fail closed), with a wrong one, or with input
 * that is not an Alertmanager v4 payload (4xx, which Alertmanager does not retry); a valid delivery
 * reaches the intake and is answered 200.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { alertmanagerRoute } from '../../src/alerts/alertmanager-route.ts';
import type { AlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import { createLogger } from '../../src/logger.ts';
import { alertmanagerPayload } from './alertmanager-payloads.ts';

const TOKEN = 'alertmanager-test-token-0123456789';
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(token: string | undefined) {
  const received: AlertmanagerPayload[] = [];
  const route = alertmanagerRoute({
    token,
    logger: createLogger({ level: 'silent' }),
    intake: {
      receive: async (payload) => {
        received.push(payload);
        return { group: 'g1', news: payload.alerts.length };
      },
    },
  });
  server = createServer((req, res) => void route.handle(req, res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alertmanager`;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { received, post, url };
}

const valid = alertmanagerPayload([{ name: 'high_error_rate', fingerprint: 'a1b2c3d4e5f60718' }]);

describe('POST /alertmanager', () => {
  it('refuses every delivery while ALERTMANAGER_TOKEN is not set', async () => {
    const { post, received } = await serve(undefined);
    const response = await post(valid);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'alert_intake_not_configured' });
    expect(received).toHaveLength(0);
  });

  it('refuses a missing or wrong bearer token', async () => {
    const { post, received } = await serve(TOKEN);
    expect((await post(valid, { authorization: '' })).status).toBe(401);
    expect((await post(valid, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await post(valid, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect(received).toHaveLength(0);
  });

  it('answers 4xx, saying what is wrong, to what is not an Alertmanager v4 payload', async () => {
    const { post, received, url } = await serve(TOKEN);
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    expect((await post('{not json')).status).toBe(400);
    expect((await post(valid, { 'content-type': 'text/plain' })).status).toBe(415);
    const v3 = await post({ ...valid, version: '3' });
    expect(v3.status).toBe(400);
    expect(JSON.stringify(await v3.json())).toContain('only version 4');
    const noAlerts = await post({ ...valid, alerts: [] });
    expect(noAlerts.status).toBe(400);
    const alerts = (valid.alerts as Record<string, unknown>[]).map((a) => ({ ...a, fingerprint: 'not hex!' }));
    const badFingerprint = await post({ ...valid, alerts });
    expect(JSON.stringify(await badFingerprint.json())).toContain('alerts.0.fingerprint');
    const unnamed = (valid.alerts as Record<string, unknown>[]).map((a) => ({
      ...a,
      labels: { severity: 'critical' },
    }));
    expect((await post({ ...valid, alerts: unnamed })).status).toBe(400);
    expect((await post('x'.repeat(2 * 1024 * 1024 + 1))).status).toBe(413);
    expect(received).toHaveLength(0);
  });

  it('hands a valid delivery to the intake and answers 200', async () => {
    const { post, received } = await serve(TOKEN);
    const response = await post(valid);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', group: 'g1', news: 1 });
    expect(received[0]?.groupKey).toBe(valid.groupKey);
    expect(received[0]?.alerts[0]?.labels.alertname).toBe('high_error_rate');
  });
});
