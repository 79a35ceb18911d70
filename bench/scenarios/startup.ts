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
