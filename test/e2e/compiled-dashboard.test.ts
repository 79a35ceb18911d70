/**
 * The queue dashboard served by `web` started from the compiled build. The bundle holds BullMQ while Bull
 * Board (left in node_modules, with its UI files) loads its own: the bundled queues must still be
 * recognised, listed and counted (test/queue-dashboard/ covers the dashboard's rules on the sources).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCompiledBot, type CompiledBot } from '../support/compiled-bot.ts';
import { startProcessWorld, type ProcessWorld } from '../support/process-world.ts';

const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
let world: ProcessWorld;
let web: CompiledBot | undefined;

beforeAll(async () => {
  world = await startProcessWorld('compiled_dashboard');
  web = await startCompiledBot('web', {
    ...world.env,
    QUEUE_DASHBOARD: 'true',
    QUEUE_DASHBOARD_USER: USER,
    QUEUE_DASHBOARD_PASSWORD: PASSWORD,
  });
}, 600_000);
afterAll(async () => {
  await web?.stop('SIGKILL');
  await world?.stop();
});

describe('the queue dashboard from the compiled build', { timeout: 120_000 }, () => {
  it("serves the page and lists the bot's queues with their counts", async () => {
    const page = await fetch(`http://127.0.0.1:${web!.port}/admin/queues`, { headers: { authorization } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const response = await fetch(`http://127.0.0.1:${web!.port}/admin/queues/api/queues`, {
      headers: { authorization },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['digests', 'incident-timers', 'runs']);
    for (const queue of body.queues) expect(queue.counts).toMatchObject({ waiting: expect.any(Number) });
  });
});
