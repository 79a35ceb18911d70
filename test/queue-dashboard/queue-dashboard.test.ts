/**
 * Bull Board under /admin/queues on web: 401 without (or with wrong) credentials, the bot's queues with
 * them, read-only unless actions are allowed, 404 when not enabled, and an enabled dashboard without
 * authentication refused at start-up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { parseEnv } from '../../src/config/env.ts';
import { authenticate } from '../../src/queue-dashboard/dashboard-auth.ts';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { startWorld, type TestWorld } from '../support/world.ts';

const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
let world: TestWorld;
let plainWeb: RunningBot;

beforeAll(async () => {
  world = await startWorld('queue-dashboard', {
    role: 'web',
    env: { QUEUE_DASHBOARD: 'true', QUEUE_DASHBOARD_USER: USER, QUEUE_DASHBOARD_PASSWORD: PASSWORD },
  });
  plainWeb = await startBot({
    env: { ...world.env, QUEUE_DASHBOARD: false },
    policy: world.policy,
    logger: createLogger({ level: 'silent' }),
    role: 'web',
    host: '127.0.0.1',
    kubeConfig: world.cluster.kubeConfig(),
  });
});
afterAll(async () => {
  await plainWeb?.stop();
  await world?.stop();
});

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const dashboard = (path: string, init: RequestInit = {}, port = world.bot.port) =>
  fetch(`http://127.0.0.1:${port}/admin/queues${path}`, init);

describe('the queue dashboard', () => {
  it('answers 401 with a Basic challenge without credentials or with wrong ones', async () => {
    for (const headers of [
      {},
      basic(USER, 'wrong password!'),
      basic('admin', PASSWORD),
      { authorization: 'Bearer x' },
    ]) {
      const response = await dashboard('/api/queues', { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Basic');
    }
    expect((await dashboard('')).status).toBe(401);
  });

  it("serves the page and lists the bot's queues with the credentials", async () => {
    const page = await dashboard('', { headers: basic(USER, PASSWORD) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const response = await dashboard('/api/queues', { headers: basic(USER, PASSWORD) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['digests', 'incident-timers', 'runs']);
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('is read-only: actions are refused even with the credentials', async () => {
    for (const path of ['/api/queues/runs/retry/failed', '/api/queues/pause', '/api/queues/runs/clean/completed']) {
      const response = await dashboard(path, { method: 'PUT', headers: basic(USER, PASSWORD) });
      expect(response.status, path).toBe(405);
    }
  });

  it('is not there unless enabled (404), nor on a web role without it', async () => {
    expect((await dashboard('/api/queues', { headers: basic(USER, PASSWORD) }, plainWeb.port)).status).toBe(404);
    expect((await dashboard('', {}, plainWeb.port)).status).toBe(404);
  });

  it('cannot be enabled without authentication', () => {
    const base = {
      SLACK_SIGNING_SECRET: 'x'.repeat(16),
      SLACK_BOT_TOKEN: 'xoxb-1',
      DATABASE_URL: 'postgres://h/d',
      REDIS_URL: 'redis://h',
      EAFIX_CONFIG: 'p.yml',
    };
    expect(() => parseEnv({ ...base, QUEUE_DASHBOARD: 'true' })).toThrow(/QUEUE_DASHBOARD_TRUSTED_HEADER/);
    expect(() => parseEnv({ ...base, QUEUE_DASHBOARD: 'true', QUEUE_DASHBOARD_USER: 'ops' })).toThrow(/go together/);
    expect(
      parseEnv({ ...base, QUEUE_DASHBOARD: 'true', QUEUE_DASHBOARD_TRUSTED_HEADER: 'X-Auth-Request-Email' })
        .QUEUE_DASHBOARD,
    ).toBe(true);
    expect(parseEnv(base).QUEUE_DASHBOARD).toBe(false);
  });
});

describe('behind an authenticating proxy', () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  const auth = { kind: 'trusted-header', header: 'X-Auth-Request-Email' } as const;

  it("lets in only requests carrying the proxy's header", () => {
    expect(authenticate(request({ 'x-auth-request-email': 'alice@eafix.io' }), auth)).toEqual({
      ok: true,
      who: 'alice@eafix.io',
    });
    expect(authenticate(request({}), auth)).toEqual({ ok: false });
    expect(authenticate(request({ 'x-auth-request-email': '' }), auth)).toEqual({ ok: false });
    expect(authenticate(request({ authorization: basic(USER, PASSWORD).authorization }), auth)).toEqual({ ok: false });
  });
});
