/**
 * A `web` process stopped (SIGTERM) while a command it has acknowledged is still being answered: the
 * answer still reaches the person (a rolling update must not swallow replies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCompiledBot, type CompiledBot } from '../support/compiled-bot.ts';
import { startProcessWorld, type ProcessWorld } from '../support/process-world.ts';
import { textOf } from '../support/world.ts';

let world: ProcessWorld;
let web: CompiledBot;

beforeAll(async () => {
  world = await startProcessWorld('web_drain');
  web = await startCompiledBot('web', world.env, { name: 'web' });
}, 600_000);
afterAll(async () => {
  await web?.stop('SIGKILL');
  await world?.stop();
});

describe('web stopped mid-answer', { timeout: 300_000 }, () => {
  it('finishes answering an acknowledged command before it exits', async () => {
    // Prometheus answers after the inline budget: the command is acknowledged with "Working on…" first.
    world.prometheus.setLatency(2_500);
    const seen = world.slack.ephemerals('carol').length;
    const ack = await world.driverFor(web).command({
      user: 'carol',
      channel: 'eafix-ops',
      text: 'kpis --environment=production',
    });
    expect(textOf(ack.body)).toContain('Working on');
    expect(await web.stop('SIGTERM')).toBe(0);
    const answers = world.slack
      .ephemerals('carol')
      .slice(seen)
      .map((e) => `${e.text} ${JSON.stringify(e.blocks ?? [])}`);
    expect(answers.some((a) => a.includes('EAFIX KPIs — production'))).toBe(true);
  });
});
