/**
 * Approval click → first progress post in the thread, and rollback wall time (click → "finished" reply).
 * Baselines, measured in the same rounds: a bare Bolt app that acks the click and posts one thread reply;
 * the simulator's pod-ready time as a client sees it (scale blue 0→3 over the Kubernetes API, poll until ready).
 */
import { request } from 'undici';
import type { Subject } from '../lib/processes.ts';
import { interaction, slashCommand } from '../lib/slack-requests.ts';
import { summarise, type Summary } from '../lib/stats.ts';
import type { World } from '../lib/world.ts';

export interface ClickResult {
  clickToProgressMs: Summary;
  boltClickToReplyMs: Summary;
  rollbackWallMs: Summary;
  podReadyMs: Summary;
}

/** Environments the rollback rounds use, one per round (a rollback leaves its environment on blue). */
export const rollbackEnvironments = (rounds: number) =>
  Array.from({ length: rounds }, (_, i) => `rb-${String(i + 1).padStart(2, '0')}`);
export const POD_READY_ENVIRONMENT = 'podready';
const BASELINE_CHANNEL = 'security';
const QUIET_CHANNEL_MS = 3_000;

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
  for (const env of rollbackEnvironments(rounds)) {
    // Each round starts in a quiet channel: the last round's posts have given back Slack's per-channel
    // budget (1/s with a short burst), as for someone running one rollback, not one a second.
    await new Promise((r) => setTimeout(r, QUIET_CHANNEL_MS));
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
    const started = performance.now();
    const clickedAt = Date.now();
    await post(bot, interaction(world.ws, click));
    await world.control('/wait-message', { channel, threadTs: approval.ts, includes: ['run_'] });
    progress.push(performance.now() - started);
    await world.control('/wait-message', {
      channel,
      threadTs: approval.ts,
      includes: [':white_check_mark:', 'finished'],
      timeoutMs: 180_000,
    });
    wall.push(performance.now() - started);
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
  return {
    clickToProgressMs: summarise(progress),
    boltClickToReplyMs: summarise(boltReply),
    rollbackWallMs: summarise(wall),
    podReadyMs: summarise(podReady),
  };
}
