import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, textOf, type TestWorld } from '../support/world.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { isolate } from '../support/isolation.ts';
import { ephemeralText } from '../support/approvals.ts';

const ops = 'eafix-ops';
let world: TestWorld;
let proxy: TcpProxy;

beforeAll(async () => {
  const real = new URL(isolate('probe').databaseUrl);
  proxy = new TcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
  await proxy.start();
  const viaProxy = new URL(real);
  viaProxy.port = String(proxy.port);
  world = await startWorld('fail_closed', { databaseUrl: viaProxy.toString() });
});
afterAll(async () => {
  proxy?.restore();
  await world?.stop();
  await proxy?.stop();
});

describe('when PostgreSQL is unreachable', () => {
  it('refuses destructive actions, posts no approval, and still answers read-only ones', async () => {
    proxy.cut();
    const before = world.slack.messages(ops).length;
    const seen = world.slack.ephemerals('alice').length;
    await world.driver.command({ user: 'alice', channel: ops, text: 'trading stop --reason "db migration"' });
    await world.slack.waitFor(() => ephemeralText(world, 'alice', seen).includes('Nothing was changed'), {
      description: 'fail-closed reply',
    });
    expect(ephemeralText(world, 'alice', seen)).toContain('audit log (PostgreSQL) is unavailable');
    expect(world.slack.messages(ops).length).toBe(before);

    const help = await world.driver.command({ user: 'alice', channel: ops, text: 'help' });
    expect(textOf(help.body)).toContain('/eafix whoami');
    expect(textOf(help.body)).toContain('recorded in the bot log instead');
  });
});
