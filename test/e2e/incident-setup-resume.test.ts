import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warRoomName } from '../../src/handlers/incidents/incident-naming.ts';
import { startWorld, type TestWorld } from '../support/world.ts';
import { eventually } from '../support/eventually.ts';
import { incidentTitled, messagesWith } from '../support/incidents.ts';
import { runEnded, runStep } from '../support/runs.ts';
import { workerHandover } from '../support/worker-handover.ts';
import { kill } from '../support/worker-process.ts';

let world: TestWorld;
const workers = workerHandover(() => world);

beforeAll(async () => {
  // Web only: the war room is set up by worker processes the test starts and kills.
  world = await startWorld('incident_setup_resume', { role: 'web' });
});
afterAll(async () => {
  await workers.stop();
  await world?.stop();
});

const setupRun = async (incidentTitle: string) =>
  (
    await world.bot.pool.query(
      `SELECT r.id, r.status, r.resumed_count FROM runs r JOIN incidents i ON r.input->>'id' = i.id WHERE r.kind = 'incident setup' AND i.title = $1`,
      [incidentTitle],
    )
  ).rows[0] as { id: string; status: string; resumed_count: number } | undefined;

describe('war-room set-up survives its worker', { timeout: 300_000 }, () => {
  it('resumes on another worker after a SIGKILL mid-set-up, with one channel, one pinned template and one announcement', async () => {
    const first = await workers.startProcess();
    // Invitations fail upstream until lifted: the set-up is held inside its invite step.
    const lift = world.slack.injectFailure({ kind: 'http-5xx', method: 'conversations.invite' });
    const title = 'Worker dies while the war room is set up';
    await world.driver.command({
      user: 'alice',
      channel: 'eafix-ops',
      text: `incident create --title "${title}" --severity high --type ops`,
    });
    const run = await eventually(() => setupRun(title), 'the set-up run');
    await eventually(
      async () => (await runStep(world, run.id, 'invite'))?.status === 'running',
      'the invite step to start',
      60_000,
    );
    await kill(first);
    lift();

    await workers.startSuccessor();
    const incident = await incidentTitled(world, title);
    const finished = await runEnded(world, run.id, 120_000);
    expect(finished).toMatchObject({ id: run.id, status: 'succeeded' });
    expect(finished.resumed_count).toBeGreaterThanOrEqual(1);
    // The steps done before the crash were not done again.
    const rooms = [...world.slack.state.channels.values()].filter((c) =>
      c.name.startsWith(warRoomName('inc', incident.id)),
    );
    expect(rooms.map((c) => c.id)).toEqual([incident.channelId]);
    expect(world.slack.state.pins.get(incident.channelId!)).toHaveLength(1);
    expect(world.slack.messages(incident.channelId!).filter((m) => m.ts === incident.templateTs)).toHaveLength(1);
    expect(messagesWith(world, world.slack.channelId('eafix-incidents'), `${incident.id} declared`)).toHaveLength(1);
    expect(world.slack.state.channels.get(incident.channelId!)?.members).toContain('U0ALICE');
  });
});
