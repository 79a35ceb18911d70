/**
 * The processes of one bench run: the emulators, the bot (from dist/ when built), a bare Bolt app and
 * a node:http floor, each its own process; the load generator is the process that calls these.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { request } from 'undici';
import { deleteKeysWithPrefix } from '../../src/redis/redis-connection.ts';
import type { ClusterPart, EmulatorsInfo, SlackPart } from '../emulators.ts';
import { spawnSubject, stopChild, type Subject } from './processes.ts';
import type { Workspace } from './slack-requests.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface PolicyShape {
  /** Extra environments (each seeded with the gateway, blue/green and every service). */
  environments?: string[];
  /** Replace the services with this many generated ones (digest scaling). */
  services?: number;
}

/** The example policy with the bench's environments and services, written to `dir`. */
export async function writePolicy(dir: string, shape: PolicyShape): Promise<string> {
  const doc = parse(await readFile(join(root, 'config/eafix-policy.example.yml'), 'utf8'));
  if (shape.environments) {
    for (const env of shape.environments) doc.topology.environments[env] = { namespace: `eafix-${env}` };
  }
  if (shape.services !== undefined) {
    doc.topology.environments = { production: { namespace: 'eafix-production' } };
    doc.topology.services = Array.from({ length: shape.services }, (_, i) => {
      const name = `svc-${String(i + 1).padStart(4, '0')}`;
      return { name, deployment: `eafix-${name}`, appLabel: `eafix-${name}`, replicas: { min: 1, max: 4, default: 2 } };
    });
  }
  const path = join(dir, 'bench-policy.yml');
  await writeFile(path, stringify(doc));
  return path;
}

export interface World {
  dir: string;
  info: EmulatorsInfo;
  ws: Workspace;
  schema: string;
  redisPrefix: string;
  /** The cluster simulator's process (its CPU while the world idles is part of every figure). */
  clusterPid: number | undefined;
  control<T>(path: string, body?: unknown): Promise<T>;
  /** The bot as `role` (default `all`: web and worker in one process). */
  startBot(name?: string, role?: 'all' | 'web' | 'worker'): Promise<Subject>;
  startBolt(): Promise<Subject>;
  startFloor(): Promise<Subject>;
  stop(): Promise<void>;
}

let worlds = 0;

/** One emulators process (bench/emulators.ts `part`), once it printed what it serves. */
async function startEmulators(policyPath: string, dir: string, part: 'slack' | 'cluster', env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/emulators.ts'), policyPath, dir, part], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${part} emulators exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) as SlackPart | ClusterPart };
}

export async function startWorld(shape: PolicyShape): Promise<World> {
  worlds += 1;
  const dir = await mkdtemp(join(tmpdir(), 'eafix-bench-'));
  const policyPath = await writePolicy(dir, shape);
  // Slack's side and the cluster in two processes, started together (the cluster settles its pods meanwhile).
  const [slackSide, clusterSide] = await Promise.all([
    startEmulators(policyPath, dir, 'slack', {}),
    startEmulators(policyPath, dir, 'cluster', shape.services !== undefined ? { BENCH_FREEZE_CLUSTER: '1' } : {}),
  ]);
  const info: EmulatorsInfo = { ...(slackSide.info as SlackPart), ...(clusterSide.info as ClusterPart) };
  const control = async <T>(path: string, body: unknown = {}): Promise<T> => {
    const server = path === '/kube-calls' || path === '/stats' ? info.clusterControl : info.control;
    const res = await request(`${server}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`emulators ${path}: ${text}`);
    return JSON.parse(text) as T;
  };
  // team_id and api_app_id as Slack would send them: the workspace auth.test names.
  const auth = await request(`${info.slackApiUrl}auth.test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${info.botToken}` },
  });
  const identity = (await auth.body.json()) as { team_id: string; app_id?: string };
  const ws: Workspace = {
    signingSecret: info.signingSecret,
    teamId: identity.team_id,
    appId: identity.app_id ?? info.appId,
    slackUrl: info.slackUrl,
    channels: info.channels,
  };
  const schema = `bench_${process.pid}_${worlds}`;
  const redisPrefix = `eafix-bench:${process.pid}:${worlds}`;
  const slackEnv = {
    SLACK_SIGNING_SECRET: info.signingSecret,
    SLACK_BOT_TOKEN: info.botToken,
    SLACK_API_URL: info.slackApiUrl,
  };
  const subjects: Subject[] = [];
  const track = (s: Subject) => (subjects.push(s), s);
  return {
    dir,
    info,
    ws,
    schema,
    redisPrefix,
    clusterPid: clusterSide.child.pid,
    control,
    startBot: async (name = 'eafix', role = 'all') =>
      track(
        await spawnSubject({
          name,
          // e.g. BENCH_BOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the bot under load.
          args: [
            ...(process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
            join(root, 'bin/eafix.js'),
            role,
          ],
          readyPath: '/readyz',
          env: {
            ...slackEnv,
            DATABASE_URL,
            DATABASE_SCHEMA: schema,
            REDIS_URL,
            REDIS_PREFIX: redisPrefix,
            EAFIX_CONFIG: info.policyPath,
            KUBECONFIG: info.kubeconfigPath,
            PROMETHEUS_URL: info.prometheusUrl,
            PAGERDUTY_ROUTING_KEY: info.pagerdutyKey,
            LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
            NODE_ENV: 'production',
          },
        }),
      ),
    startBolt: async () =>
      track(
        await spawnSubject({
          name: 'bolt',
          args: [join(root, 'bench/baselines/bare-bolt.mjs')],
          readyPath: '/readyz',
          env: slackEnv,
        }),
      ),
    startFloor: async () =>
      track(
        await spawnSubject({
          name: 'floor',
          args: [join(root, 'bench/baselines/http-floor.mjs')],
          readyPath: '/',
          env: {},
        }),
      ),
    stop: async () => {
      for (const s of subjects) await s.stop();
      await Promise.all([stopChild(slackSide.child), stopChild(clusterSide.child)]);
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
      await deleteKeysWithPrefix(REDIS_URL, redisPrefix);
    },
  };
}
