/**
 * `/eafix digest daily --here` → the digest in the channel, against a bot whose topology has N services
 * (2 pods each) in a cluster simulator of that size. Each size gets a fresh world; the Kubernetes
 * requests per digest are counted by the simulator (they should not grow with N).
 */
import { request } from 'undici';
import type { Subject } from '../lib/processes.ts';
import { slashCommand } from '../lib/slack-requests.ts';
import { summarise, type Summary } from '../lib/stats.ts';
import { startWorld, type World } from '../lib/world.ts';

export interface DigestPoint {
  services: number;
  digestMs: Summary;
  kubeRequestsPerDigest: number;
}

async function oneDigest(world: World, bot: Subject, after: string): Promise<{ ms: number; ts: string }> {
  const started = performance.now();
  const res = await request(`${bot.url}/slack/events`, {
    method: 'POST',
    ...slashCommand(world.ws, 'digest daily --here', 'alice'),
  });
  await res.body.text();
  const posted = await world.control<{ ts: string }>('/wait-message', {
    channel: 'eafix-ops',
    includes: ['EAFIX daily digest'],
    after,
    timeoutMs: 300_000,
  });
  return { ms: performance.now() - started, ts: posted.ts };
}

export async function digestScenario(
  sizes: number[],
  rounds: number,
  log: (line: string) => void,
): Promise<DigestPoint[]> {
  const points: DigestPoint[] = [];
  for (const services of sizes) {
    log(`  digest: starting a world with ${services} services`);
    const world = await startWorld({ services });
    try {
      const bot = await world.startBot();
      let last = (await oneDigest(world, bot, '0')).ts; // warm
      const times: number[] = [];
      let requests = 0;
      for (let i = 0; i < rounds; i++) {
        // Past the bot's 1.5 s shared-read snapshot (each digest reads the cluster) and Slack's
        // ~1 post/s per channel (the post itself is not what is measured).
        await new Promise((r) => setTimeout(r, 2_000));
        const before = (await world.control<{ kubeRequests: number }>('/stats')).kubeRequests;
        const run = await oneDigest(world, bot, last);
        requests = (await world.control<{ kubeRequests: number }>('/stats')).kubeRequests - before;
        times.push(run.ms);
        last = run.ts;
      }
      points.push({ services, digestMs: summarise(times), kubeRequestsPerDigest: requests });
    } finally {
      await world.stop();
    }
  }
  return points;
}
