/**
 * Approval click → first progress post in the thread, and rollback wall time (click → "finished" reply).
 * Baselines, measured in the same rounds: a bare Bolt app that acks the click and posts one thread reply;
 * the simulator's pod-ready time as a client sees it (scale blue 0→3 over the Kubernetes API, poll until ready).
 * The wall time is split into the run (click → the run's end recorded in the bot's database) and the
 * wait of its "finished" reply after that (the outbox paces posts to Slack's per-channel budget).
 * BENCH_APPROVER_MS (0) waits that long after the approval message is posted before clicking.
 */
import pg from 'pg';
import { request } from 'undici';
import { cpuMs, type Subject } from '../lib/processes.ts';
import { interaction, slashCommand } from '../lib/slack-requests.ts';
import { postgresCpuMs } from '../lib/postgres-cpu.ts';
import { summarise, type Summary } from '../lib/stats.ts';
import { DATABASE_URL, type World } from '../lib/world.ts';

export interface ClickResult {
  clickToProgressMs: Summary;
  boltClickToReplyMs: Summary;
  rollbackWallMs: Summary;
  /** Click → the run's end as recorded (runs.finished_at): the run itself, without the reply's delivery. */
  runEndedMs: Summary;
  /** The approval message's post → the click (BENCH_APPROVER_MS and the bench's own latency). */
  approvalToClickMs: Summary;
  podReadyMs: Summary;
  /** PostgreSQL's CPU per round (the click, the run, its messages and audit rows), when it runs on this machine. */
  postgresCpuMsPerRound?: number;
  /** The cluster simulator's CPU per second of the first quiet wait, before any round: its idle cost. */
  clusterIdleCpuMsPerS?: number;
}

/** Environments the rollback rounds use, one per round (a rollback leaves its environment on blue). */
export const rollbackEnvironments = (rounds: number) =>
  Array.from({ length: rounds }, (_, i) => `rb-${String(i + 1).padStart(2, '0')}`);
export const POD_READY_ENVIRONMENT = 'podready';
const BASELINE_CHANNEL = 'security';
const QUIET_CHANNEL_MS = 3_000;
const APPROVER_MS = Number(process.env.BENCH_APPROVER_MS ?? 0);

/** When the bot's database recorded the run's end, ms epoch (the same machine's clock as the bench's). */
async function runEndedAt(db: pg.Client, schema: string, runId: string): Promise<number> {
  const res = await db.query<{ ms: string }>(
    `SELECT extract(epoch FROM finished_at) * 1000 AS ms FROM ${schema}.runs WHERE id = $1`,
    [runId],
  );
  const ms = Number(res.rows[0]?.ms);
  if (!Number.isFinite(ms)) throw new Error(`run ${runId} has no recorded end`);
  return ms;
}

/** The cluster simulator's CPU so far, in ms (undefined where /proc cannot tell). */
function clusterCpuMs(world: World): number | undefined {
  try {
    return world.clusterPid === undefined ? undefined : cpuMs(world.clusterPid);
  } catch {
    return undefined;
  }
}

/** When the emulator saw the approval message posted, ms epoch. */
async function approvalPostedAt(world: World, ts: string, since: number): Promise<number> {
  const calls = await world.control<Array<{ method: string; at: number; ts?: string; text: string }>>('/calls', {
    since,
  });
  const posted = calls.find((c) => c.method === 'chat.postMessage' && c.text.startsWith('Approval'));
  if (!posted) throw new Error(`no approval post ${ts} among the Slack calls`);
  return posted.at;
}

async function post(subject: Subject, body: { body: string; headers: Record<string, string> }): Promise<void> {
  const res = await request(`${subject.url}/slack/events`, { method: 'POST', ...body });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${subject.name} answered ${res.statusCode}`);
}

interface DeploymentWire {
  metadata: { generation: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number };
}

async function kube(world: World, method: 'GET' | 'PATCH', path: string, body?: unknown): Promise<DeploymentWire> {
  const res = await request(`${world.info.clusterUrl}${path}`, {
    method,
    ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/merge-patch+json' } } : {}),
  });
  const json = (await res.body.json()) as DeploymentWire;
  if (res.statusCode >= 300) throw new Error(`kubernetes ${method} ${path}: ${res.statusCode} ${JSON.stringify(json)}`);
  return json;
}

/** Scale blue in the pod-ready namespace to `replicas` and poll (10 ms) until the rollout is complete. */
async function scaleAndWait(world: World, replicas: number): Promise<number> {
  const path = `/apis/apps/v1/namespaces/eafix-${POD_READY_ENVIRONMENT}/deployments/eafix-blue`;
  const started = performance.now();
  await kube(world, 'PATCH', `${path}/scale`, { spec: { replicas } });
  for (;;) {
    const d = await kube(world, 'GET', path);
    const s = d.status ?? {};
    if (
      (s.observedGeneration ?? 0) >= d.metadata.generation &&
      (s.updatedReplicas ?? 0) === replicas &&
      (s.readyReplicas ?? 0) === replicas &&
      (s.replicas ?? 0) === replicas
    ) {
      return performance.now() - started;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** BENCH_TRACE=1: the bot's Slack calls from the click on, ms after it (where the time of a round goes). */
async function traceCalls(world: World, since: number): Promise<void> {
  const calls = await world.control<
    Array<{ method: string; at: number; status: number; channel?: string; text: string }>
  >('/calls', { since: since - 2_000 });
  const kube = await world.control<Array<{ method: string; at: number; status: number; path: string; watch?: string }>>(
    '/kube-calls',
    { since: since - 2_000 },
  );
  const lines = [
    ...calls.map((c) => ({
      at: c.at,
      line: `slack ${c.method} ${c.status} ${c.channel ?? ''} ${c.text.split('\n')[0]}`,
    })),
    ...kube.map((k) => ({ at: k.at, line: `kube  ${k.method} ${k.status} ${k.path}${k.watch ? ' (watch)' : ''}` })),
  ].sort((a, b) => a.at - b.at);
  for (const l of lines) console.log(`    ${String(l.at - since).padStart(6)} ms ${l.line}`);
}

export async function clickScenario(world: World, bot: Subject, bolt: Subject, rounds: number): Promise<ClickResult> {
  const channel = 'eafix-ops';
  const progress: number[] = [];
  const wall: number[] = [];
  const boltReply: number[] = [];
  const podReady: number[] = [];
  const runEnded: number[] = [];
  const approvalToClick: number[] = [];
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const cpuBefore = await postgresCpuMs();
  let cpuAfter: number | undefined;
  let clusterIdleCpuMsPerS: number | undefined;
  try {
    for (const env of rollbackEnvironments(rounds)) {
      // Each round starts in a quiet channel: the last round's posts have given back Slack's per-channel
      // budget (1/s with a short burst), as for someone running one rollback, not one a second.
      const idleFrom = clusterIdleCpuMsPerS === undefined ? clusterCpuMs(world) : undefined;
      await new Promise((r) => setTimeout(r, QUIET_CHANNEL_MS));
      const idleTo = idleFrom === undefined ? undefined : clusterCpuMs(world);
      if (idleFrom !== undefined && idleTo !== undefined)
        clusterIdleCpuMsPerS = (idleTo - idleFrom) / (QUIET_CHANNEL_MS / 1_000);
      const commandAt = Date.now();
      await post(bot, slashCommand(world.ws, `rollback --environment=${env} --reason "bench ${env}"`, 'dave'));
      const approval = await world.control<{ ts: string }>('/wait-message', {
        channel,
        includes: ['Approval', `in ${env}`],
      });
      const click = await world.control<Record<string, unknown>>('/click-payload', {
        user: 'bob',
        channel,
        messageTs: approval.ts,
        actionId: 'approval:approve',
      });
      const postedAt = await approvalPostedAt(world, approval.ts, commandAt);
      if (APPROVER_MS > 0) await new Promise((r) => setTimeout(r, Math.max(0, postedAt + APPROVER_MS - Date.now())));
      const started = performance.now();
      const clickedAt = Date.now();
      approvalToClick.push(clickedAt - postedAt);
      await post(bot, interaction(world.ws, click));
      await world.control('/wait-message', { channel, threadTs: approval.ts, includes: ['run_'] });
      progress.push(performance.now() - started);
      const finished = await world.control<{ text: string }>('/wait-message', {
        channel,
        threadTs: approval.ts,
        includes: [':white_check_mark:', 'finished'],
        timeoutMs: 180_000,
      });
      wall.push(performance.now() - started);
      const runId = /run_[0-9a-f]+/.exec(finished.text)?.[0];
      if (!runId) throw new Error(`no run id in the finished reply: ${finished.text}`);
      runEnded.push((await runEndedAt(db, world.schema, runId)) - clickedAt);
      if (process.env.BENCH_TRACE === '1') {
        await traceCalls(world, clickedAt);
        // The status message's last edit (edits are spaced) has each step's duration.
        const status = await world.control<{ blockTexts: string[] }>('/wait-message', {
          channel,
          threadTs: approval.ts,
          includes: ['run_', 'succeeded'],
          timeoutMs: 30_000,
        });
        console.log(`    steps: ${status.blockTexts.join('\n').split('\n').slice(1).join('\n           ')}`);
      }

      // Its own channel: chat.postMessage is limited per channel, and the bot's posts must not slow the baseline.
      const button = await world.control<{ ts: string }>('/post-button', {
        channel: BASELINE_CHANNEL,
        actionId: 'approval:approve',
        text: `bench baseline ${env}`,
      });
      const boltClick = await world.control<Record<string, unknown>>('/click-payload', {
        user: 'bob',
        channel: BASELINE_CHANNEL,
        messageTs: button.ts,
        actionId: 'approval:approve',
      });
      const boltStarted = performance.now();
      await post(bolt, interaction(world.ws, boltClick));
      await world.control('/wait-message', {
        channel: BASELINE_CHANNEL,
        threadTs: button.ts,
        includes: ['baseline progress'],
      });
      boltReply.push(performance.now() - boltStarted);

      podReady.push(await scaleAndWait(world, 3));
      await scaleAndWait(world, 0);
    }
    cpuAfter = await postgresCpuMs();
  } finally {
    await db.end();
  }
  return {
    clickToProgressMs: summarise(progress),
    boltClickToReplyMs: summarise(boltReply),
    rollbackWallMs: summarise(wall),
    runEndedMs: summarise(runEnded),
    approvalToClickMs: summarise(approvalToClick),
    podReadyMs: summarise(podReady),
    ...(cpuBefore !== undefined && cpuAfter !== undefined
      ? { postgresCpuMsPerRound: (cpuAfter - cpuBefore) / rounds }
      : {}),
    ...(clusterIdleCpuMsPerS !== undefined ? { clusterIdleCpuMsPerS } : {}),
  };
}
