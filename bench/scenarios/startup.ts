/** Cold start (spawn → first 200 from the readiness path) and resident memory, bot against bare Bolt. */
import { rssMb, type Subject } from '../lib/processes.ts';
import { summarise, type Summary } from '../lib/stats.ts';
import type { World } from '../lib/world.ts';

export interface StartupResult {
  botStartMs: Summary;
  /** The `web` role alone: it loads the Kubernetes client with its first cluster command, not at start. */
  webStartMs: Summary;
  /** The `web` role's RSS 5 s after it started, MB (median over rounds). */
  webIdleRssMb: Summary;
  boltStartMs: Summary;
  floorStartMs: Summary;
}

/** As the idle RSS of the subjects of the other scenarios: 5 s after start. */
const IDLE_MS = 5_000;

/** Restarts each subject `rounds` times, interleaved; the bot's schema is already migrated. */
export async function coldStartScenario(world: World, rounds: number): Promise<StartupResult> {
  const bot: number[] = [];
  const web: number[] = [];
  const webRss: number[] = [];
  const bolt: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const [start, into] of [
      [() => world.startBot(), bot],
      [() => world.startBot('eafix-web', 'web'), web],
      [world.startBolt, bolt],
      [world.startFloor, floor],
    ] as const) {
      const s = await start();
      into.push(s.startMs);
      if (into === web) {
        await new Promise((r) => setTimeout(r, IDLE_MS));
        webRss.push(rssMb(s.child.pid as number));
      }
      await s.stop();
    }
  }
  return {
    botStartMs: summarise(bot),
    webStartMs: summarise(web),
    webIdleRssMb: summarise(webRss),
    boltStartMs: summarise(bolt),
    floorStartMs: summarise(floor),
  };
}

/** RSS of each subject now, MB. */
export function rssOf(subjects: Subject[]): Record<string, number> {
  return Object.fromEntries(subjects.map((s) => [s.name, rssMb(s.child.pid as number)]));
}

export interface SettledRss {
  /** Seconds after start of each sample. */
  atSeconds: number[];
  /** RSS in MB per subject, one value per sample. */
  rssMb: Record<string, number[]>;
}

/**
 * Resident memory of idle processes over their first `settleMs`: the bot (`all` and `web`) and bare Bolt,
 * started together and left alone. V8 grows its young generation during start-up and shrinks it again
 * once the process has been idle for a while (30–45 s here), so "5 s after start" and "idle" differ.
 */
export async function settledRssScenario(world: World, settleMs: number): Promise<SettledRss> {
  const subjects = await Promise.all([world.startBot(), world.startBot('eafix-web', 'web'), world.startBolt()]);
  const started = performance.now();
  const atSeconds: number[] = [];
  const samples: Record<string, number[]> = Object.fromEntries(subjects.map((s) => [s.name, []]));
  try {
    for (const at of [5_000, settleMs / 2, settleMs]) {
      await new Promise((r) => setTimeout(r, Math.max(0, at - (performance.now() - started))));
      atSeconds.push(Math.round((performance.now() - started) / 1000));
      for (const s of subjects) samples[s.name]?.push(rssMb(s.child.pid as number));
    }
  } finally {
    for (const s of subjects) await s.stop();
  }
  return { atSeconds, rssMb: samples };
}
