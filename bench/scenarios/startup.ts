/** Cold start (spawn → first 200 from the readiness path) and resident memory, bot against bare Bolt. */
import { rssMb, type Subject } from '../lib/processes.ts';
import { summarise, type Summary } from '../lib/stats.ts';
import type { World } from '../lib/world.ts';

export interface StartupResult {
  botStartMs: Summary;
  boltStartMs: Summary;
  floorStartMs: Summary;
}

/** Restarts each subject `rounds` times, interleaved; the bot's schema is already migrated. */
export async function coldStartScenario(world: World, rounds: number): Promise<StartupResult> {
  const bot: number[] = [];
  const bolt: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const [start, into] of [
      [world.startBot, bot],
      [world.startBolt, bolt],
      [world.startFloor, floor],
    ] as const) {
      const s = await start();
      into.push(s.startMs);
      await s.stop();
    }
  }
  return { botStartMs: summarise(bot), boltStartMs: summarise(bolt), floorStartMs: summarise(floor) };
}

/** RSS of each subject now, MB. */
export function rssOf(subjects: Subject[]): Record<string, number> {
  return Object.fromEntries(subjects.map((s) => [s.name, rssMb(s.child.pid as number)]));
}
