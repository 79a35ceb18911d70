import type { SandboxWorld } from './sandbox-world.ts';

/** BullMQ scores a delayed job `timestamp * 0x1000 + counter`: anything at or below this is due now. */
const dueScore = (now: number) => now * 0x1000 + 0xfff;

/**
 * What the bot is still doing on behalf of earlier console lines: Slack requests being handled, runs
 * queued or running, jobs waiting, running or overdue in any queue, war rooms being set up, and Slack
 * deliveries still in the outbox. Each entry says what, for the timeout message.
 */
export interface Busy {
  /** Requests and war rooms are what a console line waits for; `wait` waits for everything. */
  kind: 'request' | 'war-room' | 'run' | 'job' | 'outbox';
  text: string;
}

export async function workInFlight(world: SandboxWorld, now = Date.now()): Promise<Busy[]> {
  const busy: Busy[] = [];
  const requests = world.bot.requestsInFlight();
  if (requests > 0) busy.push({ kind: 'request', text: `${requests} Slack request(s) being handled` });

  const pool = world.bot.pool;
  const runs = await pool.query<{ id: string; kind: string; status: string }>(
    `SELECT id, kind, status FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at`,
  );
  for (const run of runs.rows) busy.push({ kind: 'run', text: `run ${run.id} (${run.kind}) is ${run.status}` });

  const rooms = await pool.query<{ id: string }>(
    `SELECT id FROM incidents WHERE status <> 'resolved' AND NOT setup ? 'announced'`,
  );
  for (const room of rooms.rows) busy.push({ kind: 'war-room', text: `the war room of ${room.id} is being set up` });

  // A row stays 'pending' until every version of it is in Slack (edits re-open a delivered row), so it
  // covers both new posts and edits; failed and expired rows are given up on (migrations/007).
  const outbox = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM slack_outbox WHERE state = 'pending'`);
  const pending = outbox.rows[0]?.n ?? 0;
  if (pending > 0) busy.push({ kind: 'outbox', text: `${pending} Slack delivery(ies) in the outbox` });

  const redis = world.bot.redis;
  const prefix = world.env.REDIS_PREFIX;
  const queues = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*:meta`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) queues.add(key.slice(prefix.length + 1, -':meta'.length));
  } while (cursor !== '0');
  for (const queue of queues) {
    const base = `${prefix}:${queue}`;
    const [waiting, active, prioritized, due] = await Promise.all([
      redis.llen(`${base}:wait`),
      redis.llen(`${base}:active`),
      redis.zcard(`${base}:prioritized`),
      redis.zcount(`${base}:delayed`, '-inf', dueScore(now)),
    ]);
    const jobs = waiting + active + prioritized + due;
    if (jobs > 0) busy.push({ kind: 'job', text: `${jobs} job(s) in the ${queue} queue` });
  }
  return busy;
}
