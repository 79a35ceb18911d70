/**
 * CPU time PostgreSQL's processes on this machine have used so far, in ms (Linux /proc; undefined elsewhere
 * or where the server runs on another host). Read before and after a scenario, it says what it cost.
 */
import { readdir, readFile } from 'node:fs/promises';
import { MS_PER_TICK, parseStat } from './processes.ts';

export async function postgresCpuMs(): Promise<number | undefined> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let ticks = 0;
  let found = false;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    const { comm, fields } = parseStat(stat);
    if (comm !== 'postgres') continue;
    // utime, stime, cutime, cstime: the server's own time and, in its children's fields, that of the
    // backends that ended and were reaped meanwhile.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    found = true;
  }
  return found ? ticks * MS_PER_TICK : undefined;
}
