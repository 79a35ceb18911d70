/**
 * CPU time used so far, in ms, from Linux's /proc (undefined elsewhere): of one process, and of
 * PostgreSQL's processes on this machine (undefined where the server runs on another host). Read before
 * and after a scenario, they say what it cost.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Linux reports utime and stime in clock ticks: 100 per second on every architecture Node runs on here. */
const MS_PER_TICK = 10;

/** One process's user and system CPU so far, in ms (undefined where /proc cannot tell). */
export async function processCpuMs(pid: number | undefined): Promise<number | undefined> {
  const stat = pid === undefined ? undefined : await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

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
    // "pid (comm) state ppid ...": comm may hold spaces, so fields are counted after its closing paren.
    const close = stat?.lastIndexOf(')') ?? -1;
    if (!stat || close < 0 || stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' ');
    // Fields 14–17 of stat (utime, stime, cutime, cstime), counted here from field 3 (state): the server's
    // own time and, in its children's fields, that of the backends that ended and were reaped meanwhile.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    found = true;
  }
  return found ? ticks * MS_PER_TICK : undefined;
}
